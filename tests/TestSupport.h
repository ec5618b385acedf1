#pragma once
// Shared checks of the test suite: finite-difference Lie derivatives (SPEC §1 convention),
// small random fields, distances between fields.
#include <cstdint>
#include <functional>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/GaugeFieldOps.h"

namespace fpgauge::test {

// ∂^a_{l} f(U) by the 4-point central difference along U_l → e^{iεt^a} U_l.
inline double finite_difference_lie_derivative(const std::function<double(const GaugeField&)>& f,
                                               const GaugeField& u, SiteIndex link, int a,
                                               double eps = 1e-3) {
  auto shifted = [&](double t) {
    GaugeField v = u;
    v[link] = exp_i(t * generator<double>(a)) * u[link];
    return f(v);
  };
  return (-shifted(2 * eps) + 8 * shifted(eps) - 8 * shifted(-eps) + shifted(-2 * eps)) /
         (12 * eps);
}

// A random field near the unit field, U = exp(i·amplitude·H) with Gaussian H: rough enough to
// test every term, smooth enough to resemble weak-coupling configurations.
GaugeField near_unit_gauge_field(std::shared_ptr<const Geometry> geometry, std::uint64_t seed,
                                 double amplitude);

// max over links of the Frobenius norm |A_l − B_l| (links, momenta or forces).
double max_link_distance(const LinkField<Matrix3d>& a, const LinkField<Matrix3d>& b);

}  // namespace fpgauge::test
