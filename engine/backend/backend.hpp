// The backend interface: CPU and CUDA are peers behind it. A backend owns the network
// state (crossbar conductances, thresholds) and runs whole presentations; the scheduler
// decides what to present and when.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crossbar/ir_drop.hpp"
#include "device/device_programming.hpp"
#include "network/network.hpp"

namespace memsnn {

// Phases keep the random input spikes of training, labelling and testing apart.
enum class Phase : uint32_t { kTrain = 0, kTest = 1, kLabel = 2 };

struct PresentationRequest {
  const uint8_t* pixels = nullptr;  // n_inputs encoded pixel intensities (0..255)
  uint32_t sample = 0;              // ordinal within the phase: keys the input spikes
  Phase phase = Phase::kTrain;
};

struct PresentationResult {
  std::vector<uint32_t> counts;     // learning-layer spikes per neuron, accepted attempt
  uint32_t attempts = 0;            // presentations made (1 = no retry)
  uint64_t input_spikes = 0;        // all attempts
  uint64_t layer_spikes = 0;        // learning layer, all attempts
  bool gave_up = false;             // still below min_spikes after max_retries
  DeviceTally device;               // programming pulses and energy, all attempts and rest
};

// Throws BackendError when `state` does not fit `net` (sizes, thresholds).
void check_state_fits(const Network& net, const NetworkState& state);

class Backend;
// Throws BackendError when `backend` has no ensemble member k.
void check_member(const Backend& backend, uint32_t k);

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;         // "cpu" or "cuda"
  virtual std::string hardware_name() const = 0;  // e.g. the CPU model or GPU name
  virtual const Network& network() const = 0;

  virtual void set_state(const NetworkState& state) = 0;
  virtual NetworkState state() const = 0;
  // Labels are host-side bookkeeping kept with the state (checkpoints hold them).
  virtual void set_labels(std::span<const int32_t> labels) = 0;
  virtual std::vector<int32_t> labels() const = 0;

  // One training image, exactly: before each attempt normalise the crossbar columns,
  // present with learning on, then rest (or reset); retry with a raised rate while the
  // learning layer fires fewer than min_spikes. The network carries over to the next call.
  virtual void train(const PresentationRequest& request, PresentationResult& result) = 0;

  // Frozen weights and thresholds; each image starts from the resting state, so images
  // are independent and a backend may run them in parallel. Retries as in training.
  virtual void infer(std::span<const PresentationRequest> requests, std::span<PresentationResult> results) = 0;

  // Ensembles: ensemble_size() independent networks learn the same images, member k
  // exactly as a single network with seed + k would (its own initial weights, input
  // spikes and labels). train_ensemble trains every member on one image (one result
  // each); train() does the same and returns member 0's result; set_state() gives every
  // member the state. member_state(k) is member k's state with its labels.
  virtual uint32_t ensemble_size() const { return 1; }
  virtual void train_ensemble(const PresentationRequest& request, std::span<PresentationResult> results);
  virtual NetworkState member_state(uint32_t k) const;

  // The member that state(), labels(), set_labels() and infer() act on (0 until changed),
  // so the scheduler labels and tests each member with the calls a single network uses.
  // infer() on member k draws the input spikes of seed + k. BackendError if k is too big.
  virtual void select_member(uint32_t k);
  virtual uint32_t selected_member() const { return 0; }

  // Work of the IR-drop solvers so far, all members (zero without IR drop).
  virtual IrDropStats ir_drop_stats() const { return {}; }
};

}  // namespace memsnn
