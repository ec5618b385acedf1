#include "fpgauge/instantons/Instanton.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/lattice/SiteLoop.h"
#include "fpgauge/observables/Topology.h"

namespace fpgauge {
namespace {

// η_aμν (self-dual) or η̄_aμν (anti-self-dual), a = 0,1,2 for σ^1..σ^3, direction 3 = t.
double thooft_symbol(int a, int mu, int nu, bool anti) {
  const int t = 3;
  if (mu < t && nu < t) {
    // ε_{a μ ν} for indices 0..2
    if (a == mu || a == nu || mu == nu) return 0.0;
    return ((mu - a + 3) % 3 == 1) ? 1.0 : -1.0;
  }
  const double sign = anti ? -1.0 : 1.0;
  if (nu == t && mu == a) return sign;
  if (mu == t && nu == a) return -sign;
  return 0.0;
}

// n^a = η_aμν y_ν (η̄ in the singular gauge).
std::array<double, 3> thooft_direction(const SpacetimePoint& y, int mu, bool anti) {
  std::array<double, 3> n{};
  for (int a = 0; a < 3; ++a)
    for (int nu = 0; nu < kDimensions; ++nu) n[a] += thooft_symbol(a, mu, nu, anti) * y[nu];
  return n;
}

// Σ_a h^a t^a with h^a = 2 c n^a, i.e. c n^a σ^a in the upper-left block.
Matrix3d su2_block(const std::array<double, 3>& n, double c) {
  Algebra<double> h{};
  for (int a = 0; a < 3; ++a) h[a] = 2.0 * c * n[a];
  return algebra_to_matrix(h);
}

// ∫_{u0}^{u0+1} du / (u² + c²) = [atan((u0+1)/c) − atan(u0/c)]/c, the difference taken in one
// atan2 (both angles lie in (−π/2, π/2), their difference in (0, π)), which stays accurate for
// small c when the segment avoids u = 0.
double lorentzian_integral(double u0, double c) {
  return std::atan2(c, c * c + u0 * (u0 + 1.0)) / c;
}

bool is_integer(double x) { return std::abs(x - std::round(x)) < 1e-9; }

}  // namespace

InstantonGauge parse_instanton_gauge(std::string_view name) {
  if (name == "singular") return InstantonGauge::singular;
  if (name == "regular") return InstantonGauge::regular;
  throw std::invalid_argument(
      fmt::format("unknown instanton gauge '{}': expected \"singular\" or \"regular\"", name));
}

std::string to_string(InstantonGauge gauge) {
  return gauge == InstantonGauge::singular ? "singular" : "regular";
}

BpstInstanton::BpstInstanton(double rho, const SpacetimePoint& centre, InstantonGauge gauge)
    : rho_(rho), centre_(centre), gauge_(gauge) {
  if (!(rho > 0.0) || !std::isfinite(rho))
    throw std::invalid_argument(
        fmt::format("instanton size rho = {}: expected a positive finite number", rho));
  int integer_coordinates = 0;
  for (const double c : centre) {
    if (!std::isfinite(c))
      throw std::invalid_argument(fmt::format("instanton centre ({}): expected finite coordinates",
                                              fmt::join(centre, ", ")));
    integer_coordinates += is_integer(c);
  }
  if (gauge == InstantonGauge::singular && integer_coordinates >= 3)
    throw std::invalid_argument(fmt::format(
        "instanton centre ({}) lies on a lattice line, where the singular-gauge links are "
        "undefined: move it off (e.g. to a hypercube centre) or use the regular gauge",
        fmt::join(centre, ", ")));
}

Matrix3d BpstInstanton::potential(const SpacetimePoint& x, int mu) const {
  SpacetimePoint y;
  double y2 = 0.0;
  for (int nu = 0; nu < kDimensions; ++nu) y[nu] = x[nu] - centre_[nu], y2 += y[nu] * y[nu];
  const double rho2 = rho_ * rho_;
  const bool singular = gauge_ == InstantonGauge::singular;
  // A_μ = f(y²) n^a σ^a with f = 1/(y² + ρ²) (regular) or ρ²/(y² (y² + ρ²)) (singular).
  const double f = singular ? rho2 / (y2 * (y2 + rho2)) : 1.0 / (y2 + rho2);
  return su2_block(thooft_direction(y, mu, singular), f);
}

SU3 BpstInstanton::link(const SpacetimePoint& x, int mu) const {
  SpacetimePoint y;
  double r2 = 0.0;  // squared distance of the line from the centre
  for (int nu = 0; nu < kDimensions; ++nu) {
    y[nu] = x[nu] - centre_[nu];
    if (nu != mu) r2 += y[nu] * y[nu];
  }
  const bool singular = gauge_ == InstantonGauge::singular;
  const std::array<double, 3> n = thooft_direction(y, mu, singular);
  // n ∝ the distance of the line from the centre: zero on the lines through it, where A_μ = 0.
  if (n[0] == 0.0 && n[1] == 0.0 && n[2] == 0.0) return SU3::identity();
  const double b = std::sqrt(r2 + rho_ * rho_);
  // ∫_0^1 f ds; singular: ρ²/(Y(Y + ρ²)) = 1/Y − 1/(Y + ρ²) with Y = r² + u².
  const double integral = singular ? lorentzian_integral(y[mu], std::sqrt(r2)) -
                                         lorentzian_integral(y[mu], b)
                                   : lorentzian_integral(y[mu], b);
  // U = exp(−i ∫A_μ) = exp(i H), H = −(∫f) n^a σ^a.
  return exp_i(su2_block(n, -integral));
}

SpacetimePoint lattice_middle(const Geometry& g) {
  SpacetimePoint c;
  for (int mu = 0; mu < kDimensions; ++mu) c[mu] = (g.extent(mu) - 1) / 2 + 0.5;
  return c;
}

GaugeField instanton_field(std::shared_ptr<const Geometry> geometry,
                           const BpstInstanton& instanton) {
  GaugeField u(std::move(geometry));
  const Geometry& g = u.geometry();
  parallel_for(u.size(), [&](SiteIndex l) {
    const Coordinates n = g.coordinates(l / kDimensions);
    const SpacetimePoint x{double(n[0]), double(n[1]), double(n[2]), double(n[3])};
    u[l] = instanton.link(x, static_cast<int>(l % kDimensions));
  });
  return u;
}

double fitted_instanton_size(const GaugeField& u, const SpacetimePoint& centre) {
  const Geometry& g = u.geometry();
  constexpr double kWindow = 2.0;
  std::vector<double> y2, log_q;
  for (SiteIndex s = 0; s < g.volume(); ++s) {
    const Coordinates n = g.coordinates(s);
    double r2 = 0.0;
    for (int mu = 0; mu < kDimensions; ++mu) {
      const double extent = g.extent(mu);
      double d = std::fmod(n[mu] - centre[mu], extent);
      if (d > extent / 2) d -= extent;
      if (d < -extent / 2) d += extent;
      r2 += d * d;
    }
    if (r2 > kWindow * kWindow) continue;  // the clover only where the fit reads it
    const double q = topological_charge_density(clover_field_strength(u, s));
    if (q != 0.0) {
      y2.push_back(r2);
      log_q.push_back(std::log(std::abs(q)));
    }
  }
  if (y2.size() < 3)
    throw std::runtime_error(fmt::format(
        "instanton size: {} sites with q != 0 within {} of the centre ({}), expected at least 3",
        y2.size(), kWindow, fmt::join(centre, ", ")));
  // ln|q_i| = ln(N ρ⁴) − 4 ln(y_i² + ρ²): for a given ρ the best ln(N ρ⁴) is the mean residual,
  // and the misfit is the residuals' sum of squares about it (two passes: the minimum is flat,
  // and Σr² − (Σr)²/n would lose it to cancellation).
  auto misfit = [&](double log_rho) {
    const double rho2 = std::exp(2.0 * log_rho);
    auto residual = [&](std::size_t i) { return log_q[i] + 4.0 * std::log(y2[i] + rho2); };
    double mean = 0.0;
    for (std::size_t i = 0; i < y2.size(); ++i) mean += residual(i) / double(y2.size());
    double sum = 0.0;
    for (std::size_t i = 0; i < y2.size(); ++i) sum += (residual(i) - mean) * (residual(i) - mean);
    return sum;
  };
  // A scan of ln ρ over [ln 0.05, ln L_max] brackets the minimum, golden sections refine it.
  const double low = std::log(0.05);
  const double high = std::log(double(*std::max_element(g.extents().begin(), g.extents().end())));
  constexpr int kScan = 400;
  auto scan_point = [&](int k) { return low + (high - low) * k / kScan; };
  int best = 0;
  double best_misfit = misfit(scan_point(0));
  for (int k = 1; k <= kScan; ++k) {
    const double m = misfit(scan_point(k));
    if (m < best_misfit) best = k, best_misfit = m;
  }
  double a = scan_point(std::max(best - 1, 0)), b = scan_point(std::min(best + 1, kScan));
  const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
  while (b - a > 1e-10) {
    const double c = b - golden * (b - a), d = a + golden * (b - a);
    if (misfit(c) < misfit(d))
      b = d;
    else
      a = c;
  }
  return std::exp(0.5 * (a + b));
}

SU3 path_ordered_exponential(const GaugePotential& a, const SpacetimePoint& x, int mu,
                             int subdivisions) {
  if (subdivisions < 1)
    throw std::invalid_argument(fmt::format(
        "path_ordered_exponential: {} subdivisions, expected at least 1", subdivisions));
  const double h = 1.0 / subdivisions;
  const double node = std::sqrt(3.0) / 6.0;
  const double commutator_weight = std::sqrt(3.0) / 12.0 * h * h;
  SU3 u = SU3::identity();
  for (int k = 0; k < subdivisions; ++k) {
    SpacetimePoint x1 = x, x2 = x;
    x1[mu] += h * (k + 0.5 - node);
    x2[mu] += h * (k + 0.5 + node);
    const Matrix3d a1 = a(x1, mu), a2 = a(x2, mu);
    // Ω = i H with H = −(h/2)(A₁ + A₂) − i (√3/12) h² [A₂, A₁] (Hermitian, traceless).
    const Matrix3d commutator = a2 * a1 - a1 * a2;
    Matrix3d hamiltonian = (-0.5 * h) * (a1 + a2);
    hamiltonian += Complex<double>(0.0, -commutator_weight) * commutator;
    u = u * exp_i(hamiltonian);
  }
  return u;
}

}  // namespace fpgauge
