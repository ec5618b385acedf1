#include "fpgauge/observables/Boundary.h"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "fpgauge/lattice/GaugeLoops.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

Boundary parse_boundary(std::string_view name) {
  if (name == "periodic") return Boundary::periodic;
  if (name == "open") return Boundary::open;
  throw std::invalid_argument(
      fmt::format("unknown boundary '{}': expected \"periodic\" or \"open\"", name));
}

std::string to_string(Boundary boundary) {
  return boundary == Boundary::open ? "open" : "periodic";
}

bool path_inside(const Geometry& g, SiteIndex start, std::span<const Step> steps) {
  Coordinates x = g.coordinates(start);
  for (const Step step : steps) {
    const int mu = std::abs(step) - 1;
    x[mu] += step > 0 ? 1 : -1;
    if (x[mu] < 0 || x[mu] >= g.extent(mu)) return false;
  }
  return true;
}

bool plaquette_inside(const Geometry& g, SiteIndex s, int mu, int nu) {
  const Coordinates x = g.coordinates(s);
  return x[mu] <= g.extent(mu) - 2 && x[nu] <= g.extent(nu) - 2;
}

bool clover_inside(const Geometry& g, SiteIndex s) {
  const Coordinates x = g.coordinates(s);
  for (int mu = 0; mu < kDimensions; ++mu)
    if (x[mu] < 1 || x[mu] > g.extent(mu) - 2) return false;
  return true;
}

double wilson_action_open(const GaugeField& u) {
  const Geometry& g = u.geometry();
  const long double sum = parallel_sum(g.volume(), [&](SiteIndex s) {
    double a = 0.0;
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = mu + 1; nu < kDimensions; ++nu)
        if (plaquette_inside(g, s, mu, nu)) a += 1.0 - re_trace(plaquette(u, s, mu, nu)) / 3.0;
    return a;
  });
  return static_cast<double>(sum);
}

}  // namespace fpgauge
