#include "fpgauge/lattice/GaugeFieldOps.h"

#include <algorithm>
#include <cmath>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

GaugeField unit_gauge_field(std::shared_ptr<const Geometry> geometry) {
  return GaugeField(std::move(geometry), SU3::identity());
}

GaugeField random_gauge_field(std::shared_ptr<const Geometry> geometry, std::uint64_t seed,
                              std::uint64_t index) {
  GaugeField u(std::move(geometry));
  parallel_for(u.size(), [&](SiteIndex l) {
    RngStream rng(seed, RngPurpose::hot_start, index, static_cast<std::uint64_t>(l));
    u[l] = haar_su3<double>([&] { return rng.normal(); });
  });
  return u;
}

GaugeTransformation random_gauge_transformation(std::shared_ptr<const Geometry> geometry,
                                                std::uint64_t seed, std::uint64_t index) {
  GaugeTransformation omega(std::move(geometry));
  parallel_for(omega.size(), [&](SiteIndex s) {
    RngStream rng(seed, RngPurpose::gauge_transformation, index, static_cast<std::uint64_t>(s));
    omega[s] = haar_su3<double>([&] { return rng.normal(); });
  });
  return omega;
}

GaugeField gauge_transformed(const GaugeField& u, const GaugeTransformation& omega) {
  GaugeField v(u.geometry_ptr());
  const Geometry& g = u.geometry();
  parallel_for(g.volume(), [&](SiteIndex s) {
    for (int mu = 0; mu < kDimensions; ++mu)
      v(s, mu) = mul_adj(omega[s] * u(s, mu), omega[g.forward(s, mu)]);
  });
  return v;
}

void left_multiply_exp_i(GaugeField& u, double s, const AlgebraField& h) {
  parallel_for(u.size(), [&](SiteIndex l) { u[l] = exp_i(s * h[l]) * u[l]; });
}

void reunitarise(GaugeField& u) {
  parallel_for(u.size(), [&](SiteIndex l) { u[l] = reunitarise(u[l]); });
}

double max_unitarity_violation(const GaugeField& u) {
  return parallel_max(u.size(), [&](SiteIndex l) {
    const double unitarity = std::sqrt(norm2(mul_adj(u[l], u[l]) - SU3::identity()));
    const Complex<double> d = det(u[l]);
    return std::max(unitarity, std::hypot(d.re - 1.0, d.im));
  });
}

double relative_force_difference(const AlgebraField& a, const AlgebraField& b) {
  long double difference = 0.0, norm = 0.0;
  for (SiteIndex l = 0; l < a.size(); ++l) {
    difference += norm2(a[l] - b[l]);
    norm += norm2(b[l]);
  }
  return norm > 0 ? static_cast<double>(std::sqrt(difference / norm)) : 0.0;
}

double force_norm(const AlgebraField& d) {
  const long double sum = parallel_sum(d.size(), [&](SiteIndex l) {
    double s = 0.0;
    for (const double h : matrix_to_algebra(d[l])) s += h * h;
    return s;
  });
  return std::sqrt(static_cast<double>(sum));
}

}  // namespace fpgauge
