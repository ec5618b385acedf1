#include "fpgauge/rg/BlockingKernel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

constexpr const char* kLetters[] = {"nu", "rho", "sigma"};

struct Token {
  int letter;  // −1 for "mu", else the index into kLetters
  bool reverse;
};

std::vector<Token> parse_path(const KernelPath& path) {
  std::vector<Token> tokens;
  std::istringstream words(path.path);
  for (std::string word; words >> word;) {
    Token token{-2, word.front() == '-'};
    std::string_view name = word;
    if (token.reverse) name.remove_prefix(1);
    if (name == "mu") token.letter = -1;
    for (int k = 0; k < 3; ++k)
      if (name == kLetters[k]) token.letter = k;
    if (token.letter == -2)
      throw std::invalid_argument(fmt::format(
          "blocking path '{}': unknown token '{}' (known: mu, nu, rho, sigma, each with an "
          "optional '-')",
          path.path, word));
    tokens.push_back(token);
  }
  if (tokens.empty()) throw std::invalid_argument("blocking path '' is empty");
  return tokens;
}

// Every signed transverse direction ±ν̂, ν ≠ μ, as a step.
std::vector<Step> transverse_steps(int mu) {
  std::vector<Step> steps;
  for (int nu = 0; nu < kDimensions; ++nu)
    if (nu != mu) steps.insert(steps.end(), {forward_step(nu), backward_step(nu)});
  return steps;
}

// Which classes of coarse sites may accumulate fine-link derivatives at the same time: sites
// whose coordinates agree modulo `period` in every direction are at least 2·period fine steps
// apart in one direction, more than the reach of a coarse link's paths.
Coordinates colour_periods(const Geometry& coarse, const Coordinates& below,
                           const Coordinates& above) {
  Coordinates period{};
  for (int d = 0; d < kDimensions; ++d) {
    const int extent = coarse.extent(d);
    const int minimum = (below[d] + above[d]) / 2 + 1;
    period[d] = extent;
    for (int m = minimum; m < extent; ++m)
      if (extent % m == 0) {
        period[d] = m;
        break;
      }
  }
  return period;
}

}  // namespace

BlockingKernel::BlockingKernel(std::string name, std::vector<KernelPath> paths, double kappa)
    : name_(std::move(name)), paths_(std::move(paths)), kappa_(kappa) {
  if (!(std::isfinite(kappa_) && kappa_ > 0.0))
    throw std::invalid_argument(
        fmt::format("blocking kernel '{}': kappa = {} must be positive", name_, kappa_));
  if (paths_.empty())
    throw std::invalid_argument(fmt::format("blocking kernel '{}' has no paths", name_));
  for (int mu = 0; mu < kDimensions; ++mu) {
    const std::vector<Step> transverse = transverse_steps(mu);
    double total = 0.0;
    for (const KernelPath& path : paths_) {
      if (!std::isfinite(path.coefficient))
        throw std::invalid_argument(fmt::format("blocking path '{}': coefficient {} is not finite",
                                                path.path, path.coefficient));
      const std::vector<Token> tokens = parse_path(path);
      // Enumerate the assignments of the three letters (only those used vary).
      int used = 0;
      for (const Token& t : tokens) used = std::max(used, t.letter + 1);
      std::size_t assignments = 1;
      for (int k = 0; k < used; ++k) assignments *= transverse.size();
      for (std::size_t a = 0; a < assignments; ++a) {
        std::array<Step, 3> letter{};
        for (std::size_t k = 0, rest = a; k < static_cast<std::size_t>(used); ++k) {
          letter[k] = transverse[rest % transverse.size()];
          rest /= transverse.size();
        }
        ExpandedPath expanded{{}, path.coefficient};
        Coordinates at{}, displacement_check{};
        for (const Token& t : tokens) {
          const Step step = t.letter < 0 ? forward_step(mu) : letter[t.letter];
          expanded.steps.push_back(t.reverse ? -step : step);
        }
        for (const Step step : expanded.steps) {
          const int d = std::abs(step) - 1;
          // A forward link is based where the step starts, a backward one where it ends.
          if (step < 0) --at[d];
          reach_below_[d] = std::max(reach_below_[d], -at[d]);
          reach_above_[d] = std::max(reach_above_[d], at[d]);
          if (step > 0) ++at[d];
        }
        displacement_check[mu] = 2;
        if (at != displacement_check)
          throw std::invalid_argument(fmt::format(
              "blocking path '{}' does not end two fine steps along mu from its start",
              path.path));
        expanded_[mu].push_back(std::move(expanded));
        total += path.coefficient;
      }
    }
    if (std::abs(total - 1.0) > 1e-12)
      throw std::invalid_argument(fmt::format(
          "blocking kernel '{}': the coefficients of all paths sum to {}, not 1 (needed for "
          "Q(1) = 1)",
          name_, total));
  }
}

BlockingKernel BlockingKernel::degrand(double c, double kappa) {
  return BlockingKernel(fmt::format("degrand(c={})", c),
                        {{"mu mu", 1.0 - 6.0 * c}, {"nu mu mu -nu", c}}, kappa);
}

BlockingKernel BlockingKernel::smeared(double c, double kappa) {
  const double straight = 1.0 - 6.0 * c;
  return BlockingKernel(fmt::format("smeared(c={})", c),
                        {{"mu mu", straight * straight},
                         {"nu mu -nu mu", c * straight},
                         {"mu nu mu -nu", straight * c},
                         {"nu mu -nu rho mu -rho", c * c}},
                        kappa);
}

nlohmann::json BlockingKernel::description() const {
  nlohmann::json paths = nlohmann::json::array();
  for (const KernelPath& p : paths_) paths.push_back({{"path", p.path}, {"coefficient", p.coefficient}});
  return {{"name", name_}, {"kappa", kappa_}, {"paths", paths}};
}

std::shared_ptr<const Geometry> BlockingKernel::coarse_geometry(const Geometry& fine) {
  Coordinates coarse{};
  for (int d = 0; d < kDimensions; ++d) {
    if (fine.extent(d) % 2 != 0 || fine.extent(d) < 4)
      throw std::invalid_argument(fmt::format(
          "fine lattice {} cannot be blocked by 2: every extent must be even and at least 4",
          fine.to_string()));
    coarse[d] = fine.extent(d) / 2;
  }
  return Geometry::make(coarse);
}

void BlockingKernel::check_geometries(const GaugeField& u, const GaugeField& v) const {
  if (!(*coarse_geometry(u.geometry()) == v.geometry()))
    throw std::invalid_argument(fmt::format("blocking: fine lattice {} is not twice coarse {}",
                                            u.geometry().to_string(), v.geometry().to_string()));
}

SiteIndex BlockingKernel::block_site(const Geometry& fine, const Geometry& coarse, SiteIndex n) {
  Coordinates x = coarse.coordinates(n);
  for (int& c : x) c *= 2;
  return fine.site(x);
}

AlgebraField BlockingKernel::blocked_links(const GaugeField& u,
                                           std::shared_ptr<const Geometry> coarse) const {
  AlgebraField q(coarse);
  parallel_for(coarse->volume(), [&](SiteIndex n) {
    const SiteIndex s = block_site(u.geometry(), *coarse, n);
    for (int mu = 0; mu < kDimensions; ++mu) {
      Matrix3d sum = Matrix3d::zero();
      for (const ExpandedPath& p : expanded_[mu]) sum += p.coefficient * path_product(u, s, p.steps);
      q(n, mu) = sum;
    }
  });
  return q;
}

double BlockingKernel::value(const GaugeField& u, const GaugeField& v) const {
  check_geometries(u, v);
  const AlgebraField q = blocked_links(u, v.geometry_ptr());
  const long double sum = parallel_sum(q.size(), [&](SiteIndex l) {
    return re_trace(mul_adj(project_max_trace(q[l]), q[l])) - re_trace(mul_adj(v[l], q[l]));
  });
  return kappa_ / 3.0 * static_cast<double>(sum);
}

void BlockingKernel::coarse_force(const GaugeField& u, const GaugeField& v, AlgebraField& d) const {
  check_geometries(u, v);
  const AlgebraField q = blocked_links(u, v.geometry_ptr());
  if (d.size() != v.size()) d = AlgebraField(v.geometry_ptr());
  parallel_for(v.size(), [&](SiteIndex l) {
    d[l] = (-kappa_ / 3.0) * lie_gradient(mul_adj(v[l], q[l]));
  });
}

double BlockingKernel::value_and_fine_force(const GaugeField& u, const GaugeField& v,
                                            AlgebraField& d) const {
  check_geometries(u, v);
  const Geometry& fine = u.geometry();
  const Geometry& coarse = v.geometry();
  const AlgebraField q = blocked_links(u, v.geometry_ptr());

  // M = (κ/3)(W* − V) per coarse link, and T.
  AlgebraField m(v.geometry_ptr());
  const long double sum = parallel_sum(q.size(), [&](SiteIndex l) {
    const SU3 w = project_max_trace(q[l]);
    m[l] = (kappa_ / 3.0) * (w - v[l]);
    return re_trace(mul_adj(w, q[l])) - re_trace(mul_adj(v[l], q[l]));
  });

  // X_l with ∂^a_l T = Re tr(i t^a X_l), accumulated class by class so that no two coarse links
  // of one pass touch the same fine link: the order of the sums, and so the result, does not
  // depend on the number of threads.
  AlgebraField x(u.geometry_ptr(), Matrix3d::zero());
  const Coordinates period = colour_periods(coarse, reach_below_, reach_above_);
  std::map<Coordinates, std::vector<SiteIndex>> classes;
  for (SiteIndex n = 0; n < coarse.volume(); ++n) {
    Coordinates c = coarse.coordinates(n);
    for (int k = 0; k < kDimensions; ++k) c[k] %= period[k];
    classes[c].push_back(n);
  }
  std::vector<SU3> prefix, suffix, factor;  // per thread: P_k, S_k, L_k
  std::vector<SiteIndex> link;
  for (const auto& [colour, sites] : classes)
    for (int mu = 0; mu < kDimensions; ++mu)
#pragma omp parallel for schedule(static) private(prefix, suffix, factor, link)
      for (std::size_t i = 0; i < sites.size(); ++i) {
        const SiteIndex n = sites[i];
        const Matrix3d m_adj = adj(m(n, mu));
        const SiteIndex start = block_site(fine, coarse, n);
        for (const ExpandedPath& p : expanded_[mu]) {
          const std::size_t length = p.steps.size();
          prefix.assign(length + 1, SU3::identity());
          suffix.assign(length + 1, SU3::identity());
          link.resize(length);
          factor.resize(length);
          SiteIndex y = start;
          for (std::size_t k = 0; k < length; ++k) {
            const int d = std::abs(p.steps[k]) - 1;
            if (p.steps[k] > 0) {
              link[k] = kDimensions * y + d;
              factor[k] = u[link[k]];
              y = fine.forward(y, d);
            } else {
              y = fine.backward(y, d);
              link[k] = kDimensions * y + d;
              factor[k] = adj(u[link[k]]);
            }
            prefix[k + 1] = prefix[k] * factor[k];
          }
          for (std::size_t k = length; k-- > 0;) suffix[k] = factor[k] * suffix[k + 1];
          for (std::size_t k = 0; k < length; ++k) {
            if (p.steps[k] > 0)
              x[link[k]] += p.coefficient * (suffix[k] * m_adj * prefix[k]);
            else
              x[link[k]] -= p.coefficient * (suffix[k + 1] * m_adj * prefix[k + 1]);
          }
        }
      }

  if (d.size() != u.size()) d = AlgebraField(u.geometry_ptr());
  parallel_for(u.size(), [&](SiteIndex l) { d[l] = lie_gradient(x[l]); });
  return kappa_ / 3.0 * static_cast<double>(sum);
}

}  // namespace fpgauge
