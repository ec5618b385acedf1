#include "fpgauge/evaluation/ClassicalLimit.h"

#include <cmath>
#include <numbers>
#include <utility>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/lattice/GaugeFieldOps.h"

namespace fpgauge::evaluation {

GaugeField plane_wave(std::shared_ptr<const Geometry> geometry, double amplitude,
                      const std::array<int, 3>& generators) {
  GaugeField v = unit_gauge_field(geometry);
  const double p = 2 * std::numbers::pi / geometry->extent(1);
  for (SiteIndex n = 0; n < geometry->volume(); ++n) {
    const int x1 = geometry->coordinates(n)[1];
    for (const int mu : {0, 2, 3}) {
      const Matrix3d h = generator<double>(generators[mu == 0 ? 0 : mu - 1]);
      v(n, mu) = exp_i(amplitude * std::sin(p * x1 + 0.7 * mu) * h);
    }
  }
  return v;
}

GaugeField abelian_plane_wave(std::shared_ptr<const Geometry> geometry, double amplitude) {
  return plane_wave(std::move(geometry), amplitude, {2, 7, 2});
}

ClassicalNormalisation classical_normalisation(const Action& action) {
  constexpr double kAmplitude = 0.02;
  constexpr int kExtent = 64;
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const auto ratio = [&](int extent) {
    const GaugeField v = abelian_plane_wave(Geometry::make({4, extent, 4, 4}), kAmplitude);
    const double unit = action.value(unit_gauge_field(v.geometry_ptr()));
    return (action.value(v) - unit) / wilson.value(v);
  };
  ClassicalNormalisation n;
  n.ratio_short = ratio(kExtent);
  n.ratio_long = ratio(2 * kExtent);
  n.extrapolated = (4 * n.ratio_long - n.ratio_short) / 3;
  return n;
}

}  // namespace fpgauge::evaluation
