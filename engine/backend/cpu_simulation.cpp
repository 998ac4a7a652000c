// The CPU reference step loop: clear, deterministic, event-driven on the input side.
#include "backend/cpu_simulation.hpp"

#include <algorithm>

#include "core/rng.hpp"
#include "model/device.hpp"
#include "model/poisson.hpp"
#include "model/window_stdp.hpp"

namespace memsnn {

CpuSimulation::CpuSimulation(const Network& net) : CpuSimulation(net, net.config.seed) {}

CpuSimulation::CpuSimulation(const Network& net, uint64_t seed)
    : m_net(net), m_n_in(net.n_inputs), m_n(net.n_neurons()), m_seed(seed) {
  m_pops.resize(net.populations.size());
  for (size_t p = 0; p < m_pops.size(); ++p) {
    const uint32_t n = net.populations[p].size;
    m_pops[p].v.resize(n);
    m_pops[p].ge.resize(n);
    m_pops[p].gi.resize(n);
    m_pops[p].since_spike.resize(n);
    m_pops[p].hold.resize(n);
    m_pops[p].spikes.reserve(n);
  }
  m_pre.resize(m_n_in);
  m_last_pre.resize(m_n_in);
  m_post1.resize(m_n);
  m_post2.resize(m_n);
  m_threshold.resize(m_n_in);
  m_input_spikes.reserve(m_n_in);
  reset();
}

void CpuSimulation::reset() {
  for (size_t p = 0; p < m_pops.size(); ++p) {
    auto& pop = m_pops[p];
    std::fill(pop.v.begin(), pop.v.end(), m_net.populations[p].v_init);
    std::fill(pop.ge.begin(), pop.ge.end(), 0.0f);
    std::fill(pop.gi.begin(), pop.gi.end(), 0.0f);
    std::fill(pop.since_spike.begin(), pop.since_spike.end(), kLongAgo);
    std::fill(pop.hold.begin(), pop.hold.end(), 0);
  }
  m_clock = kClockAtReset;
  std::fill(m_last_pre.begin(), m_last_pre.end(), 0);
  std::fill(m_pre.begin(), m_pre.end(), 0.0f);
  std::fill(m_post1.begin(), m_post1.end(), 0.0f);
  std::fill(m_post2.begin(), m_post2.end(), 0.0f);
}

void CpuSimulation::prepare_input(const uint8_t* pixels, double max_rate_hz) {
  m_active_groups.clear();
  if (pixels == nullptr) {
    std::fill(m_threshold.begin(), m_threshold.end(), 0u);
    return;
  }
  for (uint32_t i = 0; i < m_n_in; ++i) m_threshold[i] = pixel_threshold(pixels[i], max_rate_hz, m_net.dt_s);
  // Only groups holding a non-zero rate need a draw: most MNIST pixels are 0.
  for (uint32_t group = 0; group * 4 < m_n_in; ++group) {
    const uint32_t end = std::min(m_n_in, group * 4 + 4);
    for (uint32_t i = group * 4; i < end; ++i) {
      if (m_threshold[i] != 0) {
        m_active_groups.push_back(group);
        break;
      }
    }
  }
}

void CpuSimulation::draw_input_spikes(uint32_t stream, uint32_t sample, uint32_t step_index) {
  m_input_spikes.clear();
  for (const uint32_t group : m_active_groups) {
    const auto bits = philox_block(m_seed, stream, sample, step_index, group);
    const uint32_t base = group * 4;
    for (uint32_t lane = 0; lane < 4 && base + lane < m_n_in; ++lane) {
      if (bits.v[lane] < m_threshold[base + lane]) m_input_spikes.push_back(base + lane);
    }
  }
}

void CpuSimulation::deliver_fixed(const FixedProjectionSpec& p) {
  auto& to = m_pops[p.to];
  std::vector<float>& channel = p.target == Channel::kExcitatory ? to.ge : to.gi;
  for (const uint32_t j : m_pops[p.from].spikes) {
    if (p.kind == ProjectionKind::kOneToOne) {
      channel[j] += p.weight;
    } else {  // all but self
      for (uint32_t k = 0; k < channel.size(); ++k) {
        if (k != j) channel[k] += p.weight;
      }
    }
  }
}

// One write through the device model, keyed by the cell and the device clock
// (device/device_programming.hpp's write_cell, which the CUDA kernels call too).
float CpuSimulation::write_cell(float w, uint32_t cell, float dw, float trace, WritePhase phase) {
  return memsnn::write_cell(m_net.device, m_seed, static_cast<uint32_t>(m_device_clock), cell, w, dw, trace, phase,
                            &m_device_tally);
}

void CpuSimulation::apply_stdp(float* g) {
  const StdpConstants& c = m_net.stdp;
  const float lo = m_net.w_min, hi = m_net.w_max;
  const bool devices = m_net.device_path;
  for (const uint32_t i : m_input_spikes) {  // pre spikes: depression by post1
    m_pre[i] = 1.0f;
    float* row = g + static_cast<size_t>(i) * m_n;
    if (devices) {
      for (uint32_t j = 0; j < m_n; ++j) {
        row[j] = write_cell(row[j], i * m_n + j, stdp_dw_on_pre(c, m_post1[j]), m_post1[j], WritePhase::kPreSpike);
      }
      continue;
    }
    for (uint32_t j = 0; j < m_n; ++j) row[j] = ideal_device_update(row[j], stdp_dw_on_pre(c, m_post1[j]), lo, hi);
  }
  for (const uint32_t j : m_pops[m_net.learning_layer].spikes) {  // post spikes: potentiation by pre
    const float post2 = m_post2[j];
    float* cell = g + j;
    for (uint32_t i = 0; i < m_n_in; ++i, cell += m_n) {
      const float dw = stdp_dw_on_post(c, m_pre[i], post2);
      *cell = devices ? write_cell(*cell, i * m_n + j, dw, m_pre[i], WritePhase::kPostSpike)
                      : ideal_device_update(*cell, dw, lo, hi);
    }
    m_post1[j] = 1.0f;
    m_post2[j] = 1.0f;
  }
}

void CpuSimulation::apply_window_stdp(float* g) {
  for (const uint32_t i : m_input_spikes) m_last_pre[i] = m_clock;
  const float* table = m_net.window_potentiation.data();
  const float lo = m_net.w_min, hi = m_net.w_max;
  for (const uint32_t j : m_pops[m_net.learning_layer].spikes) {
    float* cell = g + j;
    for (uint32_t i = 0; i < m_n_in; ++i, cell += m_n) {
      const float dw = window_dw(m_net.window, table, m_clock - m_last_pre[i]);
      *cell = m_net.device_path ? write_cell(*cell, i * m_n + j, dw, 0.0f, WritePhase::kPostSpike)
                                : ideal_device_update(*cell, dw, lo, hi);
    }
  }
}

// Integrate, threshold, reset one population; in a winner-take-all population at most
// the neuron furthest above its threshold spikes and every other neuron is inhibited.
void CpuSimulation::integrate_population(size_t p, double* theta, bool learn) {
  auto& pop = m_pops[p];
  const NeuronConstants& c = m_net.populations[p].constants;
  double* th = (p == m_net.learning_layer && c.adaptive) ? theta : nullptr;
  auto ref = [&](uint32_t j) {
    return NeuronRef{pop.v[j], pop.ge[j], pop.gi[j], pop.since_spike[j], pop.hold[j], th ? th + j : nullptr};
  };
  pop.spikes.clear();
  const uint32_t n = static_cast<uint32_t>(pop.v.size());
  if (static_cast<int32_t>(p) != m_net.wta_population) {
    for (uint32_t j = 0; j < n; ++j) {
      if (neuron_step(c, ref(j), learn)) pop.spikes.push_back(j);
    }
    return;
  }
  float best = 0.0f;
  uint32_t winner = n;
  for (uint32_t j = 0; j < n; ++j) {
    const float margin = neuron_integrate(c, ref(j), learn);
    if (margin > best) {
      best = margin;
      winner = j;
    }
  }
  if (winner == n) return;
  neuron_fire(c, ref(winner), learn);
  pop.spikes.push_back(winner);
  for (uint32_t j = 0; j < n; ++j) {
    if (j != winner) neuron_inhibit(c, ref(j), m_net.wta.weight, m_net.wta.hold_steps);
  }
}

// The spiking rows of `read` into the target channel. Through devices each cell's
// contribution carries read noise I = V G (1 + sigma z), and the read's energy is counted.
void CpuSimulation::read_crossbar(const float* read, float* target) {
  if (!m_net.device_path) {
    for (const uint32_t i : m_input_spikes) {
      const float* row = read + static_cast<size_t>(i) * m_n;
      for (uint32_t j = 0; j < m_n; ++j) target[j] += row[j];
    }
    return;
  }
  const DeviceProgramming& p = m_net.device;
  const double sigma = p.nonideal.read_sigma;
  const float reference_w = reference_weight(p);
  const ReadNoiseKey key =
      m_image_reads ? m_read_key : clock_read_key(p.projection, static_cast<uint32_t>(m_device_clock));
  for (const uint32_t i : m_input_spikes) {
    const float* row = read + static_cast<size_t>(i) * m_n;
    double sum = 0.0;
    for (uint32_t j = 0; j < m_n; ++j) {
      sum += row[j];
      if (sigma == 0.0) {
        target[j] += row[j];
        continue;
      }
      const float f = read_noise_factor(m_seed, key, i * m_n + j, sigma);
      target[j] += noisy_cell_read(row[j], f, reference_w);
    }
    m_device_tally.read_energy_J += row_read_energy(p, sum, m_n);
  }
}

DeviceTally CpuSimulation::take_device_tally() {
  const DeviceTally t = m_device_tally;
  m_device_tally = DeviceTally{};
  return t;
}

uint64_t CpuSimulation::step(float* g, double* theta, bool learn, uint32_t* counts) {
  ++m_clock;
  ++m_device_clock;
  if (learn && m_net.rule == LearningRule::kTraceStdp) {
    const StdpConstants& c = m_net.stdp;
    for (float& x : m_pre) x = decay_and_flush(x, c.decay_pre);
    for (float& x : m_post1) x = decay_and_flush(x, c.decay_post1);
    for (float& x : m_post2) x = decay_and_flush(x, c.decay_post2);
  }
  for (size_t p = 0; p < m_pops.size(); ++p) integrate_population(p, theta, learn);
  // Deliver: crossbar rows of the inputs that spiked (event-driven), then fixed projections.
  auto& layer = m_pops[m_net.learning_layer];
  float* target = (m_net.crossbar_target == Channel::kExcitatory ? layer.ge : layer.gi).data();
  if (m_exact) {
    m_exact->add_exact_drive({g, static_cast<size_t>(m_n_in) * m_n}, m_input_spikes, target);
  } else {
    read_crossbar(m_read ? m_read : g, target);
  }
  for (const auto& p : m_net.fixed_projections) deliver_fixed(p);
  if (learn && m_net.plastic) {
    if (m_net.rule == LearningRule::kTraceStdp) {
      apply_stdp(g);
    } else {
      apply_window_stdp(g);
    }
  }
  for (const uint32_t j : layer.spikes) ++counts[j];
  return layer.spikes.size();
}

SpikeTotals CpuSimulation::present(const uint8_t* pixels, double max_rate_hz, uint32_t stream, uint32_t sample,
                                   uint32_t steps, float* g, double* theta, bool learn, uint32_t* counts) {
  prepare_input(pixels, max_rate_hz);
  SpikeTotals totals;
  m_image_reads = !learn;
  for (uint32_t t = 0; t < steps; ++t) {
    if (m_image_reads) m_read_key = image_read_key(m_net.device.projection, stream, sample, steps, t);
    draw_input_spikes(stream, sample, t);
    totals.inputs += m_input_spikes.size();
    totals.layer += step(g, theta, learn, counts);
  }
  m_image_reads = false;  // rests read nothing; learning reads key by the clock
  return totals;
}

void CpuSimulation::rest(float* g, double* theta, bool learn) {
  m_input_spikes.clear();
  m_rest_counts.resize(m_n);
  for (uint32_t t = 0; t < m_net.rest_steps; ++t) step(g, theta, learn, m_rest_counts.data());
}

void CpuSimulation::normalize_columns(const Network& net, float* g, double target, uint64_t seed) {
  const uint32_t n = net.n_neurons();
  std::vector<double> sums(n, 0.0);
  for (uint32_t i = 0; i < net.n_inputs; ++i) {
    const float* row = g + static_cast<size_t>(i) * n;
    for (uint32_t j = 0; j < n; ++j) sums[j] += row[j];
  }
  std::vector<float> factor(n);
  for (uint32_t j = 0; j < n; ++j) factor[j] = normalization_factor(sums[j], target);
  for (uint32_t i = 0; i < net.n_inputs; ++i) {
    float* row = g + static_cast<size_t>(i) * n;
    for (uint32_t j = 0; j < n; ++j) row[j] = normalized_weight(row[j], factor[j], net.w_max);
  }
  if (!net.device_path) return;
  // Write-and-verify to the nearest state: the conductance a device can hold.
  for (uint32_t i = 0; i < net.n_inputs; ++i) {
    float* row = g + static_cast<size_t>(i) * n;
    for (uint32_t j = 0; j < n; ++j) row[j] = program_initial_weight(net.device, seed, i * n + j, row[j]);
  }
}

}  // namespace memsnn
