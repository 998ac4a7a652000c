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

#include <cstdint>

#include "core/host_device.hpp"
#include "core/portable_math.hpp"

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

MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE float decay_and_flush(float x, float decay) {
  x *= decay;
  return x < kFlushBelow ? 0.0f : x;
}

// True when a conductance-based neuron has synaptic input this step: only then does its
// membrane decay need exp.
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE bool has_synaptic_input(float ge, float gi) {
  return !((ge == 0.0f) & (gi == 0.0f));  // & not &&: no branch
}

// The conductance kind's membrane decay over one step with ge, gi held:
// exp(-(1 + ge + gi) dt / tau_m), in double from + - * / only (core/portable_math.hpp),
// rounded once to float: the same bits on every backend, whatever its libm.
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE float conductance_decay(const NeuronConstants& c, float ge, float gi) {
  const float a = 1.0f + ge + gi;
  return static_cast<float>(portable_exp(static_cast<double>(-c.dt_over_tau_m * a)));
}

// Membrane potential after one step of the subthreshold dynamics, inputs held, for a
// population of kind K; `decay` is conductance_decay(c, ge, gi) (conductance kind with
// synaptic input only; ignored otherwise). Branch-free (both cases computed, then a select
// with the branch's result), so a loop over a population vectorises.
template <NeuronKind K>
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE float membrane_step_with(const NeuronConstants& c, float v, float ge, float gi,
                                                                float decay) {
  if constexpr (K == NeuronKind::kLifConductance) {
    const float leak = c.v_rest + (v - c.v_rest) * c.decay_v;  // no synaptic input
    const float a = 1.0f + ge + gi;
    const float v_inf = (c.v_rest + ge * c.e_exc + gi * c.e_inh) / a;
    const float driven = v_inf + (v - v_inf) * decay;
    return has_synaptic_input(ge, gi) ? driven : leak;
  } else if constexpr (K == NeuronKind::kLifCurrent) {
    const float jump = c.v_rest + (v + ge - gi - c.v_rest) * c.decay_v;  // delta synapses: jump, then leak
    const float v_inf = c.v_rest + ge - gi;
    const float relax = v_inf + (v - v_inf) * c.decay_v;
    return (c.decay_ge == 0.0f && c.decay_gi == 0.0f) ? jump : relax;
  } else if constexpr (K == NeuronKind::kIf) {
    return v + ge - gi;
  } else {
    return v;
  }
}

template <NeuronKind K>
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE float membrane_step_of(const NeuronConstants& c, float v, float ge, float gi) {
  if constexpr (K == NeuronKind::kLifConductance) {
    return membrane_step_with<K>(c, v, ge, gi, conductance_decay(c, ge, gi));
  } else {
    return membrane_step_with<K>(c, v, ge, gi, 1.0f);
  }
}

MEMSNN_HOST_DEVICE inline float membrane_step(const NeuronConstants& c, float v, float ge, float gi) {
  switch (c.kind) {
    case NeuronKind::kLifConductance: return membrane_step_of<NeuronKind::kLifConductance>(c, v, ge, gi);
    case NeuronKind::kLifCurrent: return membrane_step_of<NeuronKind::kLifCurrent>(c, v, ge, gi);
    case NeuronKind::kIf: return membrane_step_of<NeuronKind::kIf>(c, v, ge, gi);
    case NeuronKind::kPoisson: break;
  }
  return v;
}

// The adaptive threshold's step: theta decays toward 0 and stays in [theta_min, theta_max].
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE double decayed_theta(const NeuronConstants& c, double theta) {
  const double th = theta * c.theta_decay;
  return th < c.theta_min ? c.theta_min : (th > c.theta_max ? c.theta_max : th);
}

// The threshold a neuron compares v with [mV]: v_thresh, plus theta - offset when adaptive.
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE float adaptive_threshold(const NeuronConstants& c, double theta) {
  return c.v_thresh + (static_cast<float>(theta) - c.theta_offset);
}

// Theta after a spike.
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE double raised_theta(const NeuronConstants& c, double theta) {
  const double th = theta + c.theta_plus;
  return th > c.theta_max ? c.theta_max : th;
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

// A population's per-neuron arrays as the step sees them, and neuron j's reference.
struct NeuronArrays {
  float* v;
  float* ge;
  float* gi;
  int32_t* since_spike;
  int32_t* hold;
  double* theta;  // nullptr without adaptive threshold

  MEMSNN_HOST_DEVICE NeuronRef ref(uint32_t j) const {
    return NeuronRef{v[j], ge[j], gi[j], since_spike[j], hold[j], theta ? theta + j : nullptr};
  }
};

// The float part of one neuron's step for kind K, given the threshold (adaptive_threshold
// of this step's theta, or v_thresh) and the membrane decay (conductance_decay, when
// needed): integrate (unless refractory), clamp at v_floor, decay the synaptic variables,
// count the refractory period down. Returns how far v is above the threshold, <= 0 when it
// may not spike this step. Does not fire. Branch-free, and every field is read once and
// stored once (a store of `c ? x : a[i]` to a[i] is a conditional store to GCC, which
// keeps the loop from vectorising).
template <NeuronKind K>
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE float neuron_integrate_with(const NeuronConstants& c, float& v_ref, float& ge_ref,
                                                                   float& gi_ref, int32_t& since_ref, int32_t& hold_ref,
                                                                   float threshold, float decay) {
  const float v0 = v_ref, ge0 = ge_ref, gi0 = gi_ref;
  const int32_t since0 = since_ref, hold0 = hold_ref;
  const int32_t since = since0 + (since0 < kLongAgo ? 1 : 0);
  const bool held = hold0 > 0;
  const bool refractory = (since < c.refractory_steps) | held;
  const float integrated = membrane_step_with<K>(c, v0, ge0, gi0, decay);
  const float leaked = c.v_rest + (v0 - c.v_rest) * c.decay_v;
  float v = refractory ? (c.refractory_leak ? leaked : v0) : integrated;
  v = v < c.v_floor ? c.v_floor : v;
  const float above = v > threshold ? v - threshold : 0.0f;
  v_ref = v;
  since_ref = since;
  hold_ref = hold0 - (held ? 1 : 0);
  ge_ref = decay_and_flush(ge0, c.decay_ge);
  gi_ref = decay_and_flush(gi0, c.decay_gi);
  return (refractory | (since <= c.block_steps)) ? 0.0f : above;
}

// One step of one neuron of kind K, whole: theta decays (while learning, kPlasticTheta),
// then neuron_integrate_with. Theta is frozen while testing, and then never written:
// frozen instances share it. (The step runs the same pieces in separate passes.)
template <NeuronKind K, bool kAdaptive, bool kPlasticTheta>
MEMSNN_HOST_DEVICE inline float neuron_update_of(const NeuronConstants& c, NeuronRef n) {
  float threshold = c.v_thresh;
  if constexpr (kAdaptive) {
    double th = *n.theta;
    if constexpr (kPlasticTheta) {
      th = decayed_theta(c, th);
      *n.theta = th;
    }
    threshold = adaptive_threshold(c, th);
  }
  float decay = 1.0f;
  if constexpr (K == NeuronKind::kLifConductance) decay = conductance_decay(c, n.ge, n.gi);
  return neuron_integrate_with<K>(c, n.v, n.ge, n.gi, n.since_spike, n.hold, threshold, decay);
}

// The first half of a step (no firing) for any population, its kind and adaptivity read at
// run time: how far v is above the threshold.
template <NeuronKind K>
MEMSNN_HOST_DEVICE inline float neuron_integrate_kind(const NeuronConstants& c, NeuronRef n, bool plastic_theta) {
  if (!c.adaptive) return neuron_update_of<K, false, false>(c, n);
  return plastic_theta ? neuron_update_of<K, true, true>(c, n) : neuron_update_of<K, true, false>(c, n);
}

MEMSNN_HOST_DEVICE inline float neuron_integrate(const NeuronConstants& c, NeuronRef n, bool plastic_theta) {
  switch (c.kind) {
    case NeuronKind::kLifConductance: return neuron_integrate_kind<NeuronKind::kLifConductance>(c, n, plastic_theta);
    case NeuronKind::kLifCurrent: return neuron_integrate_kind<NeuronKind::kLifCurrent>(c, n, plastic_theta);
    case NeuronKind::kIf: return neuron_integrate_kind<NeuronKind::kIf>(c, n, plastic_theta);
    case NeuronKind::kPoisson: break;
  }
  return 0.0f;
}

// The second half, for a neuron that spikes: reset v, restart its refractory period, raise
// theta (while learning).
MEMSNN_HOST_DEVICE MEMSNN_FORCE_INLINE void neuron_fire(const NeuronConstants& c, NeuronRef n, bool plastic_theta) {
  n.v = c.v_reset;
  n.since_spike = 0;
  if (c.adaptive && plastic_theta) *n.theta = raised_theta(c, *n.theta);
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
