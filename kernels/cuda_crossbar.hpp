// The crossbar circuit solved on the GPU: crossbar_solve.hpp's crossbar_currents and
// effective_weights for the relaxation method, with the same arguments, tiling, results
// (bit for bit: crossbar_launch.hpp says why), statistics and errors. Right-hand sides are
// solved in batches sized to keep node memory near 1 GiB; any batching gives the same
// answer, since every right-hand side stops on its own residual, as on the CPU.
//
// Differences from the CPU: only CrossbarMethod::kRelax (kDirect is a BackendError),
// spec.threads is ignored, and non-finite input voltages (unchecked on both backends)
// need not give the same non-finite results. CUDA failures and out of memory (naming the
// bytes) are BackendErrors.
#pragma once

#include <span>

#include <cuda_runtime.h>

#include "crossbar/circuit.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/relaxation_solver.hpp"
#include "model/device.hpp"

namespace memsnn {

// v: count x M volts, currents: count x N amperes (host arrays), as crossbar_currents.
RelaxStats cuda_crossbar_currents(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                                  std::span<double> currents, const CrossbarSolveSpec& spec);

// W_eff [S], M x N row-major (host arrays), as effective_weights.
RelaxStats cuda_effective_weights(const CrossbarCircuit& c, std::span<const double> g, std::span<double> w_eff,
                                  const CrossbarSolveSpec& spec);

// W_eff without leaving the GPU, for a backend that keeps normalised weights there.
// weights and w_eff are GPU arrays of M x N floats, row-major [input][neuron]:
//   G_ij     = g_min + w_ij (g_max - g_min)           (in double: ConductanceRange::to_conductance)
//   w_eff_ij = (W_eff_ij - g_min) / (g_max - g_min)   (W_eff of that G; rounded once to float)
// the w' of crossbar/ir_drop.hpp, so an ideal crossbar gives w_eff = w up to rounding.
// Equal, bit for bit, to IrDropCrossbar::build_weff's mapping around effective_weights
// (the kernels call the same ConductanceRange functions). Work is ordered on `stream` and
// finished on return. Errors as effective_weights, plus a bad range (0 <= g_min < g_max,
// finite) or a null pointer; a weight whose G is negative or not finite is reported as
// G[i][j]. Not converging is not an error here (the stats say so), as for effective_weights.
RelaxStats cuda_effective_weights(const CrossbarCircuit& c, const float* weights, const ConductanceRange& range,
                                  float* w_eff, const CrossbarSolveSpec& spec, cudaStream_t stream = nullptr);

}  // namespace memsnn
