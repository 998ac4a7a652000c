// CudaBackend: host side. Builds the kernels' view of the network once, keeps the
// conductances and thresholds on the GPU, and drives the retry protocol from the host
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
#include "model/poisson.hpp"

namespace memsnn {
namespace {

std::string select_gpu(int gpu) {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    throw BackendError(std::string("no CUDA device: ") + cudaGetErrorString(err));
  }
  if (count == 0) throw BackendError("no CUDA device");
  if (gpu < 0 || gpu >= count) {
    throw BackendError("CUDA device " + std::to_string(gpu) + " does not exist (" + std::to_string(count) +
                       " found)");
  }
  CUDA_CHECK(cudaSetDevice(gpu));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, gpu));
  return prop.name;
}

}  // namespace

CudaBackend::CudaBackend(const Network& net, const CudaBackendOptions& options)
    : m_net(net),
      m_options(options),
      m_gpu_name(select_gpu(options.gpu)),
      m_step(make_step_network(m_net)) {
  if (m_options.infer_batch == 0) throw BackendError("CUDA inference batch must hold at least one image");
  if (m_options.ensemble == 0) throw BackendError("a CUDA ensemble must have at least one member");
  if (!m_net.window_potentiation.empty()) {
    m_window_table = GpuBuffer<float>(m_net.window_potentiation.size(), "the window STDP table");
    m_window_table.upload(m_net.window_potentiation.data(), m_net.window_potentiation.size(), m_stream.get());
    m_step.window_table = m_window_table.data();
  }
  if (m_net.device_path) {
    m_device = DeviceProgrammingUpload(m_net.device, m_stream.get());
    m_step.device = m_device.get();
  }
  const uint32_t members = m_options.ensemble;
  m_g = GpuBuffer<float>(members * g_size(), "the crossbar conductances");
  if (m_net.learning_constants().adaptive) m_theta = GpuBuffer<double>(members * static_cast<size_t>(m_net.n_neurons()), "the adaptive thresholds");
  m_member_list = GpuBuffer<uint32_t>(members, "ensemble member lists");
  // Member k starts as a single network with seed + k would.
  for (uint32_t k = 0; k < members; ++k) {
    const NetworkState initial = initial_state(m_net, m_net.config.seed + k);
    upload_member(k, initial);
  }
  m_labels.assign(members, std::vector<int32_t>(m_net.n_neurons(), -1));
  m_ir = ir_drop_settings(m_net.config, m_net.n_inputs, m_net.n_neurons(), 1);
  if (m_ir.mode != IrDropMode::kNone) {
    validate_relax_options(m_ir.solve.relax);
    m_w_eff = GpuBuffer<float>(members * g_size(), "the effective weights (IR drop)");
    m_exact = m_ir.mode == IrDropMode::kExact || m_ir.refresh_every_step;
  }
  if (m_exact) {
    m_step.exact = make_exact_circuit(m_ir);
    m_exact_stats.resize(members);
    m_bad_cell = GpuBuffer<unsigned long long>(1, "the exact IR-drop cell check");
  }
  // Training instances solve the exact circuit every step; inference reads W_eff.
  m_train = GpuInstances(m_step, members, m_exact, m_stream.get());
  m_infer = GpuInstances(m_step, m_options.infer_batch, false, m_stream.get());
  launch_reset(m_step, view(m_train, 0, 0), 0, members, m_stream.get());
  launch_reset(m_step, view(m_infer, 0, 0), 0, m_infer.count(), m_stream.get());
  m_trained_images.assign(members, 0);
  m_w_eff_fresh.assign(members, 0);
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

// Member k's w' from its current weights (or g), on the GPU (CpuBackend: IrDropCrossbar).
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

void CudaBackend::record_exact(GpuInstances& x, const std::vector<WorkItem>& items) {
  CUDA_CHECK(cudaMemcpyAsync(m_exact_stats.data(), x.arrays().exact_stats, m_exact_stats.size() * sizeof(ExactStats),
                             cudaMemcpyDeviceToHost, m_stream.get()));
  m_stream.synchronize();
  for (const WorkItem& w : items) record_exact_stats(m_exact_stats[w.instance], m_ir.solve.relax, m_ir_stats);
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

InstanceArrays CudaBackend::view(const GpuInstances& x, size_t g_stride, size_t theta_stride, uint32_t member) const {
  InstanceArrays a = x.arrays();
  a.g = const_cast<float*>(m_g.data()) + member * g_size();
  a.g_stride = g_stride;
  a.read = m_w_eff.empty() ? nullptr : m_w_eff.data() + member * g_size();
  a.read_stride = g_stride;  // w' is laid out as g
  a.theta = m_theta.empty() ? nullptr : const_cast<double*>(m_theta.data()) + static_cast<size_t>(member) * m_net.n_neurons();
  a.theta_stride = theta_stride;
  return a;
}

void CudaBackend::run(GpuInstances& x, const std::vector<WorkItem>& items, size_t g_stride, size_t theta_stride,
                      uint32_t member, float* g_read) {
  if (items.empty() || items.size() > x.count()) throw BackendError("internal: work items do not fit the instances");
  CUDA_CHECK(cudaMemcpyAsync(x.items.data(), items.data(), items.size() * sizeof(WorkItem), cudaMemcpyHostToDevice,
                             m_stream.get()));
  InstanceArrays arrays = view(x, g_stride, theta_stride, member);
  if (x.exact()) {
    CUDA_CHECK(cudaMemsetAsync(arrays.exact_stats, 0, x.count() * sizeof(ExactStats), m_stream.get()));
  }
  if (g_read) arrays.g = g_read;  // inference does not write it (learn off)
  launch_simulate(m_step, arrays, x.items.data(), static_cast<uint32_t>(items.size()), m_stream.get());
  if (x.exact()) record_exact(x, items);  // before the counts: a failure throws
  if (items.front().pixels == nullptr) {  // rests and resets: nothing to read back
    m_stream.synchronize();
    return;
  }
  const size_t n = x.sizes().layer;
  m_counts.resize(x.count() * n);
  m_totals.resize(x.count());
  CUDA_CHECK(cudaMemcpyAsync(m_counts.data(), arrays.counts, m_counts.size() * sizeof(uint32_t),
                             cudaMemcpyDeviceToHost, m_stream.get()));
  CUDA_CHECK(cudaMemcpyAsync(m_totals.data(), arrays.totals, m_totals.size() * sizeof(SpikeTotals),
                             cudaMemcpyDeviceToHost, m_stream.get()));
  m_stream.synchronize();
}

std::vector<DeviceTally> CudaBackend::take_tallies(GpuInstances& x, uint32_t count) {
  const InstanceSizes& s = x.sizes();
  std::vector<DeviceTally> rows(static_cast<size_t>(count) * s.inputs), cols(static_cast<size_t>(count) * s.layer);
  const InstanceArrays& a = x.arrays();
  CUDA_CHECK(cudaMemcpyAsync(rows.data(), a.tally_rows, rows.size() * sizeof(DeviceTally), cudaMemcpyDeviceToHost,
                             m_stream.get()));
  CUDA_CHECK(cudaMemcpyAsync(cols.data(), a.tally_cols, cols.size() * sizeof(DeviceTally), cudaMemcpyDeviceToHost,
                             m_stream.get()));
  CUDA_CHECK(cudaMemsetAsync(a.tally_rows, 0, rows.size() * sizeof(DeviceTally), m_stream.get()));
  CUDA_CHECK(cudaMemsetAsync(a.tally_cols, 0, cols.size() * sizeof(DeviceTally), m_stream.get()));
  m_stream.synchronize();
  std::vector<DeviceTally> t(count);
  for (uint32_t k = 0; k < count; ++k) {
    t[k] = sum_tallies(rows.data() + k * s.inputs, s.inputs, cols.data() + k * s.layer, s.layer);
  }
  return t;
}

// Adds instance k's presentation (from the last run) to `r`, as run_with_retries does;
// returns true when the image goes again.
bool CudaBackend::record_instance_attempt(uint32_t k, uint32_t attempt, PresentationResult& r) const {
  const size_t n = m_net.n_neurons();
  return record_attempt(m_net.config.encoder, attempt, m_totals[k].layer, m_totals[k].inputs, m_counts.data() + k * n, r);
}

void CudaBackend::set_state(const NetworkState& state) {
  check_state_fits(m_net, state);
  // Every member takes the state (loading a checkpoint into an ensemble).
  for (uint32_t k = 0; k < m_train.count(); ++k) upload_member(k, state);
  std::vector<int32_t> labels = state.labels;
  if (labels.size() != state.n_neurons) labels.assign(state.n_neurons, -1);
  m_labels.assign(m_train.count(), labels);
  m_trained_images.assign(m_train.count(), 0);
  m_w_eff_fresh.assign(m_train.count(), 0);
  launch_reset(m_step, view(m_train, 0, 0), 0, m_train.count(), m_stream.get());
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
  std::vector<PresentationResult> results(m_train.count());
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
  const uint32_t members = m_train.count();
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
    begin_presentation(net, results[k]);
  }
  for (uint32_t attempt = 0; !pending.empty(); ++attempt) {
    if (learn && norm > 0) {
      CUDA_CHECK(cudaMemcpyAsync(m_member_list.data(), pending.data(), pending.size() * sizeof(uint32_t),
                                 cudaMemcpyHostToDevice, m_stream.get()));
      launch_normalize_columns(m_step, view(m_train, g_size(), n), m_member_list.data(),
                               static_cast<uint32_t>(pending.size()), norm, net.config.seed, m_stream.get());
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
      w.max_rate_hz = attempt_rate(enc, attempt);
      w.seed = net.config.seed + k;
      w.stream = input_stream(static_cast<uint32_t>(request.phase), attempt);
      w.sample = request.sample;
      w.learn = learn ? 1 : 0;
      items.push_back(w);
    }
    run(m_train, items, g_size(), n);
    std::vector<uint32_t> again;
    for (const uint32_t k : pending) {
      if (record_instance_attempt(k, attempt, results[k])) again.push_back(k);
    }
    between_train(pending, learn);
    pending.swap(again);
  }
  for (uint32_t k = 0; k < members; ++k) ++m_trained_images[k];
  // Pulses and energy of the presentations and rests, summed as on the host (sum_tallies).
  if (net.device_path) {
    const std::vector<DeviceTally> t = take_tallies(m_train, members);
    for (uint32_t k = 0; k < members; ++k) results[k].device = t[k];
  }
}

float* CudaBackend::drifted_weights_for_inference() {
  const DeviceNonIdealities& nonideal = m_net.device.nonideal;
  if (!drift_applies(nonideal)) return nullptr;
  const std::vector<float> drifted = drifted_weights(member_state(m_selected).g, m_net.conductance, nonideal);
  if (m_drifted.empty()) m_drifted = GpuBuffer<float>(g_size(), "the drifted conductances");
  m_drifted.upload(drifted.data(), drifted.size(), m_stream.get());
  return m_drifted.data();
}

// CpuBackend::between for training members: rest (learning on if `learn`) or reset.
void CudaBackend::between_train(const std::vector<uint32_t>& members, bool learn) {
  const bool rest = m_net.between == BetweenImages::kRest;
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
  const bool rest = net.between == BetweenImages::kRest;
  // Drift: the devices are read drift_time_s after programming, a drifted copy computed on
  // the host as the CPU's (the stored weights stay). Frozen weights read W_eff built once
  // from them, of the drifted weights when they drift (as on the CPU).
  float* drifted = drifted_weights_for_inference();
  if (!m_w_eff.empty() && (!m_w_eff_fresh[m_selected] || drifted)) build_w_eff(m_selected, drifted);
  std::vector<uint8_t> pixels(static_cast<size_t>(m_infer.count()) * net.n_inputs);
  for (size_t first = 0; first < requests.size(); first += m_infer.count()) {
    const uint32_t batch = static_cast<uint32_t>(std::min<size_t>(m_infer.count(), requests.size() - first));
    for (uint32_t k = 0; k < batch; ++k) {
      std::copy(requests[first + k].pixels, requests[first + k].pixels + net.n_inputs,
                pixels.begin() + static_cast<size_t>(k) * net.n_inputs);
      PresentationResult& r = results[first + k];
      begin_presentation(net, r);
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
        w.max_rate_hz = attempt_rate(enc, attempt);
        w.seed = net.config.seed + m_selected;  // the selected member's input spikes
        w.stream = input_stream(static_cast<uint32_t>(req.phase), attempt);
        w.sample = req.sample;
        w.learn = 0;
        items.push_back(w);
      }
      run(m_infer, items, 0, 0, m_selected, drifted);
      std::vector<uint32_t> again;
      for (const uint32_t k : pending) {
        if (record_instance_attempt(k, attempt, results[first + k])) again.push_back(k);
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
