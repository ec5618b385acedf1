#pragma once
// The one way to loop over sites (or links): OpenMP-parallel, and global sums that are
// bitwise independent of the thread count: fixed blocks summed in order, in long double.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "fpgauge/lattice/Geometry.h"

namespace fpgauge {

template <class F>
void parallel_for(SiteIndex n, F&& body) {
#pragma omp parallel for schedule(static)
  for (SiteIndex i = 0; i < n; ++i) body(i);
}

inline constexpr SiteIndex kSumBlock = 256;

// Σ_i term(i) for i < n; term returns a double.
template <class F>
long double parallel_sum(SiteIndex n, F&& term) {
  const SiteIndex blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<long double> partial(blocks);
#pragma omp parallel for schedule(static)
  for (SiteIndex b = 0; b < blocks; ++b) {
    long double s = 0;
    const SiteIndex end = (b + 1) * kSumBlock < n ? (b + 1) * kSumBlock : n;
    for (SiteIndex i = b * kSumBlock; i < end; ++i) s += term(i);
    partial[b] = s;
  }
  long double total = 0;
  for (long double p : partial) total += p;
  return total;
}

// max_i term(i) for i < n (0 for n = 0); term returns a double. The maximum does not depend on
// the order, so it is bitwise independent of the thread count.
template <class F>
double parallel_max(SiteIndex n, F&& term) {
  double worst = 0.0;
#pragma omp parallel for schedule(static) reduction(max : worst)
  for (SiteIndex i = 0; i < n; ++i) worst = std::max(worst, term(i));
  return worst;
}

}  // namespace fpgauge
