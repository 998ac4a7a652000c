// CudaBackend: host side. Builds the kernels' view of the network once, keeps the
// conductances and thresholds on the device, and drives the retry protocol from the host
// (one launch and one small download per presentation attempt).
#include "kernels/cuda_backend.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "backend/retry_protocol.hpp"
#include "core/error.hpp"
#include "crossbar/line_solve.hpp"
#include "device/device_drift.hpp"
#include "kernels/crossbar_launch.hpp"
#include "kernels/cuda_crossbar.hpp"
#include "kernels/device_cells.hpp"
#include "model/poisson.hpp"

namespace memsnn {
namespace {

DeviceNetwork device_network(const Network& net) {
  DeviceNetwork d;
  if (net.populations.size() > kMaxDevicePopulations) {
    throw BackendError("the CUDA backend supports at most " + std::to_string(kMaxDevicePopulations) +
                       " neuron populations (this network has " + std::to_string(net.populations.size()) + ")");
  }
  if (net.fixed_projections.size() > kMaxDeviceProjections) {
    throw BackendError("the CUDA backend supports at most " + std::to_string(kMaxDeviceProjections) +
                       " fixed projections (this network has " + std::to_string(net.fixed_projections.size()) + ")");
  }
  d.n_inputs = net.n_inputs;
  d.n_populations = static_cast<uint32_t>(net.populations.size());
  for (uint32_t p = 0; p < d.n_populations; ++p) {
    const PopulationSpec& spec = net.populations[p];
    d.populations[p] = DevicePopulation{spec.constants, spec.size, d.total_neurons, spec.v_init};
    d.total_neurons += spec.size;
  }
  d.learning_layer = net.learning_layer;
  d.n_neurons = net.n_neurons();
  d.crossbar_inhibitory = net.crossbar_target == Channel::kInhibitory ? 1 : 0;
  d.n_projections = static_cast<uint32_t>(net.fixed_projections.size());
  for (uint32_t q = 0; q < d.n_projections; ++q) {
    const FixedProjectionSpec& f = net.fixed_projections[q];
    d.projections[q] = DeviceProjection{f.kind == ProjectionKind::kAllButSelf ? 1 : 0, f.from, f.to,
                                        f.target == Channel::kInhibitory ? 1 : 0, f.weight};
  }
  d.wta_population = net.wta_population;
  d.wta_drop = net.wta.weight;
  d.wta_hold_steps = net.wta.hold_steps;
  d.plastic = net.plastic ? 1 : 0;
  d.window_rule = net.rule == LearningRule::kWindowStdp ? 1 : 0;
  d.stdp = net.stdp;
  d.window = net.window;
  d.w_min = net.w_min;
  d.w_max = net.w_max;
  d.dt_s = net.dt_s;
  return d;
}

// The layer's circuit as the simulate kernel solves it every step (exact IR drop).
ExactCircuit exact_circuit(const IrDropSettings& ir) {
  const CrossbarCircuit& c = ir.circuit;
  validate_sizes_and_wires(c);
  const ConductanceRange& range = ir.range;
  if (!(range.g_min >= 0.0) || !(range.g_max > range.g_min) || !std::isfinite(range.g_max)) {
    throw BackendError("crossbar: conductance range g_min = " + std::to_string(range.g_min) +
                       " S, g_max = " + std::to_string(range.g_max) + " S must satisfy 0 <= g_min < g_max (finite)");
  }
  const TilePlan plan = plan_tiles(c, ir.solve);
  ExactCircuit e;
  e.rows = c.rows;
  e.cols = c.cols;
  e.tile_rows = plan.tile_rows;
  e.tile_cols = plan.tile_cols;
  e.row_wires = line_wires(c.r_row, c.r_source);  // tile_circuit keeps the resistances
  e.col_wires = line_wires(c.r_col, c.r_sense);
  e.range = range;
  e.v_read = ir.v_read;
  e.tol = ir.solve.relax.tol;
  e.max_iterations = ir.solve.relax.max_iterations;
  e.omega = ir.solve.relax.damping;
  return e;
}

std::string select_device(int device) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    throw BackendError(std::string("no CUDA device: ") + cudaGetErrorString(err));
  }
  if (count == 0) throw BackendError("no CUDA device");
  if (device < 0 || device >= count) {
    throw BackendError("CUDA device " + std::to_string(device) + " does not exist (" + std::to_string(count) +
                       " found)");
  }
  CUDA_CHECK(cudaSetDevice(device));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return prop.name;
}

}  // namespace

CudaBackend::CudaBackend(const Network& net, const CudaBackendOptions& options)
    : m_net(net),
      m_options(options),
      m_device_name(select_device(options.device)),
      m_dnet(device_network(m_net)) {
  if (m_options.infer_batch == 0) throw BackendError("CUDA inference batch must hold at least one image");
  if (m_options.ensemble == 0) throw BackendError("a CUDA ensemble must have at least one member");
  if (!m_net.window_potentiation.empty()) {
    m_window_table = DeviceBuffer<float>(m_net.window_potentiation.size(), "the window STDP table");
    m_window_table.upload(m_net.window_potentiation.data(), m_net.window_potentiation.size(), m_stream.get());
    m_dnet.window_table = m_window_table.data();
  }
  if (m_net.device_path) {
    m_device = DeviceProgrammingUpload(m_net.device, m_stream.get());
    m_dnet.device = m_device.get();
  }
  const uint32_t members = m_options.ensemble;
  m_g = DeviceBuffer<float>(members * g_size(), "the crossbar conductances");
  if (m_net.learning_constants().adaptive) m_theta = DeviceBuffer<double>(members * static_cast<size_t>(m_net.n_neurons()), "the adaptive thresholds");
  m_member_list = DeviceBuffer<uint32_t>(members, "ensemble member lists");
  allocate(m_train, members);
  allocate(m_infer, m_options.infer_batch);
  // Member k starts as a single network with seed + k would.
  for (uint32_t k = 0; k < members; ++k) {
    const NetworkState initial = initial_state(m_net, m_net.config.seed + k);
    upload_member(k, initial);
  }
  m_labels.assign(members, std::vector<int32_t>(m_net.n_neurons(), -1));
  m_ir = ir_drop_settings(m_net.config, m_net.n_inputs, m_net.n_neurons(), 1);
  if (m_ir.mode != IrDropMode::kNone) {
    validate_relax_options(m_ir.solve.relax);
    m_w_eff = DeviceBuffer<float>(members * g_size(), "the effective weights (IR drop)");
    m_exact = m_ir.mode == IrDropMode::kExact || m_ir.refresh_every_step;
  }
  if (m_exact) {
    m_dnet.exact = exact_circuit(m_ir);
    m_train.exact_scratch = DeviceBuffer<double>(members * exact_scratch_doubles(m_dnet.exact),
                                                 "the exact IR-drop solver's node voltages and line factors");
    m_train.exact_stats = DeviceBuffer<ExactStats>(members, "the exact IR-drop solver's statistics");
    m_exact_stats.resize(members);
    m_bad_cell = DeviceBuffer<unsigned long long>(1, "the exact IR-drop cell check");
  }
  m_trained_images.assign(members, 0);
  m_w_eff_fresh.assign(members, 0);
  launch_reset(m_dnet, view(m_train, 0, 0), 0, members, m_stream.get());
  m_stream.synchronize();
}

void CudaBackend::upload_member(uint32_t k, const NetworkState& state) {
  CUDA_CHECK(cudaMemcpyAsync(m_g.data() + k * g_size(), state.g.data(), g_size() * sizeof(float),
                             cudaMemcpyHostToDevice, m_stream.get()));
  if (!m_theta.empty()) {
    CUDA_CHECK(cudaMemcpyAsync(m_theta.data() + static_cast<size_t>(k) * m_net.n_neurons(), state.theta.data(),
                               m_net.n_neurons() * sizeof(double), cudaMemcpyHostToDevice, m_stream.get()));
  }
  m_stream.synchronize();
}

// Member k's w' from its current weights (or g), on the device (CpuBackend: IrDropCrossbar).
void CudaBackend::build_w_eff(uint32_t k, const float* g) {
  const auto t0 = std::chrono::steady_clock::now();
  const RelaxStats s = cuda_effective_weights(m_ir.circuit, g ? g : m_g.data() + k * g_size(), m_ir.range,
                                              m_w_eff.data() + k * g_size(), m_ir.solve, m_stream.get());
  check_ir_drop_converged(s, m_ir.solve.relax, "W_eff");
  ++m_ir_stats.weff_builds;
  m_ir_stats.record(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                    std::min(m_ir.circuit.rows, m_ir.circuit.cols));
  m_w_eff_fresh[k] = g ? 0 : 1;
}

void CudaBackend::record_exact(Instances& x, const std::vector<WorkItem>& items) {
  x.exact_stats.download_async(m_exact_stats.data(), m_exact_stats.size(), m_stream.get());
  m_stream.synchronize();
  const ExactStats* failed = nullptr;
  for (const WorkItem& w : items) {
    const ExactStats& s = m_exact_stats[w.instance];
    m_ir_stats.exact_solves += s.solves;
    m_ir_stats.sweeps += s.sweeps;
    m_ir_stats.max_residual = s.max_residual > m_ir_stats.max_residual ? s.max_residual : m_ir_stats.max_residual;
    m_ir_stats.seconds += static_cast<double>(s.nanoseconds) * 1e-9;
    if (s.failed && !failed) failed = &s;
  }
  if (failed) {
    check_ir_drop_converged(RelaxStats{failed->failed_iterations, failed->failed_residual, false}, m_ir.solve.relax,
                            "exact step");
  }
}

void CudaBackend::check_exact_cells(uint32_t k) {
  const float* w = m_g.data() + k * g_size();
  const LayerCells cells{nullptr, w, m_ir.range, m_ir.circuit.rows, m_ir.circuit.cols};
  CUDA_CHECK(cudaMemsetAsync(m_bad_cell.data(), 0xff, sizeof(unsigned long long), m_stream.get()));
  launch_find_bad_cell(cells, m_bad_cell.data(), m_stream.get());
  unsigned long long bad = 0;
  m_bad_cell.download(&bad, 1, m_stream.get());
  if (bad == ~0ull) return;
  float value = 0.0f;
  CUDA_CHECK(cudaMemcpyAsync(&value, w + bad, sizeof(float), cudaMemcpyDeviceToHost, m_stream.get()));
  m_stream.synchronize();
  check_conductance(m_ir.circuit, bad, m_ir.range.to_conductance(value));  // throws: the kernel's test is the same
}

void CudaBackend::allocate(Instances& x, uint32_t count) {
  const size_t neurons = static_cast<size_t>(count) * m_dnet.total_neurons;
  const size_t inputs = static_cast<size_t>(count) * m_dnet.n_inputs;
  const size_t layer = static_cast<size_t>(count) * m_dnet.n_neurons;
  x.count = count;
  x.v = DeviceBuffer<float>(neurons, "membrane potentials");
  x.ge = DeviceBuffer<float>(neurons, "excitatory conductances");
  x.gi = DeviceBuffer<float>(neurons, "inhibitory conductances");
  x.since_spike = DeviceBuffer<int32_t>(neurons, "refractory counters");
  x.hold = DeviceBuffer<int32_t>(neurons, "winner-take-all holds");
  x.spike_list = DeviceBuffer<uint32_t>(neurons, "spike lists");
  x.pre = DeviceBuffer<float>(inputs, "pre-synaptic traces");
  x.last_pre = DeviceBuffer<uint64_t>(inputs, "input spike times");
  x.thresholds = DeviceBuffer<uint32_t>(inputs, "input thresholds");
  x.input_list = DeviceBuffer<uint32_t>(inputs, "input spike lists");
  x.pixels = DeviceBuffer<uint8_t>(inputs, "input images");
  x.post1 = DeviceBuffer<float>(layer, "post-synaptic traces");
  x.post2 = DeviceBuffer<float>(layer, "post-synaptic traces");
  x.counts = DeviceBuffer<uint32_t>(layer, "spike counts");
  x.clock = DeviceBuffer<uint64_t>(count, "clocks");
  x.totals = DeviceBuffer<unsigned long long>(2 * static_cast<size_t>(count), "spike totals");
  x.items = DeviceBuffer<WorkItem>(count, "work items");
  x.device_clock = DeviceBuffer<uint64_t>(count, "device clocks");
  x.device_clock.fill_zero(m_stream.get());
  x.tally = DeviceBuffer<DeviceTally>(count, "device pulse tallies");
  x.tally.fill_zero(m_stream.get());
  launch_reset(m_dnet, view(x, 0, 0), 0, count, m_stream.get());
  m_stream.synchronize();
}

DeviceState CudaBackend::view(Instances& x, size_t g_stride, size_t theta_stride, uint32_t member) {
  DeviceState s;
  s.v = x.v.data();
  s.ge = x.ge.data();
  s.gi = x.gi.data();
  s.since_spike = x.since_spike.data();
  s.hold = x.hold.data();
  s.pre = x.pre.data();
  s.last_pre = x.last_pre.data();
  s.post1 = x.post1.data();
  s.post2 = x.post2.data();
  s.clock = x.clock.data();
  s.g = m_g.data() + member * g_size();
  s.g_stride = g_stride;
  s.read = m_w_eff.empty() ? nullptr : m_w_eff.data() + member * g_size();
  s.read_stride = g_stride;  // w' is laid out as g
  s.theta = m_theta.empty() ? nullptr : m_theta.data() + static_cast<size_t>(member) * m_net.n_neurons();
  s.theta_stride = theta_stride;
  s.thresholds = x.thresholds.data();
  s.input_list = x.input_list.data();
  s.spike_list = x.spike_list.data();
  s.counts = x.counts.data();
  s.totals = x.totals.data();
  if (!x.exact_scratch.empty()) {
    s.exact_scratch = x.exact_scratch.data();
    s.exact_stats = x.exact_stats.data();
  }
  s.device_clock = x.device_clock.data();
  s.tally = x.tally.data();
  return s;
}

void CudaBackend::run(Instances& x, const std::vector<WorkItem>& items, size_t g_stride, size_t theta_stride,
                      uint32_t member, float* g_read) {
  if (items.empty() || items.size() > x.count) throw BackendError("internal: work items do not fit the instances");
  CUDA_CHECK(cudaMemcpyAsync(x.items.data(), items.data(), items.size() * sizeof(WorkItem), cudaMemcpyHostToDevice,
                             m_stream.get()));
  if (!x.exact_stats.empty()) {
    CUDA_CHECK(cudaMemsetAsync(x.exact_stats.data(), 0, x.exact_stats.size() * sizeof(ExactStats), m_stream.get()));
  }
  DeviceState state = view(x, g_stride, theta_stride, member);
  if (g_read) state.g = g_read;  // inference does not write it (learn off)
  launch_simulate(m_dnet, state, x.items.data(), static_cast<uint32_t>(items.size()), m_stream.get());
  if (!x.exact_stats.empty()) record_exact(x, items);  // before the counts: a failure throws
  if (items.front().pixels == nullptr) {  // rests and resets: nothing to read back
    m_stream.synchronize();
    return;
  }
  m_counts.resize(x.counts.size());
  m_totals.resize(x.totals.size());
  x.counts.download_async(m_counts.data(), m_counts.size(), m_stream.get());
  x.totals.download_async(m_totals.data(), m_totals.size(), m_stream.get());
  m_stream.synchronize();
}

std::vector<DeviceTally> CudaBackend::take_tallies(Instances& x, uint32_t count) {
  std::vector<DeviceTally> t(x.tally.size());
  x.tally.download_async(t.data(), t.size(), m_stream.get());
  x.tally.fill_zero(m_stream.get());
  m_stream.synchronize();
  t.resize(count);
  return t;
}

// Adds instance k's presentation (from the last run) to `r`, as run_with_retries does;
// returns true when the image goes again.
bool CudaBackend::record_attempt(uint32_t k, uint32_t attempt, PresentationResult& r) const {
  const EncoderConfig& enc = m_net.config.encoder;
  const size_t n = m_net.n_neurons();
  const unsigned long long layer = m_totals[2 * static_cast<size_t>(k)];
  r.attempts = attempt + 1;
  r.layer_spikes += layer;
  r.input_spikes += m_totals[2 * static_cast<size_t>(k) + 1];
  std::copy(m_counts.begin() + static_cast<ptrdiff_t>(k * n), m_counts.begin() + static_cast<ptrdiff_t>((k + 1) * n),
            r.counts.begin());
  if (layer >= enc.min_spikes) return false;
  if (attempt >= enc.max_retries) {
    r.gave_up = true;
    return false;
  }
  return true;
}

void CudaBackend::set_state(const NetworkState& state) {
  check_state_fits(m_net, state);
  // Every member takes the state (loading a checkpoint into an ensemble).
  for (uint32_t k = 0; k < m_train.count; ++k) upload_member(k, state);
  std::vector<int32_t> labels = state.labels;
  if (labels.size() != state.n_neurons) labels.assign(state.n_neurons, -1);
  m_labels.assign(m_train.count, labels);
  m_trained_images.assign(m_train.count, 0);
  m_w_eff_fresh.assign(m_train.count, 0);
  launch_reset(m_dnet, view(m_train, 0, 0), 0, m_train.count, m_stream.get());
  m_stream.synchronize();
}

NetworkState CudaBackend::state() const { return member_state(m_selected); }

void CudaBackend::select_member(uint32_t k) {
  check_member(*this, k);
  m_selected = k;
}

NetworkState CudaBackend::member_state(uint32_t k) const {
  check_member(*this, k);
  NetworkState s;
  s.n_inputs = m_net.n_inputs;
  s.n_neurons = m_net.n_neurons();
  s.g.resize(g_size());
  CUDA_CHECK(cudaMemcpyAsync(s.g.data(), m_g.data() + k * g_size(), g_size() * sizeof(float), cudaMemcpyDeviceToHost,
                             m_stream.get()));
  if (!m_theta.empty()) {
    s.theta.resize(s.n_neurons);
    CUDA_CHECK(cudaMemcpyAsync(s.theta.data(), m_theta.data() + static_cast<size_t>(k) * s.n_neurons,
                               s.n_neurons * sizeof(double), cudaMemcpyDeviceToHost, m_stream.get()));
  }
  m_stream.synchronize();
  s.labels = m_labels[k];
  return s;
}

void CudaBackend::set_labels(std::span<const int32_t> labels) {
  if (labels.size() != m_net.n_neurons()) {
    throw BackendError("labels for " + std::to_string(labels.size()) + " neurons given to a layer of " +
                       std::to_string(m_net.n_neurons()));
  }
  m_labels[m_selected].assign(labels.begin(), labels.end());
}

void CudaBackend::train(const PresentationRequest& request, PresentationResult& result) {
  std::vector<PresentationResult> results(m_train.count);
  train_ensemble(request, results);
  result = std::move(results[0]);
}

// Every member follows run_with_retries on its own: normalise, present, rest (or reset),
// and again with a raised rate while it fired fewer than min_spikes. Members that retry
// go round again together; the rest after an accepted attempt is the rest before the
// next image, so one rest launch serves both.
void CudaBackend::train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results) {
  const Network& net = m_net;
  const EncoderConfig& enc = net.config.encoder;
  const uint32_t members = m_train.count;
  if (results.size() != members) {
    throw BackendError("train_ensemble: " + std::to_string(results.size()) + " results for an ensemble of " +
                       std::to_string(members));
  }
  const bool learn = net.plastic;
  const double norm = net.config.learning.normalize_sum;
  const uint32_t n = net.n_neurons();
  CUDA_CHECK(cudaMemcpyAsync(m_train.pixels.data(), request.pixels, net.n_inputs, cudaMemcpyHostToDevice,
                             m_stream.get()));
  std::vector<uint32_t> pending(members);
  for (uint32_t k = 0; k < members; ++k) {
    pending[k] = k;
    results[k].counts.assign(n, 0u);
    results[k].attempts = 0;
    results[k].input_spikes = 0;
    results[k].layer_spikes = 0;
    results[k].gave_up = false;
    results[k].device = DeviceTally{};
  }
  for (uint32_t attempt = 0; !pending.empty(); ++attempt) {
    if (learn && norm > 0) {
      CUDA_CHECK(cudaMemcpyAsync(m_member_list.data(), pending.data(), pending.size() * sizeof(uint32_t),
                                 cudaMemcpyHostToDevice, m_stream.get()));
      launch_normalize_columns(m_g.data(), net.n_inputs, n, m_member_list.data(),
                               static_cast<uint32_t>(pending.size()), norm, net.w_max, m_stream.get());
      if (net.device_path) {  // each cell to the nearest state it can hold, as on the CPU
        launch_reprogram_cells(m_g.data(), net.n_inputs, n, m_member_list.data(),
                               static_cast<uint32_t>(pending.size()), m_device.get(), net.config.seed,
                               m_stream.get());
      }
    }
    if (m_exact && attempt == 0) {
      for (const uint32_t k : pending) check_exact_cells(k);
    }
    if (!m_w_eff.empty()) {  // the CPU backend's refresh policy (exact: solved every step instead)
      for (const uint32_t k : pending) {
        if (!m_exact && weff_refresh_due(m_ir, m_trained_images[k], attempt)) build_w_eff(k);
        if (learn) m_w_eff_fresh[k] = 0;
      }
    }
    std::vector<WorkItem> items;
    for (const uint32_t k : pending) {
      WorkItem w;
      w.instance = k;
      w.pixels = m_train.pixels.data();
      w.steps = request.phase == Phase::kTrain ? net.presentation_steps : net.test_presentation_steps;
      w.max_rate_hz = enc.max_rate_hz + attempt * enc.retry_rate_step_hz;
      w.seed = net.config.seed + k;
      w.stream = input_stream(static_cast<uint32_t>(request.phase), attempt);
      w.sample = request.sample;
      w.learn = learn ? 1 : 0;
      items.push_back(w);
    }
    run(m_train, items, g_size(), n);
    std::vector<uint32_t> again;
    for (const uint32_t k : pending) {
      if (record_attempt(k, attempt, results[k])) again.push_back(k);
    }
    between_train(pending, learn);
    pending.swap(again);
  }
  for (uint32_t k = 0; k < members; ++k) ++m_trained_images[k];
  // Pulses and energy of the presentations and rests (CpuSimulation::take_device_tally).
  if (net.device_path) {
    const std::vector<DeviceTally> t = take_tallies(m_train, members);
    for (uint32_t k = 0; k < members; ++k) results[k].device = t[k];
  }
}

float* CudaBackend::drifted_weights_for_inference() {
  const DeviceNonIdealities& nonideal = m_net.device.nonideal;
  if (!drift_applies(nonideal)) return nullptr;
  const std::vector<float> drifted = drifted_weights(member_state(m_selected).g, m_net.conductance, nonideal);
  if (m_drifted.empty()) m_drifted = DeviceBuffer<float>(g_size(), "the drifted conductances");
  m_drifted.upload(drifted.data(), drifted.size(), m_stream.get());
  return m_drifted.data();
}

// CpuBackend::between for training members: rest (learning on if `learn`) or reset.
void CudaBackend::between_train(const std::vector<uint32_t>& members, bool learn) {
  const bool rest = m_net.config.protocol.between == "rest";
  if (rest && m_net.rest_steps == 0) return;
  std::vector<WorkItem> items;
  for (const uint32_t k : members) {
    WorkItem r;
    r.instance = k;
    r.reset_first = rest ? 0 : 1;
    r.rest_steps = rest ? m_net.rest_steps : 0;
    r.seed = m_net.config.seed + k;  // the member's devices: writes while resting draw with it
    r.learn = learn ? 1 : 0;
    items.push_back(r);
  }
  run(m_train, items, g_size(), m_net.n_neurons());
}

void CudaBackend::infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) {
  if (requests.size() != results.size()) throw BackendError("infer: requests and results differ in size");
  const Network& net = m_net;
  const EncoderConfig& enc = net.config.encoder;
  const bool rest = net.config.protocol.between == "rest";
  const uint32_t n = net.n_neurons();
  // Drift: the devices are read drift_time_s after programming, a drifted copy computed on
  // the host as the CPU's (the stored weights stay). Frozen weights read W_eff built once
  // from them, of the drifted weights when they drift (as on the CPU).
  float* drifted = drifted_weights_for_inference();
  if (!m_w_eff.empty() && (!m_w_eff_fresh[m_selected] || drifted)) build_w_eff(m_selected, drifted);
  std::vector<uint8_t> pixels(static_cast<size_t>(m_infer.count) * net.n_inputs);
  for (size_t first = 0; first < requests.size(); first += m_infer.count) {
    const uint32_t batch = static_cast<uint32_t>(std::min<size_t>(m_infer.count, requests.size() - first));
    for (uint32_t k = 0; k < batch; ++k) {
      std::copy(requests[first + k].pixels, requests[first + k].pixels + net.n_inputs,
                pixels.begin() + static_cast<size_t>(k) * net.n_inputs);
      PresentationResult& r = results[first + k];
      r.counts.assign(n, 0u);
      r.attempts = 0;
      r.input_spikes = 0;
      r.layer_spikes = 0;
      r.gave_up = false;
      r.device = DeviceTally{};
    }
    m_infer.pixels.upload_async(pixels.data(), pixels.size(), m_stream.get());
    // Every image starts from rest; those below min_spikes go again with a raised rate,
    // after a rest (or reset), as run_with_retries does on the CPU.
    std::vector<uint32_t> pending(batch);
    for (uint32_t k = 0; k < batch; ++k) pending[k] = k;
    for (uint32_t attempt = 0; !pending.empty(); ++attempt) {
      std::vector<WorkItem> items;
      for (const uint32_t k : pending) {
        const PresentationRequest& req = requests[first + k];
        WorkItem w;
        w.instance = k;
        w.reset_first = attempt == 0 || !rest ? 1 : 0;
        w.rest_steps = attempt > 0 && rest ? net.rest_steps : 0;
        w.pixels = m_infer.pixels.data() + static_cast<size_t>(k) * net.n_inputs;
        w.steps = req.phase == Phase::kTrain ? net.presentation_steps : net.test_presentation_steps;
        w.max_rate_hz = enc.max_rate_hz + attempt * enc.retry_rate_step_hz;
        w.seed = net.config.seed + m_selected;  // the selected member's input spikes
        w.stream = input_stream(static_cast<uint32_t>(req.phase), attempt);
        w.sample = req.sample;
        w.learn = 0;
        items.push_back(w);
      }
      run(m_infer, items, 0, 0, m_selected, drifted);
      std::vector<uint32_t> again;
      for (const uint32_t k : pending) {
        if (record_attempt(k, attempt, results[first + k])) again.push_back(k);
      }
      pending.swap(again);
    }
    if (net.device_path) {  // the reads' energy of every attempt of each image
      const std::vector<DeviceTally> t = take_tallies(m_infer, batch);
      for (uint32_t k = 0; k < batch; ++k) results[first + k].device = t[k];
    }
  }
}

}  // namespace memsnn
