#include "fpgauge/rg/FpEquation.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

GaugeField prolongate(const GaugeField& v) {
  const Geometry& coarse = v.geometry();
  Coordinates extents = coarse.extents();
  for (int& l : extents) l *= 2;
  GaugeField u = unit_gauge_field(Geometry::make(extents));
  const Geometry& fine = u.geometry();
  parallel_for(coarse.volume(), [&](SiteIndex n) {
    const SiteIndex s = BlockingKernel::block_site(fine, coarse, n);
    for (int mu = 0; mu < kDimensions; ++mu) {
      const SU3 root = project_max_trace(SU3::identity() + v(n, mu));
      u(s, mu) = root;
      u(fine.forward(s, mu), mu) = root;
    }
  });
  return u;
}

FpLabel solve_fp_equation(const GaugeField& v, const Action& fine_action,
                          const BlockingKernel& kernel, const MinimiserOptions& options,
                          GaugeField* fine) {
  const auto fine_geometry_expected = [&](const GaugeField& u) {
    return *BlockingKernel::coarse_geometry(u.geometry()) == v.geometry();
  };
  GaugeField u = fine && fine->size() > 0 && fine_geometry_expected(*fine) ? *fine : prolongate(v);

  AlgebraField kernel_force;
  const LinkObjective objective = [&](const GaugeField& w, AlgebraField& d) {
    fine_action.force(w, d);
    const double t = kernel.value_and_fine_force(w, v, kernel_force);
    parallel_for(d.size(), [&](SiteIndex l) { d[l] += kernel_force[l]; });
    return fine_action.value(w) + t;
  };

  FpLabel label;
  label.minimisation = minimise_lbfgs(u, objective, options);
  label.fine_action = fine_action.value(u);
  label.kernel = kernel.value(u, v);
  label.action = label.fine_action + label.kernel;
  kernel.coarse_force(u, v, label.derivative);
  if (fine) *fine = std::move(u);
  return label;
}

namespace {

GaugeField perturbed_start(const GaugeField& v, const FpStarts& starts, int k) {
  GaugeField u = prolongate(v);
  AlgebraField h(u.geometry_ptr());
  parallel_for(h.size(), [&](SiteIndex l) {
    RngStream rng(starts.seed, RngPurpose::fp_start, static_cast<std::uint64_t>(k),
                  static_cast<std::uint64_t>(l));
    Algebra<double> x;
    for (double& c : x) c = rng.normal();
    h[l] = algebra_to_matrix(x);
  });
  left_multiply_exp_i(u, starts.spread, h);
  return u;
}

}  // namespace

FpLabel solve_fp_equation_from_starts(const GaugeField& v, const Action& fine_action,
                                      const BlockingKernel& kernel,
                                      const MinimiserOptions& options, const FpStarts& starts) {
  FpLabel best = solve_fp_equation(v, fine_action, kernel, options);
  std::vector<AlgebraField> others;
  for (int k = 1; k < starts.count; ++k) {
    GaugeField start = perturbed_start(v, starts, k);
    FpLabel label = solve_fp_equation(v, fine_action, kernel, options, &start);
    if (label.action < best.action - 1e-10 * std::abs(best.action)) std::swap(label, best);
    others.push_back(std::move(label.derivative));
  }
  constexpr double kSameMinimum = 1e-6;
  std::vector<const AlgebraField*> minima{&best.derivative};
  for (const AlgebraField& d : others) {
    best.derivative_spread =
        std::max(best.derivative_spread, relative_force_difference(d, best.derivative));
    if (std::none_of(minima.begin(), minima.end(), [&](const AlgebraField* m) {
          return relative_force_difference(d, *m) <= kSameMinimum;
        }))
      minima.push_back(&d);
  }
  best.minima = static_cast<int>(minima.size());
  return best;
}

}  // namespace fpgauge
