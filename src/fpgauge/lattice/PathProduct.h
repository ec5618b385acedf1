#pragma once
// Ordered products of links along a lattice path. A path is a list of signed steps:
// +(μ+1) goes from y to y+μ̂ with U_μ(y), −(μ+1) goes from y to y−μ̂ with U_μ(y−μ̂)†.
#include <cstdlib>
#include <initializer_list>
#include <span>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

using Step = int;
constexpr Step forward_step(int mu) { return mu + 1; }
constexpr Step backward_step(int mu) { return -(mu + 1); }

// The product of the links along `steps` starting at `start`; *end receives the final site.
inline SU3 path_product(const GaugeField& u, SiteIndex start, std::span<const Step> steps,
                        SiteIndex* end = nullptr) {
  const Geometry& g = u.geometry();
  SU3 m = SU3::identity();
  SiteIndex y = start;
  bool first = true;
  for (const Step step : steps) {
    const int mu = std::abs(step) - 1;
    if (step > 0) {
      m = first ? u(y, mu) : m * u(y, mu);
      y = g.forward(y, mu);
    } else {
      y = g.backward(y, mu);
      m = first ? adj(u(y, mu)) : mul_adj(m, u(y, mu));
    }
    first = false;
  }
  if (end) *end = y;
  return m;
}

inline SU3 path_product(const GaugeField& u, SiteIndex start, std::initializer_list<Step> steps,
                        SiteIndex* end = nullptr) {
  return path_product(u, start, std::span<const Step>(steps.begin(), steps.size()), end);
}

}  // namespace fpgauge
