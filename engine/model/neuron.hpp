// Neuron models, per-element maths shared by the CPU loop and CUDA kernels.
//
// Units: membrane potentials in mV, times in ms, conductances ge/gi dimensionless (in
// units of the leak conductance, as in Diehl & Cook 2015), currents of the current-based
// kinds in mV (the jump they cause at tau_m).
//
// kLifConductance (Diehl & Cook 2015, E and I neurons):
//   tau_m dv/dt = (v_rest - v) + ge (E_exc - v) + gi (E_inh - v)
//   tau_ge dge/dt = -ge,  tau_gi dgi/dt = -gi
//   Exponential Euler with ge, gi held over the step (exact for that step):
//     a = 1 + ge + gi,  v_inf = (v_rest + ge E_exc + gi E_inh) / a
//     v(t + dt) = v_inf + (v - v_inf) exp(-a dt / tau_m)
// kLifCurrent: tau_m dv/dt = (v_rest - v) + Ie - Ii, currents decaying with tau_ge/tau_gi;
//   with tau_ge = tau_gi = 0 the synapses are delta pulses: the current jumps v at once.
// kIf: perfect integrator, v += Ie - Ii each step (delta synapses), no leak.
//
// Every kind: refractory period (no integration, no spike; v held, or with refractory_leak
// relaxing toward v_rest as tau_m dv/dt = v_rest - v), optional spike-blocking period (no
// spike until that long after the last one; Diehl & Cook's `timer` quirk), a floor v_floor
// below which v is clamped, optional adaptive threshold: threshold = v_thresh + theta -
// offset, theta += theta_plus per spike, tau_theta dtheta/dt = -theta, theta clamped to
// [theta_min, theta_max]; theta is frozen (no growth, no decay) while testing.
//
// A neuron is refractory for the steps 1 .. refractory_steps-1 after its spike, and for
// `hold` more steps when a winner-take-all projection holds it (see below).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/host_device.hpp"

namespace memsnn {

enum class NeuronKind : int32_t { kPoisson = 0, kLifConductance = 1, kLifCurrent = 2, kIf = 3 };

// Constants for one population, derived once on the host in double (see network.cpp).
struct NeuronConstants {
  NeuronKind kind = NeuronKind::kLifConductance;
  float v_rest = -65.0f;         // mV
  float v_reset = -65.0f;        // mV
  float v_thresh = -52.0f;       // mV
  float e_exc = 0.0f;            // mV (conductance kind)
  float e_inh = -100.0f;         // mV (conductance kind)
  float dt_over_tau_m = 0.005f;  // dt / tau_m (conductance kind: multiplied by 1 + ge + gi)
  float decay_v = 0.995f;        // exp(-dt / tau_m): leak with no synaptic input
  float decay_ge = 0.0f;         // exp(-dt / tau_ge), 0 for delta synapses
  float decay_gi = 0.0f;         // exp(-dt / tau_gi)
  int32_t refractory_steps = 0;  // v held for steps 1 .. refractory_steps-1 after a spike
  int32_t block_steps = 0;       // spike allowed only when steps since last spike > this
  bool refractory_leak = false;  // refractory v relaxes toward v_rest (else held)
  float v_floor = -1000.0f;      // mV, v never below (the default never binds)
  bool adaptive = false;
  float theta_offset = 0.0f;     // mV
  double theta_plus = 0.0;       // mV per spike
  double theta_decay = 1.0;      // exp(-dt / tau_theta) per step (double: 1 - 5e-8 is not a float)
  double theta_min = 0.0;        // mV
  double theta_max = 1e6;        // mV
};

// Saturating counter: steps since the neuron last spiked.
constexpr int32_t kLongAgo = 1 << 30;

// Decaying variables (synaptic conductances and currents, STDP traces) below this are set
// to 0. Geometric decay otherwise walks them into float denormals, whose arithmetic is
// ~100x slower on x86; 1e-30 is physically nothing (a conductance of 1e-30 x the leak).
// Done explicitly, not by an FPU mode, so every backend flushes identically.
constexpr float kFlushBelow = 1e-30f;

MEMSNN_HOST_DEVICE inline float decay_and_flush(float x, float decay) {
  x *= decay;
  return x < kFlushBelow ? 0.0f : x;
}

// Membrane potential after one step of the subthreshold dynamics, inputs held.
MEMSNN_HOST_DEVICE inline float membrane_step(const NeuronConstants& c, float v, float ge, float gi) {
  switch (c.kind) {
    case NeuronKind::kLifConductance: {
      if (ge == 0.0f && gi == 0.0f) return c.v_rest + (v - c.v_rest) * c.decay_v;  // leak only
      const float a = 1.0f + ge + gi;
      const float v_inf = (c.v_rest + ge * c.e_exc + gi * c.e_inh) / a;
      // exp in double, rounded once to float: host libm and CUDA agree on the float result
      // except when the exact value lies within ~1e-16 of a rounding boundary, where
      // expf implementations (up to 2 ulp apart) would often differ.
      const float decay = static_cast<float>(exp(static_cast<double>(-c.dt_over_tau_m * a)));
      return v_inf + (v - v_inf) * decay;
    }
    case NeuronKind::kLifCurrent: {
      if (c.decay_ge == 0.0f && c.decay_gi == 0.0f) {  // delta synapses: jump, then leak
        return c.v_rest + (v + ge - gi - c.v_rest) * c.decay_v;
      }
      const float v_inf = c.v_rest + ge - gi;
      return v_inf + (v - v_inf) * c.decay_v;
    }
    case NeuronKind::kIf:
      return v + ge - gi;
    case NeuronKind::kPoisson:
      break;
  }
  return v;
}

// Per-neuron state, passed by reference so the CPU loop and a kernel share the update.
struct NeuronRef {
  float& v;
  float& ge;
  float& gi;
  int32_t& since_spike;
  int32_t& hold;   // extra refractory steps imposed by a winner-take-all projection
  double* theta;   // nullptr when the population has no adaptive threshold
};

// First half of a step for one neuron: integrate (unless refractory), decay the synaptic
// variables and theta. Returns how far v is above the threshold, <= 0 when it may not
// spike this step. `plastic_theta` is false while testing (theta frozen).
MEMSNN_HOST_DEVICE inline float neuron_integrate(const NeuronConstants& c, NeuronRef n, bool plastic_theta) {
  if (n.since_spike < kLongAgo) ++n.since_spike;
  bool refractory = n.since_spike < c.refractory_steps;
  if (n.hold > 0) {
    --n.hold;
    refractory = true;
  }
  if (!refractory) {
    n.v = membrane_step(c, n.v, n.ge, n.gi);
  } else if (c.refractory_leak) {
    n.v = c.v_rest + (n.v - c.v_rest) * c.decay_v;
  }
  n.v = n.v < c.v_floor ? c.v_floor : n.v;
  n.ge = decay_and_flush(n.ge, c.decay_ge);
  n.gi = decay_and_flush(n.gi, c.decay_gi);
  float threshold = c.v_thresh;
  if (c.adaptive) {
    if (plastic_theta) {
      double th = *n.theta * c.theta_decay;
      th = th < c.theta_min ? c.theta_min : (th > c.theta_max ? c.theta_max : th);
      *n.theta = th;
    }
    threshold += static_cast<float>(*n.theta) - c.theta_offset;
  }
  if (refractory || n.since_spike <= c.block_steps) return 0.0f;
  return n.v > threshold ? n.v - threshold : 0.0f;
}

// Second half, for a neuron that spikes: reset v, restart its refractory period, raise theta.
MEMSNN_HOST_DEVICE inline void neuron_fire(const NeuronConstants& c, NeuronRef n, bool plastic_theta) {
  n.v = c.v_reset;
  n.since_spike = 0;
  if (c.adaptive && plastic_theta) {
    const double th = *n.theta + c.theta_plus;
    *n.theta = th > c.theta_max ? c.theta_max : th;
  }
}

// One whole step for a neuron that fires whenever it crosses. Returns true on a spike.
MEMSNN_HOST_DEVICE inline bool neuron_step(const NeuronConstants& c, NeuronRef n, bool plastic_theta) {
  if (neuron_integrate(c, n, plastic_theta) > 0.0f) {
    neuron_fire(c, n, plastic_theta);
    return true;
  }
  return false;
}

// Winner-take-all inhibition of a neuron that lost to this step's winner: v drops by
// `drop` mV (not below v_floor) and the neuron is held for `hold_steps` steps.
MEMSNN_HOST_DEVICE inline void neuron_inhibit(const NeuronConstants& c, NeuronRef n, float drop, int32_t hold_steps) {
  const float v = n.v - drop;
  n.v = v < c.v_floor ? c.v_floor : v;
  n.hold = hold_steps > n.hold ? hold_steps : n.hold;
}

}  // namespace memsnn
