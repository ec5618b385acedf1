#include "fpgauge/mc/Heatbath.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "fpgauge/core/Su2Subgroup.h"
#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

// Sites of each colour class for links of direction μ: links of one class share no loop of
// the action (see Heatbath.h).
std::vector<std::vector<SiteIndex>> colour_classes(const Geometry& g, int mu, bool rectangles) {
  std::vector<std::vector<SiteIndex>> classes(rectangles ? 8 : 2);
  for (SiteIndex s = 0; s < g.volume(); ++s) {
    const Coordinates x = g.coordinates(s);
    if (!rectangles) {
      classes[g.parity(s)].push_back(s);
      continue;
    }
    int transverse = 0;
    for (int nu = 0; nu < kDimensions; ++nu)
      if (nu != mu) transverse += x[nu];
    classes[(x[mu] & 1) * 4 + transverse % 4].push_back(s);
  }
  return classes;
}

// A uniformly random unit 3-vector scaled to `length`.
void random_direction(RngStream& rng, double length, Su2<double>& h) {
  const double cos_theta = 2.0 * rng.uniform() - 1.0;
  const double sin_theta = std::sqrt(1.0 - cos_theta * cos_theta);
  const double phi = 2.0 * M_PI * rng.uniform();
  h.a1 = length * sin_theta * std::cos(phi);
  h.a2 = length * sin_theta * std::sin(phi);
  h.a3 = length * cos_theta;
}

// Updates every link of direction μ in the given colour classes with `update(link, rng)`.
template <class Update>
void sweep_by_colour(GaugeField& u, const GaugeLoopAction& action, Update&& update) {
  const Geometry& g = u.geometry();
  for (int mu = 0; mu < kDimensions; ++mu)
    for (const auto& sites : colour_classes(g, mu, action.has_rectangles()))
      parallel_for(static_cast<SiteIndex>(sites.size()),
                   [&](SiteIndex i) { update(sites[i], mu); });
}

}  // namespace

double sample_su2_heatbath_a0(double alpha, RngStream& rng) {
  if (alpha < 2.0) {
    // Weak weight: Haar-distributed a0 (first component of a uniform point on S³) accepted
    // with probability exp(α(a0 − 1)) ≥ e^{−2α}.
    for (;;) {
      double v[4], n = 0.0;
      for (double& c : v) {
        c = rng.normal();
        n += c * c;
      }
      const double a0 = v[0] / std::sqrt(n);
      if (rng.uniform() < std::exp(alpha * (a0 - 1.0))) return a0;
    }
  }
  // Kennedy & Pendleton, Phys. Lett. B 156 (1985) 393: x = 1 − a0 from
  // x = −(ln r1 + cos²(2π r2) ln r3)/α, accepted with probability sqrt(1 − x/2).
  for (;;) {
    const double c = std::cos(2.0 * M_PI * rng.uniform());
    const double x = -(std::log(rng.uniform()) + c * c * std::log(rng.uniform())) / alpha;
    const double r = rng.uniform();
    if (x <= 2.0 && r * r <= 1.0 - 0.5 * x) return 1.0 - x;
  }
}

void check_heatbath_geometry(const Geometry& geometry, const GaugeLoopAction& action) {
  const int modulus = action.has_rectangles() ? 4 : 2;
  for (int mu = 0; mu < kDimensions; ++mu)
    if (geometry.extent(mu) % modulus != 0)
      throw std::invalid_argument(fmt::format(
          "heatbath with the {} action needs every extent to be a multiple of {} "
          "(for the checkerboard of links that share no loop); L[{}] = {} on {}",
          action.name(), modulus, mu, geometry.extent(mu), geometry.to_string()));
}

void heatbath_sweep(GaugeField& u, const GaugeLoopAction& action, double beta,
                    std::uint64_t seed, std::uint64_t sweep) {
  check_heatbath_geometry(u.geometry(), action);
  sweep_by_colour(u, action, [&](SiteIndex s, int mu) {
    RngStream rng(seed, RngPurpose::heatbath, sweep,
                  static_cast<std::uint64_t>(kDimensions * s + mu));
    const SU3 staple = action.staple(u, s, mu);
    SU3& link = u(s, mu);
    for (const auto& [i, j] : kSu2Subgroups) {
      // Local weight exp((β/3) Re tr(g U Σ)) = exp((2βk/3) h0) with g = h V†, V = b/k.
      const Su2<double> b = su2_block(link * staple, i, j);
      const double k = su2_norm(b);
      if (!(k > 0.0)) continue;
      Su2<double> h{sample_su2_heatbath_a0(2.0 * beta * k / 3.0, rng), 0.0, 0.0, 0.0};
      random_direction(rng, std::sqrt(std::max(0.0, 1.0 - h.a0 * h.a0)), h);
      const Su2<double> v_adj{b.a0 / k, -b.a1 / k, -b.a2 / k, -b.a3 / k};
      su2_left_multiply(link, su2_mul(h, v_adj), i, j);
    }
    link = reunitarise(link);
  });
}

void overrelaxation_sweep(GaugeField& u, const GaugeLoopAction& action) {
  check_heatbath_geometry(u.geometry(), action);
  sweep_by_colour(u, action, [&](SiteIndex s, int mu) {
    const SU3 staple = action.staple(u, s, mu);
    SU3& link = u(s, mu);
    for (const auto& [i, j] : kSu2Subgroups) {
      // g = (V†)² reflects the link about the maximum of Re tr(g U Σ): Re tr unchanged.
      const Su2<double> b = su2_block(link * staple, i, j);
      const double k = su2_norm(b);
      if (!(k > 0.0)) continue;
      const Su2<double> v_adj{b.a0 / k, -b.a1 / k, -b.a2 / k, -b.a3 / k};
      su2_left_multiply(link, su2_mul(v_adj, v_adj), i, j);
    }
    link = reunitarise(link);
  });
}

}  // namespace fpgauge
