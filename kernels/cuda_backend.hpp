// The CUDA backend: a peer of CpuBackend behind the Backend interface, with the same
// results (tests/test_cuda_parity.cpp). Training is exact: one network instance learns
// image after image, each presentation one kernel launch that runs the whole time loop.
// An ensemble trains E such networks at once (member k with seed + k, its own conductances
// and thresholds), one instance each. Inference runs a batch of frozen images at once, one
// instance (thread block) each, sharing the selected member's conductances and thresholds.
// Through devices (net.device_path) every write and read goes through the device model as
// on the CPU, with each instance's device clock and pulse tally; inference reads a drifted
// copy of the weights when drift applies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/gpu_buffer.hpp"
#include "kernels/device_programming_upload.hpp"
#include "kernels/gpu_instances.hpp"
#include "kernels/simulate_launch.hpp"

namespace memsnn {

struct CudaBackendOptions {
  int gpu = 0;                  // CUDA device ordinal
  uint32_t infer_batch = 1024;  // images simulated at once by infer()
  uint32_t ensemble = 1;        // networks trained at once (train_ensemble)
};

class CudaBackend : public Backend {
 public:
  // Throws BackendError with one line when no GPU answers or memory runs out.
  CudaBackend(const Network& net, const CudaBackendOptions& options);

  std::string name() const override { return "cuda"; }
  std::string hardware_name() const override { return m_gpu_name; }
  const Network& network() const override { return m_net; }
  void set_state(const NetworkState& state) override;
  NetworkState state() const override;
  void set_labels(std::span<const int32_t> labels) override;
  std::vector<int32_t> labels() const override { return m_labels[m_selected]; }
  void train(const PresentationRequest& request, PresentationResult& result) override;
  void infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) override;
  uint32_t ensemble_size() const override { return m_train.count(); }
  void train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results) override;
  NetworkState member_state(uint32_t k) const override;
  void select_member(uint32_t k) override;
  uint32_t selected_member() const override { return m_selected; }
  IrDropStats ir_drop_stats() const override { return m_ir_stats; }

 private:
  // The instances' arrays with g, read and theta: instance k reads member
  // (member + k * stride)'s, strides in elements.
  InstanceArrays view(const GpuInstances& x, size_t g_stride, size_t theta_stride, uint32_t member = 0) const;
  // Runs items (host) on x; when they present images (all or none do), downloads the
  // counts and totals of every instance.
  // g_read: the weights to read instead of the member's (frozen inference of drifted ones).
  void run(GpuInstances& x, const std::vector<WorkItem>& items, size_t g_stride, size_t theta_stride,
           uint32_t member = 0, float* g_read = nullptr);
  // The first `count` instances' pulses and energy since the last take (every tally is
  // cleared), each summed as the host sums it (sum_tallies).
  std::vector<DeviceTally> take_tallies(GpuInstances& x, uint32_t count);
  // The selected member's weights drifted (device_drift.hpp) into m_drifted; nullptr when
  // drift does not apply.
  float* drifted_weights_for_inference();
  // Rest (or reset) the training members in `members`, learning if `learn`.
  void between_train(const std::vector<uint32_t>& members, bool learn);
  void upload_member(uint32_t k, const NetworkState& state);
  // From member k's weights, or from `g` (drifted weights: then not fresh for training).
  void build_w_eff(uint32_t k, const float* g = nullptr);
  // Adds the exact solves of the last run's instances to m_ir_stats; BackendError (the
  // CPU's words) when one did not converge.
  void record_exact(GpuInstances& x, const std::vector<WorkItem>& items);
  // Member k's weights as conductances, checked as the CPU's solver checks G (the kernel
  // cannot throw; learning then keeps every weight in [w_min, w_max]).
  void check_exact_cells(uint32_t k);
  bool record_instance_attempt(uint32_t k, uint32_t attempt, PresentationResult& r) const;
  size_t g_size() const { return static_cast<size_t>(m_net.n_inputs) * m_net.n_neurons(); }

  Network m_net;
  CudaBackendOptions m_options;
  std::string m_gpu_name;
  CudaStream m_stream;
  StepNetwork m_step;                  // GPU pointers (window table, devices)
  GpuBuffer<float> m_window_table;
  GpuBuffer<float> m_g;             // conductances, one copy per ensemble member
  GpuBuffer<double> m_theta;        // thresholds, one copy per member (empty if none)
  GpuBuffer<uint32_t> m_member_list;  // members to normalise
  DeviceProgrammingUpload m_device;    // through devices only (m_dnet.device points in)
  GpuBuffer<float> m_drifted;       // drifted copy read by inference (drift only)
  std::vector<std::vector<int32_t>> m_labels;  // per member
  uint32_t m_selected = 0;             // the member state(), labels() and infer() use
  GpuInstances m_train;                // one instance per ensemble member
  GpuInstances m_infer;                // infer_batch instances
  // IR drop (crossbar/ir_drop.hpp): w' per member, rebuilt on the GPU by
  // cuda_effective_weights as the CPU backend rebuilds it; with `exact` (ir_drop "exact" or
  // weff_refresh "step") training solves the circuit every step inside the simulate
  // kernel instead (block_relaxation.hpp), and w' serves frozen inference only.
  IrDropSettings m_ir;
  bool m_exact = false;
  GpuBuffer<float> m_w_eff;         // one copy per member (empty without IR drop)
  std::vector<ExactStats> m_exact_stats;  // host copy of m_train's exact statistics
  GpuBuffer<unsigned long long> m_bad_cell;  // check_exact_cells' answer
  std::vector<uint64_t> m_trained_images;  // per member, for weff_refresh "images"
  std::vector<uint8_t> m_w_eff_fresh;  // per member: built from the current weights
  IrDropStats m_ir_stats;
  std::vector<uint32_t> m_counts;      // host copies of the last run
  std::vector<SpikeTotals> m_totals;
};

}  // namespace memsnn
