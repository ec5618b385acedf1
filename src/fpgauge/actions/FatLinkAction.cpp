#include "fpgauge/actions/FatLinkAction.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/lattice/GaugeLoops.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

constexpr int kPlanes = kDimensions * (kDimensions - 1) / 2;
using PlaneValues = std::array<double, kPlanes>;

// The plane (μ,ν) = (ν,μ) as 0..5.
constexpr int plane_index(int mu, int nu) {
  constexpr int table[kDimensions][kDimensions] = {
      {-1, 0, 1, 2}, {0, -1, 3, 4}, {1, 3, -1, 5}, {2, 4, 5, -1}};
  return table[mu][nu];
}

// What the value and the force of every monomial share: the fat links and, per site and
// plane, the thin and fat plaquette variables u and w.
struct PlaquetteVariables {
  GaugeField fat;
  SiteField<PlaneValues> u, w;
};

PlaquetteVariables plaquette_variables(const GaugeField& links, double c) {
  const auto& geometry = links.geometry_ptr();
  PlaquetteVariables v{GaugeField(geometry), SiteField<PlaneValues>(geometry),
                       SiteField<PlaneValues>(geometry)};
  const SiteLinks view(links);
  parallel_for(geometry->volume(), [&](SiteIndex s) {
    SU3 sigma;
    for (int mu = 0; mu < kDimensions; ++mu) {
      plaquette_staple_sum(view, s, mu, sigma);
      v.fat(s, mu) = (1.0 - 6.0 * c) * links(s, mu) + c * adj(sigma);
    }
  });
  parallel_for(geometry->volume(), [&](SiteIndex s) {
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = mu + 1; nu < kDimensions; ++nu) {
        const int p = plane_index(mu, nu);
        v.u[s][p] = 3.0 - re_trace(plaquette(links, s, mu, nu));
        v.w[s][p] = 3.0 - re_trace(plaquette(v.fat, s, mu, nu));
      }
  });
  return v;
}

using Monomials = std::vector<FatLinkAction::Monomial>;

// x^0 .. x^kMaxDegree.
std::array<double, FatLinkAction::kMaxDegree + 1> powers(double x) {
  std::array<double, FatLinkAction::kMaxDegree + 1> px{1.0};
  for (int k = 1; k <= FatLinkAction::kMaxDegree; ++k) px[k] = px[k - 1] * x;
  return px;
}

double polynomial_sum(const PlaquetteVariables& v, const Monomials& monomials,
                      const std::vector<double>& p) {
  return static_cast<double>(parallel_sum(v.u.size(), [&](SiteIndex s) {
    double sum = 0.0;
    for (int plane = 0; plane < kPlanes; ++plane) {
      const auto pu = powers(v.u[s][plane]), pw = powers(v.w[s][plane]);
      for (std::size_t m = 0; m < monomials.size(); ++m)
        sum += p[m] * pu[monomials[m].k] * pw[monomials[m].l];
    }
    return sum;
  }));
}

// Σ^f_μ(x) = Σ_{ν≠μ} [f_μν(x) U_ν(x+μ̂) (U_ν(x) U_μ(x+ν̂))† + f_μν(x−ν̂) (U_μ(x−ν̂) U_ν(x+μ̂−ν̂))†
// U_ν(x−ν̂)]: the staples of GaugeLoops.h weighted per plaquette, so that
// δ Σ_x Σ_{μ<ν} f_μν(x) Re tr P_μν(x) = Σ_{x,μ} Re tr(δU_μ(x) Σ^f_μ(x)) for f held fixed.
SU3 weighted_staple_sum(const GaugeField& links, const SiteField<PlaneValues>& f, SiteIndex x,
                        int mu) {
  const Geometry& g = links.geometry();
  const SiteIndex x_mu = g.forward(x, mu);
  SU3 sum = SU3::zero();
  for (int nu = 0; nu < kDimensions; ++nu) {
    if (nu == mu) continue;
    const int p = plane_index(mu, nu);
    const SiteIndex x_down = g.backward(x, nu);
    sum += f[x][p] * mul_adj(links(x_mu, nu), links(x, nu) * links(g.forward(x, nu), mu));
    sum += f[x_down][p] *
           (adj_mul(links(x_down, mu) * links(g.forward(x_down, mu), nu), links(x_down, nu)));
  }
  return sum;
}

// The reverse pass through the smearing. For fixed matrices Γ_μ(x) (the fat staple sums of
// polynomial_force), a variation U_ρ(y) → e^{iεt^a} U_ρ(y) changes Σ_{x,μ} Re tr(W_μ(x) Γ_μ(x))
// through the staples c Σ_μ(x)† of the fat links that contain U_ρ(y) by ε c Re tr(i t^a M),
//   M = U_ρ(y) · left − right · U_ρ(y)†   (returned as the pair left, right), because
// for a product A U B in a staple Re tr(A δU B Γ) = ε Re tr(i t^a U B Γ A), and for A U† B
// δU† = −iε U† t^a gives −ε Re tr(i t^a B Γ A U†). U_ρ(y) occurs, for every μ ≠ ρ, as
//   the middle link of the upper/lower staple of W_ρ(y−μ̂) / W_ρ(y+μ̂),
//   the first link of the upper staple of W_μ(y), the last (daggered) one of W_μ(y−μ̂),
//   the first (daggered) link of the lower staple of W_μ(y+ρ̂), the last one of W_μ(y+ρ̂−μ̂).
struct StapleAdjoint {
  SU3 left, right;
};

StapleAdjoint staple_adjoint(const GaugeField& links, const GaugeField& gamma, SiteIndex y,
                             int rho) {
  const Geometry& g = links.geometry();
  const SiteIndex y_rho = g.forward(y, rho);
  StapleAdjoint t{SU3::zero(), SU3::zero()};
  for (int mu = 0; mu < kDimensions; ++mu) {
    if (mu == rho) continue;
    const SiteIndex y_up = g.forward(y, mu), y_down = g.backward(y, mu);
    const SiteIndex y_rho_down = g.backward(y_rho, mu);  // y + ρ̂ − μ̂
    // U_μ(y+ρ̂) [U_ρ(y+μ̂)† Γ_μ(y) + Γ_ρ(y+μ̂) U_μ(y)†] from
    //   W_μ(y) ∋ U_ρ(y) U_μ(y+ρ̂) U_ρ(y+μ̂)†  and  W_ρ(y+μ̂) ∋ U_μ(y)† U_ρ(y) U_μ(y+ρ̂),
    // [U_μ(y+ρ̂−μ̂)† Γ_ρ(y−μ̂) + Γ_μ(y+ρ̂−μ̂) U_ρ(y−μ̂)†] U_μ(y−μ̂) from
    //   W_ρ(y−μ̂) ∋ U_μ(y−μ̂) U_ρ(y) U_μ(y+ρ̂−μ̂)†  and  W_μ(y+ρ̂−μ̂) ∋ U_ρ(y−μ̂)† U_μ(y−μ̂) U_ρ(y).
    t.left += links(y_rho, mu) * (adj_mul(links(y_up, rho), gamma(y, mu)) +
                                  mul_adj(gamma(y_up, rho), links(y, mu)));
    t.left += (adj_mul(links(y_rho_down, mu), gamma(y_down, rho)) +
               mul_adj(gamma(y_rho_down, mu), links(y_down, rho))) *
              links(y_down, mu);
    // W_μ(y−μ̂) ∋ U_ρ(y−μ̂) U_μ(y−μ̂+ρ̂) U_ρ(y)†
    t.right += gamma(y_down, mu) * (links(y_down, rho) * links(y_rho_down, mu));
    // W_μ(y+ρ̂) ∋ U_ρ(y)† U_μ(y) U_ρ(y+μ̂)
    t.right += links(y, mu) * (links(y_up, rho) * gamma(y_rho, mu));
  }
  return t;
}

// D A for A = Σ_x Σ_{μ<ν} P(u, w) with P = Σ_m p_m u^k w^l. With f_u = ∂P/∂u and f_w = ∂P/∂w per
// plaquette, δA = −Σ Re tr(δU Σ^{f_u}) − Σ Re tr(δW Γ), Γ = Σ^{f_w} on the fat links; then
// W = (1 − 6c) U + c Σ† carries δW back to the thin links (staple_adjoint), and
// ∂^a A = −Re tr(i t^a M) gives D = −lie_gradient(M) (SPEC §1).
void polynomial_force(const GaugeField& links, const PlaquetteVariables& v, double c,
                      const Monomials& monomials, const std::vector<double>& p,
                      AlgebraField& d) {
  const auto& geometry = links.geometry_ptr();
  SiteField<PlaneValues> f_u(geometry), f_w(geometry);
  parallel_for(geometry->volume(), [&](SiteIndex s) {
    for (int plane = 0; plane < kPlanes; ++plane) {
      const auto pu = powers(v.u[s][plane]), pw = powers(v.w[s][plane]);
      double du = 0.0, dw = 0.0;
      for (std::size_t m = 0; m < monomials.size(); ++m) {
        const auto [k, l] = monomials[m];
        if (k > 0) du += p[m] * k * pu[k - 1] * pw[l];
        if (l > 0) dw += p[m] * l * pu[k] * pw[l - 1];
      }
      f_u[s][plane] = du;
      f_w[s][plane] = dw;
    }
  });
  GaugeField gamma(geometry);
  parallel_for(geometry->volume(), [&](SiteIndex s) {
    for (int mu = 0; mu < kDimensions; ++mu) gamma(s, mu) = weighted_staple_sum(v.fat, f_w, s, mu);
  });
  if (d.size() != links.size()) d = AlgebraField(geometry);
  parallel_for(geometry->volume(), [&](SiteIndex s) {
    for (int rho = 0; rho < kDimensions; ++rho) {
      const StapleAdjoint t = staple_adjoint(links, gamma, s, rho);
      const SU3 left = weighted_staple_sum(links, f_u, s, rho) + (1.0 - 6.0 * c) * gamma(s, rho) +
                       c * t.left;
      const SU3 m = links(s, rho) * left - c * mul_adj(t.right, links(s, rho));
      d(s, rho) = -1.0 * lie_gradient(m);
    }
  });
}

std::vector<double> unit_vector(std::size_t size, std::size_t m) {
  std::vector<double> e(size, 0.0);
  e[m] = 1.0;
  return e;
}

}  // namespace

std::vector<FatLinkAction::Monomial> FatLinkAction::monomials(int degree) {
  if (degree < 1 || degree > kMaxDegree)
    throw std::invalid_argument(
        fmt::format("fat-link action: degree {} is not between 1 and {}", degree, kMaxDegree));
  std::vector<Monomial> list;
  for (int total = 1; total <= degree; ++total)
    for (int k = total; k >= 0; --k) list.push_back({k, total - k});
  return list;
}

FatLinkAction::FatLinkAction(double c, int degree, std::vector<double> p, nlohmann::json fit)
    : c_(c), degree_(degree), monomials_(monomials(degree)), p_(std::move(p)),
      fit_(std::move(fit)) {
  if (!(c >= 0.0 && c <= 1.0 / 6.0))
    throw std::invalid_argument(
        fmt::format("fat-link action: c = {} is not in [0, 1/6] (the thin link's weight 1 - 6c "
                    "would be negative)",
                    c));
  if (p_.size() != monomials_.size())
    throw std::invalid_argument(fmt::format(
        "fat-link action: degree {} has {} coefficients p_kl, got {}", degree, monomials_.size(),
        p_.size()));
  for (std::size_t m = 0; m < p_.size(); ++m)
    if (!std::isfinite(p_[m]))
      throw std::invalid_argument(fmt::format("fat-link action: p_{}{} = {} is not finite",
                                              monomials_[m].k, monomials_[m].l, p_[m]));
}

double FatLinkAction::classical_normalisation() const {
  // monomials(degree) starts with (1,0), (0,1)
  return 3.0 * (p_[0] + long_wavelength_fat_plaquette_ratio(c_) * p_[1]);
}

nlohmann::json FatLinkAction::to_json() const {
  nlohmann::json coefficients = nlohmann::json::array();
  for (std::size_t m = 0; m < p_.size(); ++m)
    coefficients.push_back({{"k", monomials_[m].k}, {"l", monomials_[m].l}, {"p", p_[m]}});
  return {{"format", "fpgauge-fatlink"}, {"format_version", 1},      {"c", c_},
          {"degree", degree_},           {"coefficients", coefficients}, {"fit", fit_}};
}

// The parameters that fix the action; the fit's provenance stays in the coefficients file (it
// would swell every output that records the action, e.g. a label dataset's fine_action).
nlohmann::json FatLinkAction::description() const {
  nlohmann::json d = to_json();
  d.erase("fit");
  d.erase("format");
  d.erase("format_version");
  d["name"] = name();
  return d;
}

FatLinkAction FatLinkAction::from_json(const nlohmann::json& j) {
  const auto fail = [](const std::string& problem) { return std::invalid_argument(problem); };
  if (!j.is_object() || !j.contains("format") || j["format"] != "fpgauge-fatlink")
    throw fail("expected a JSON object with \"format\": \"fpgauge-fatlink\"");
  if (!j.contains("format_version") || j["format_version"] != 1)
    throw fail("expected \"format_version\": 1");
  if (!j.contains("c") || !j["c"].is_number()) throw fail("\"c\" is missing or not a number");
  if (!j.contains("degree") || !j["degree"].is_number_integer())
    throw fail("\"degree\" is missing or not an integer");
  const int degree = j["degree"].get<int>();
  if (degree < 1 || degree > kMaxDegree)
    throw fail(fmt::format("\"degree\" = {}: expected 1 to {}", degree, kMaxDegree));
  const std::vector<Monomial> list = monomials(degree);
  std::vector<double> p(list.size());
  std::vector<bool> seen(list.size(), false);
  if (!j.contains("coefficients") || !j["coefficients"].is_array())
    throw fail("\"coefficients\" is missing or not an array");
  for (const auto& entry : j["coefficients"]) {
    if (!entry.is_object() || !entry.contains("k") || !entry.contains("l") ||
        !entry.contains("p") || !entry["k"].is_number_integer() ||
        !entry["l"].is_number_integer() || !entry["p"].is_number())
      throw fail(fmt::format("coefficient {}: expected {{\"k\": K, \"l\": L, \"p\": P}}",
                             entry.dump()));
    const int k = entry["k"].get<int>(), l = entry["l"].get<int>();
    std::size_t m = 0;
    while (m < list.size() && !(list[m].k == k && list[m].l == l)) ++m;
    if (m == list.size())
      throw fail(fmt::format("coefficient p_{}{}: k + l must be between 1 and degree {}", k, l,
                             degree));
    if (seen[m]) throw fail(fmt::format("coefficient p_{}{} is given twice", k, l));
    seen[m] = true;
    p[m] = entry["p"].get<double>();
  }
  for (std::size_t m = 0; m < list.size(); ++m)
    if (!seen[m]) throw fail(fmt::format("coefficient p_{}{} is missing", list[m].k, list[m].l));
  return FatLinkAction(j["c"].get<double>(), degree, std::move(p),
                       j.contains("fit") ? j["fit"] : nlohmann::json::object());
}

FatLinkAction FatLinkAction::load(const std::filesystem::path& file) {
  const auto fail = [&](const std::string& problem) -> std::runtime_error {
    return std::runtime_error(
        fmt::format("fat-link coefficients file '{}': {}", file.string(), problem));
  };
  std::ifstream in(file);
  if (!in) throw fail("cannot be opened");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw fail(fmt::format("is not valid JSON ({})", e.what()));
  }
  try {
    return from_json(j);
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
}

void FatLinkAction::save(const std::filesystem::path& file, bool overwrite) const {
  write_output_file(file, to_json().dump(2) + "\n", overwrite);
}

double FatLinkAction::value(const GaugeField& u) const {
  return polynomial_sum(plaquette_variables(u, c_), monomials_, p_);
}

void FatLinkAction::force(const GaugeField& u, AlgebraField& d) const {
  polynomial_force(u, plaquette_variables(u, c_), c_, monomials_, p_, d);
}

FatLinkAction::Basis FatLinkAction::basis(const GaugeField& u) const {
  const PlaquetteVariables v = plaquette_variables(u, c_);
  Basis b;
  b.forces.resize(monomials_.size());
  for (std::size_t m = 0; m < monomials_.size(); ++m) {
    const std::vector<double> e = unit_vector(monomials_.size(), m);
    b.values.push_back(polynomial_sum(v, monomials_, e));
    polynomial_force(u, v, c_, monomials_, e, b.forces[m]);
  }
  return b;
}

}  // namespace fpgauge
