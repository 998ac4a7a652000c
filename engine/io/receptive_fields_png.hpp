// A picture of the learnt receptive fields: one tile per learning-layer neuron showing its
// input conductances on the input image grid, tiles in a near-square grid.
#pragma once

#include <string>

#include "network/network.hpp"

namespace memsnn {

// Each tile is scaled from 0 (black) to the largest weight of the whole layer (white);
// `scale` enlarges every pixel to scale x scale. Written atomically; DataError on failure.
void write_receptive_fields_png(const std::string& path, const NetworkState& state, uint32_t rows, uint32_t cols,
                                uint32_t scale = 2);

// An upper bound on that file's size for n_neurons tiles of rows x cols inputs (the pixels
// as stored without compression, plus the encoder's worst case and PNG framing): for
// checking free space before a run.
uint64_t receptive_fields_png_bound(uint32_t n_neurons, uint32_t rows, uint32_t cols, uint32_t scale = 2);

}  // namespace memsnn
