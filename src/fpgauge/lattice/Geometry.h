#pragma once
// The 4D periodic lattice: extents (L_x, L_y, L_z, L_t), directions μ = 0..3 = x,y,z,t, site
// index x + L_x (y + L_y (z + L_z t)) (x fastest: ILDG/NERSC file order, SPEC §1), and the
// neighbour tables every kernel uses.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fpgauge {

using SiteIndex = std::int64_t;
using Coordinates = std::array<int, 4>;
inline constexpr int kDimensions = 4;

class Geometry {
 public:
  // Throws std::invalid_argument unless every extent is >= 2.
  explicit Geometry(const Coordinates& extents);
  static std::shared_ptr<const Geometry> make(const Coordinates& extents) {
    return std::make_shared<const Geometry>(extents);
  }

  const Coordinates& extents() const { return extents_; }
  int extent(int mu) const { return extents_[mu]; }
  SiteIndex volume() const { return volume_; }
  SiteIndex link_count() const { return kDimensions * volume_; }

  // Site of the coordinates, wrapped periodically.
  SiteIndex site(const Coordinates& x) const;
  Coordinates coordinates(SiteIndex s) const;
  SiteIndex forward(SiteIndex s, int mu) const { return neighbours_[2 * kDimensions * s + mu]; }
  SiteIndex backward(SiteIndex s, int mu) const {
    return neighbours_[2 * kDimensions * s + kDimensions + mu];
  }
  // Site s shifted by `steps` (any sign) along μ.
  SiteIndex shifted(SiteIndex s, int mu, int steps) const;
  // (x + y + z + t) mod 2.
  int parity(SiteIndex s) const;

  // "8x8x8x16" style description.
  std::string to_string() const;
  bool operator==(const Geometry& other) const { return extents_ == other.extents_; }

 private:
  Coordinates extents_;
  SiteIndex volume_;
  std::vector<SiteIndex> neighbours_;  // per site: 4 forward, then 4 backward
};

}  // namespace fpgauge
