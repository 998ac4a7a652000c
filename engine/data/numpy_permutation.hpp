// numpy's legacy `numpy.random.RandomState(seed).permutation(n)`, bit for bit, so that memsnn
// can train on the data order other simulators use (BindsNET's MNIST examples, the snnTorch
// anchors of docs/supervised.md: classes 0-9 concatenated, then RandomState(0).permutation).
//
// As numpy 1.24 computes it (numpy/random/_mt19937.pyx, mtrand.pyx, distributions.c):
//   MT19937 seeded by init_genrand(seed) (Matsumoto & Nishimura 1998; an integer seed takes
//   this path, not init_by_array); permutation = arange(n) shuffled from the back:
//   for i = n-1 down to 1: j = random_interval(i); swap(a[i], a[j]), where random_interval(m)
//   draws 32-bit outputs masked to the smallest all-ones mask >= m until one is <= m.
#pragma once

#include <cstdint>
#include <vector>

namespace memsnn {

std::vector<uint32_t> numpy_legacy_permutation(uint32_t n, uint32_t seed);

}  // namespace memsnn
