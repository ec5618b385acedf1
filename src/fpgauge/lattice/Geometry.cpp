#include "fpgauge/lattice/Geometry.h"

#include <fmt/format.h>

#include <stdexcept>

namespace fpgauge {

Geometry::Geometry(const Coordinates& extents) : extents_(extents), volume_(1) {
  for (int mu = 0; mu < kDimensions; ++mu) {
    if (extents[mu] < 2)
      throw std::invalid_argument(fmt::format(
          "lattice extent L[{}] = {} is impossible: every extent must be at least 2", mu,
          extents[mu]));
    volume_ *= extents[mu];
  }
  neighbours_.resize(2 * kDimensions * volume_);
  for (SiteIndex s = 0; s < volume_; ++s) {
    const Coordinates x = coordinates(s);
    for (int mu = 0; mu < kDimensions; ++mu) {
      Coordinates up = x, down = x;
      up[mu] += 1;
      down[mu] -= 1;
      neighbours_[2 * kDimensions * s + mu] = site(up);
      neighbours_[2 * kDimensions * s + kDimensions + mu] = site(down);
    }
  }
}

SiteIndex Geometry::site(const Coordinates& x) const {
  SiteIndex s = 0;
  for (int mu = kDimensions - 1; mu >= 0; --mu) {
    const int l = extents_[mu];
    const int wrapped = ((x[mu] % l) + l) % l;
    s = s * l + wrapped;
  }
  return s;
}

Coordinates Geometry::coordinates(SiteIndex s) const {
  Coordinates x{};
  for (int mu = 0; mu < kDimensions; ++mu) {
    x[mu] = static_cast<int>(s % extents_[mu]);
    s /= extents_[mu];
  }
  return x;
}

SiteIndex Geometry::shifted(SiteIndex s, int mu, int steps) const {
  Coordinates x = coordinates(s);
  x[mu] += steps;
  return site(x);
}

int Geometry::parity(SiteIndex s) const {
  const Coordinates x = coordinates(s);
  return (x[0] + x[1] + x[2] + x[3]) & 1;
}

std::string Geometry::to_string() const {
  return fmt::format("{}x{}x{}x{}", extents_[0], extents_[1], extents_[2], extents_[3]);
}

}  // namespace fpgauge
