#pragma once
// The lattice seen kSimdLanes sites at a time, for kernels whose scalar type is SimdDouble.
//
// Layout ("virtual nodes", as in Grid): the lattice is cut into n = n_0 n_1 n_2 n_3 equal
// blocks (n_μ blocks along μ, n ≤ kSimdLanes), and lane k of a pack belongs to block
// b(k) = (k mod n) in mixed radix (n_0, …, n_3), μ = 0 fastest. A lane site v (an index into
// one block, same order as Geometry's sites) stands for the n sites with local coordinates v,
// one in each block. A step from v moves every lane the same way, so neighbours of a pack are a
// pack: when the step leaves the block, each lane continues in the next block along μ, which
// is a fixed permutation of the lanes. A Position is therefore (lane site, block offset o): lane
// k is the site with local coordinates of the lane site in block b(k) + b(o) (digit-wise mod
// n_μ). Lanes k ≥ n repeat lanes k − n, so every geometry works; the lanes hold distinct sites
// when the extents have enough factors of 2 (8 lanes: e.g. three even extents).
//
// LaneGaugeField is a structure-of-arrays copy of a GaugeField in this layout; it implements
// the link view of GaugeLoops.h (forward, backward, link).
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "fpgauge/core/Matrix3.h"
#include "fpgauge/core/Simd.h"
#include "fpgauge/lattice/FieldStorage.h"
#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

struct LanePosition {
  SiteIndex lane_site;
  int offset;  // block offset o, 0 ≤ o < n
};

class LaneLayout {
 public:
  explicit LaneLayout(const Geometry& geometry) : extents_(geometry.extents()) {
    // Halve the direction with the longest even local extent (the slowest one on ties), as long
    // as lanes remain: blocks stay as cubic as possible.
    for (int lanes = 1; 2 * lanes <= kSimdLanes; lanes *= 2) {
      int best = -1;
      for (int mu = kDimensions - 1; mu >= 0; --mu) {
        const int local = geometry.extent(mu) / blocks_[mu];
        if (local % 2 == 0 && (best < 0 || local > geometry.extent(best) / blocks_[best]))
          best = mu;
      }
      if (best < 0) break;
      blocks_[best] *= 2;
    }
    block_count_ = 1;
    lane_sites_ = 1;
    for (int mu = 0; mu < kDimensions; ++mu) {
      local_[mu] = geometry.extent(mu) / blocks_[mu];
      block_count_ *= blocks_[mu];
      lane_sites_ *= local_[mu];
    }
    // Neighbour lane sites and which steps leave the block.
    neighbours_.resize(2 * kDimensions * lane_sites_);
    sites_.resize(kSimdLanes * lane_sites_);
    leaves_block_.resize(lane_sites_);
    for (SiteIndex v = 0; v < lane_sites_; ++v) {
      const Coordinates x = local_coordinates(v);
      std::uint8_t leaves = 0;
      for (int mu = 0; mu < kDimensions; ++mu) {
        Coordinates up = x, down = x;
        up[mu] = (x[mu] + 1) % local_[mu];
        down[mu] = (x[mu] + local_[mu] - 1) % local_[mu];
        neighbours_[2 * kDimensions * v + mu] = local_index(up);
        neighbours_[2 * kDimensions * v + kDimensions + mu] = local_index(down);
        if (x[mu] == local_[mu] - 1) leaves |= std::uint8_t(1u << mu);
        if (x[mu] == 0) leaves |= std::uint8_t(1u << (kDimensions + mu));
      }
      leaves_block_[v] = leaves;
      for (int lane = 0; lane < kSimdLanes; ++lane) {
        const Coordinates b = block_digits(lane % block_count_);
        Coordinates global{};
        for (int mu = 0; mu < kDimensions; ++mu) global[mu] = b[mu] * local_[mu] + x[mu];
        sites_[kSimdLanes * v + lane] = geometry.site(global);
      }
    }
    // Traversal order: tiles of kTile × kTile lane sites in the (0, 1) plane, each swept over its
    // full extent in directions 2 and 3, so that the links a stencil reads stay in L2.
    traversal_.reserve(lane_sites_);
    for (int t1 = 0; t1 < local_[1]; t1 += kTile)
      for (int t0 = 0; t0 < local_[0]; t0 += kTile)
        for (int x3 = 0; x3 < local_[3]; ++x3)
          for (int x2 = 0; x2 < local_[2]; ++x2)
            for (int x1 = t1; x1 < std::min(t1 + kTile, local_[1]); ++x1)
              for (int x0 = t0; x0 < std::min(t0 + kTile, local_[0]); ++x0)
                traversal_.push_back(local_index({x0, x1, x2, x3}));
    // Block offsets after a step out of the block, and the lane permutation of every offset.
    for (int o = 0; o < block_count_; ++o) {
      const Coordinates b = block_digits(o);
      for (int mu = 0; mu < kDimensions; ++mu) {
        Coordinates up = b, down = b;
        up[mu] = (b[mu] + 1) % blocks_[mu];
        down[mu] = (b[mu] + blocks_[mu] - 1) % blocks_[mu];
        offset_after_[o][mu] = block_index(up);
        offset_after_[o][kDimensions + mu] = block_index(down);
      }
      for (int k = 0; k < kSimdLanes; ++k) {
        const int own = k % block_count_;
        const Coordinates bk = block_digits(own);
        Coordinates sum{};
        for (int mu = 0; mu < kDimensions; ++mu) sum[mu] = (bk[mu] + b[mu]) % blocks_[mu];
        permutations_[o][k] = block_index(sum) + (k - own);
      }
    }
  }

  // Whether the layout was made for a lattice of these extents.
  bool fits(const Geometry& geometry) const { return geometry.extents() == extents_; }
  // Number of lane sites (packs per field component): volume / blocks.
  SiteIndex lane_sites() const { return lane_sites_; }
  // Number of blocks n: lanes 0..n−1 hold distinct sites.
  int blocks() const { return block_count_; }
  int blocks(int mu) const { return blocks_[mu]; }
  int local_extent(int mu) const { return local_[mu]; }

  // The i-th lane site in cache-friendly traversal order.
  SiteIndex traversal(SiteIndex i) const { return traversal_[i]; }
  // The lattice site of lane k at lane site v.
  SiteIndex site(SiteIndex v, int lane) const { return sites_[kSimdLanes * v + lane]; }

  LanePosition forward(LanePosition p, int mu) const {
    const bool leaves = (leaves_block_[p.lane_site] >> mu) & 1u;
    return {neighbours_[2 * kDimensions * p.lane_site + mu],
            leaves ? offset_after_[p.offset][mu] : p.offset};
  }
  LanePosition backward(LanePosition p, int mu) const {
    const bool leaves = (leaves_block_[p.lane_site] >> (kDimensions + mu)) & 1u;
    return {neighbours_[2 * kDimensions * p.lane_site + kDimensions + mu],
            leaves ? offset_after_[p.offset][kDimensions + mu] : p.offset};
  }
  const SimdDouble::IndexVector& permutation(int offset) const { return permutations_[offset]; }

 private:
  Coordinates local_coordinates(SiteIndex v) const {
    Coordinates x{};
    for (int mu = 0; mu < kDimensions; ++mu) {
      x[mu] = static_cast<int>(v % local_[mu]);
      v /= local_[mu];
    }
    return x;
  }
  SiteIndex local_index(const Coordinates& x) const {
    SiteIndex v = 0;
    for (int mu = kDimensions - 1; mu >= 0; --mu) v = v * local_[mu] + x[mu];
    return v;
  }
  Coordinates block_digits(int o) const {
    Coordinates b{};
    for (int mu = 0; mu < kDimensions; ++mu) {
      b[mu] = o % blocks_[mu];
      o /= blocks_[mu];
    }
    return b;
  }
  int block_index(const Coordinates& b) const {
    int o = 0;
    for (int mu = kDimensions - 1; mu >= 0; --mu) o = o * blocks_[mu] + b[mu];
    return o;
  }

  static constexpr int kTile = 4;
  Coordinates extents_;
  std::vector<SiteIndex> traversal_;
  Coordinates blocks_{1, 1, 1, 1};
  Coordinates local_{};
  int block_count_ = 1;
  SiteIndex lane_sites_ = 0;
  std::vector<SiteIndex> sites_;              // per lane site: the site of every lane
  std::vector<SiteIndex> neighbours_;         // per lane site: 4 forward, then 4 backward
  std::vector<std::uint8_t> leaves_block_;    // bit μ: forward step leaves; bit 4+μ: backward
  std::array<std::array<int, 2 * kDimensions>, kSimdLanes> offset_after_{};
  std::array<SimdDouble::IndexVector, kSimdLanes> permutations_{};
};

using LaneMatrix = Matrix3<SimdDouble>;

// A GaugeField copied into the lane layout (SoA: each of the 18 real components of a link is
// one pack of kSimdLanes doubles). The storage is allocated once; assign() repacks.
class LaneGaugeField {
 public:
  using Position = LanePosition;
  using Matrix = LaneMatrix;

  explicit LaneGaugeField(const LaneLayout& layout)
      : layout_(layout), links_(kDimensions * layout.lane_sites()) {}

  void assign(const GaugeField& u) {
    parallel_for(layout_.lane_sites(), [&](SiteIndex v) {
      const Matrix3d* lanes[kSimdLanes];
      for (int mu = 0; mu < kDimensions; ++mu) {
        for (int lane = 0; lane < kSimdLanes; ++lane) lanes[lane] = &u(layout_.site(v, lane), mu);
        pack(lanes, links_[kDimensions * v + mu]);
      }
    });
  }

  const LaneLayout& layout() const { return layout_; }
  Position position(SiteIndex lane_site) const { return {lane_site, 0}; }
  Position forward(Position p, int mu) const { return layout_.forward(p, mu); }
  Position backward(Position p, int mu) const { return layout_.backward(p, mu); }
  // U_μ at p: the stored pack, or its lanes permuted into `scratch` when p lies in other
  // blocks (the link view of GaugeLoops.h).
  const Matrix& link(Position p, int mu, Matrix& scratch) const {
    const Matrix& m = links_[kDimensions * p.lane_site + mu];
    if (p.offset == 0) return m;
    const SimdDouble::IndexVector& perm = layout_.permutation(p.offset);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        scratch.e[i][j] = {permute_lanes(m.e[i][j].re, perm), permute_lanes(m.e[i][j].im, perm)};
    return scratch;
  }

  // m = the pack whose lane k is *lanes[k], and back (the first `count` lanes only). The 18
  // doubles of a matrix are transposed in blocks of kSimdLanes components; the last block is
  // moved back to end at component 18 and overlaps the one before it.
  static void pack(const Matrix3d* const (&lanes)[kSimdLanes], Matrix& m) {
    static_assert(sizeof(Matrix3d) == 18 * sizeof(double) && kSimdLanes <= 18);
    SimdDouble rows[kSimdLanes];
    for (int block = 0; block < 18; block += kSimdLanes) {
      const int first = block + kSimdLanes <= 18 ? block : 18 - kSimdLanes;
      for (int k = 0; k < kSimdLanes; ++k)
        __builtin_memcpy(&rows[k].v, reinterpret_cast<const double*>(lanes[k]) + first,
                         sizeof(SimdDouble::Vector));
      transpose_lanes(rows);
      for (int c = block - first; c < kSimdLanes; ++c) component(m, first + c) = rows[c];
    }
  }
  static void unpack(const Matrix& m, Matrix3d* const (&lanes)[kSimdLanes], int count) {
    SimdDouble rows[kSimdLanes];
    for (int block = 0; block < 18; block += kSimdLanes) {
      const int first = block + kSimdLanes <= 18 ? block : 18 - kSimdLanes;
      for (int c = 0; c < kSimdLanes; ++c) rows[c] = component(m, first + c);
      transpose_lanes(rows);
      for (int k = 0; k < count; ++k)
        __builtin_memcpy(reinterpret_cast<double*>(lanes[k]) + first, &rows[k].v,
                         sizeof(SimdDouble::Vector));
    }
  }

 private:
  // Component c = 2 (3i + j) + (0 for Re, 1 for Im): the order of a Matrix3d in memory.
  static SimdDouble& component(Matrix& m, int c) {
    Complex<SimdDouble>& z = m.e[c / 6][(c / 2) % 3];
    return c % 2 ? z.im : z.re;
  }
  static const SimdDouble& component(const Matrix& m, int c) {
    return component(const_cast<Matrix&>(m), c);
  }

  const LaneLayout& layout_;
  FieldVector<Matrix> links_;  // [lane site][μ]
};

// Writes a pack of per-link values at lane site v, direction μ, into the lattice field.
inline void store_lanes(const LaneLayout& layout, SiteIndex v, int mu, const LaneMatrix& m,
                        LinkField<Matrix3d>& out) {
  Matrix3d* lanes[kSimdLanes];
  for (int lane = 0; lane < kSimdLanes; ++lane) lanes[lane] = &out(layout.site(v, lane), mu);
  LaneGaugeField::unpack(m, lanes, layout.blocks());
}

}  // namespace fpgauge
