#include "TestSupport.h"

#include <cmath>

#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge::test {

GaugeField near_unit_gauge_field(std::shared_ptr<const Geometry> geometry, std::uint64_t seed,
                                 double amplitude) {
  GaugeField u(std::move(geometry));
  parallel_for(u.size(), [&](SiteIndex l) {
    RngStream rng(seed, RngPurpose::test, 0, static_cast<std::uint64_t>(l));
    Algebra<double> h;
    for (double& x : h) x = amplitude * rng.normal();
    u[l] = exp_i(algebra_to_matrix(h));
  });
  return u;
}

double max_link_distance(const LinkField<Matrix3d>& a, const LinkField<Matrix3d>& b) {
  return parallel_max(a.size(), [&](SiteIndex l) { return std::sqrt(norm2(a[l] - b[l])); });
}

}  // namespace fpgauge::test
