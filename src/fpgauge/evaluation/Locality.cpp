#include "fpgauge/evaluation/Locality.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"

namespace fpgauge::evaluation {
namespace {

// 4 r² between the midpoints of the links (n, ν) and (0, 0), minimum image on the periodic
// lattice (an integer: the midpoints have half-integer coordinates).
int four_r_squared(const Geometry& geometry, SiteIndex n, int nu) {
  const Coordinates x = geometry.coordinates(n);
  int sum = 0;
  for (int i = 0; i < kDimensions; ++i) {
    const int l = geometry.extent(i);
    int twice = (2 * x[i] + (i == nu ? 1 : 0) - (i == 0 ? 1 : 0)) % (2 * l);
    if (twice < 0) twice += 2 * l;
    if (twice > l) twice -= 2 * l;
    sum += twice * twice;
  }
  return sum;
}

}  // namespace

double distance_to_origin_link(const Geometry& geometry, SiteIndex n, int nu) {
  return 0.5 * std::sqrt(double(four_r_squared(geometry, n, nu)));
}

GaugeField rotated_at_origin(const GaugeField& u, double t) {
  GaugeField rotated = u;
  rotated(0, 0) = exp_i(t * generator<double>(0)) * u(0, 0);
  return rotated;
}

LocalityProfile locality_profile(const AlgebraField& plus, const AlgebraField& minus,
                                 double epsilon) {
  const Geometry& geometry = plus.geometry();
  std::map<int, double> envelope;  // 4r² → max response
  for (SiteIndex n = 0; n < geometry.volume(); ++n)
    for (int nu = 0; nu < kDimensions; ++nu) {
      const double response = std::sqrt(norm2(plus(n, nu) - minus(n, nu))) / (2 * epsilon);
      double& entry = envelope[four_r_squared(geometry, n, nu)];
      entry = std::max(entry, response);
    }
  int smallest_extent = geometry.extent(0);
  for (int i = 1; i < kDimensions; ++i) smallest_extent = std::min(smallest_extent, geometry.extent(i));
  double largest = 0.0;
  for (const auto& entry : envelope) largest = std::max(largest, entry.second);

  LocalityProfile result;
  double sr = 0, sy = 0, srr = 0, sry = 0;
  for (const auto& [four_r2, response] : envelope) {
    const double r = 0.5 * std::sqrt(double(four_r2));
    result.profile.push_back({r, response});
    if (r >= 1.0 && r <= 0.5 * smallest_extent && response > 1e-10 * largest) {
      const double y = std::log(response);
      sr += r, sy += y, srr += r * r, sry += r * y;
      ++result.fitted_points;
    }
  }
  const double n = result.fitted_points;
  result.decay_rate = result.fitted_points >= 2 ? -(n * sry - sr * sy) / (n * srr - sr * sr)
                                                : std::numeric_limits<double>::quiet_NaN();
  return result;
}

LocalityProfile action_locality(const Action& action, const GaugeField& u, double epsilon) {
  AlgebraField plus, minus;
  action.force(rotated_at_origin(u, epsilon), plus);
  action.force(rotated_at_origin(u, -epsilon), minus);
  return locality_profile(plus, minus, epsilon);
}

}  // namespace fpgauge::evaluation
