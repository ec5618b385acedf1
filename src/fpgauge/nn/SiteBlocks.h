#pragma once
// The unit of parallel work of the L-CNN kernels: at most kMaxSiteBlocks blocks of consecutive
// sites, at least kMinBlockSites each, fixed by the volume alone. Weight gradients are summed
// per block and then over the blocks in order, so they are bitwise independent of the thread
// count (SPEC §1); a block also owns the scratch space its sites reuse. A single block runs
// without starting threads (the unit-field reference on 2^4 sites, tiny test lattices).
#include <algorithm>
#include <span>
#include <vector>

#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge::nn {

inline constexpr SiteIndex kMaxSiteBlocks = 64;
inline constexpr SiteIndex kMinBlockSites = 16;

struct SiteBlocks {
  explicit SiteBlocks(SiteIndex volume)
      : volume(volume),
        size(std::max(kMinBlockSites, (volume + kMaxSiteBlocks - 1) / kMaxSiteBlocks)),
        count((volume + size - 1) / size) {}
  SiteIndex begin(SiteIndex b) const { return b * size; }
  SiteIndex end(SiteIndex b) const { return std::min(volume, (b + 1) * size); }

  SiteIndex volume, size, count;
};

// body(begin, end) for every block [begin, end) of sites, blocks in parallel.
template <class F>
void for_each_site_block(SiteIndex volume, F&& body) {
  const SiteBlocks blocks(volume);
  if (blocks.count == 1) return body(SiteIndex(0), volume);
  parallel_for(blocks.count, [&](SiteIndex b) { body(blocks.begin(b), blocks.end(b)); });
}

// body(s) for every site, blocks in parallel.
template <class F>
void for_each_site(SiteIndex volume, F&& body) {
  for_each_site_block(volume, [&](SiteIndex begin, SiteIndex end) {
    for (SiteIndex s = begin; s < end; ++s) body(s);
  });
}

// gradient += Σ over the blocks of what body(begin, end, partial) adds to `partial` (a zeroed
// vector of gradient's size) for the sites [begin, end).
template <class T, class F>
void accumulate_over_site_blocks(SiteIndex volume, std::span<T> gradient, F&& body) {
  const SiteBlocks blocks(volume);
  std::vector<std::vector<T>> partial(blocks.count);
  for_each_site_block(volume, [&](SiteIndex begin, SiteIndex end) {
    std::vector<T>& p = partial[begin / blocks.size];
    p.assign(gradient.size(), T(0));
    body(begin, end, std::span<T>(p));
  });
  for (const std::vector<T>& p : partial)
    for (std::size_t k = 0; k < gradient.size(); ++k) gradient[k] += p[k];
}

}  // namespace fpgauge::nn
