// locality_study: how far the FP action's couplings reach for a blocking kernel (SPEC §3, §7.3).
//
//   locality_study --output docs/locality.json [--extent 6] [--c 0,0.05,0.1] [--kappa 4,8,16]
//                  [--beta 0] [--epsilon 0.01] [--tolerance 1e-12] [--compare ACTION,...]
//
// Method. On a coarse L^4 background V (the unit field, or with --beta B > 0 a Wilson heatbath
// configuration at β = B: hot start, 100 sweeps, seed 1) one coarse link V_0(0) is rotated to
// exp(±iε t^1) V_0(0) and the FP equation solved for both signs (Wilson fine action, the DeGrand
// kernel with the given c and κ, from the background's minimiser). The response of the derivative
// labels, R_l = ‖D_l(+ε) − D_l(−ε)‖ / (2ε) (Frobenius norm of the gradient matrices, SPEC §1),
// is a column of A_FP's Hessian: on the unit field exactly the quadratic couplings of the FP
// action that define its locality. R(r) is the largest R_l over the links l whose midpoint lies at
// Euclidean distance r (minimum image) from the perturbed link's midpoint, and the decay rate is
// the slope of the least-squares line through ln R(r) over 1 ≤ r ≤ L/2 (evaluation/Locality.h).
//
// --compare: the same Hessian column of each given action (actions/ActionFactory.h names, e.g.
// fatlink:FILE or lcnn:MODEL), from its force at ±ε, against the FP action's: on the unit field
// how far the action's free-field quadratic form — what makes an FP action classically perfect at
// tree level — is from the FP one. column_error = ‖H_A e − H_FP e‖/‖H_FP e‖ over all links and
// colours, rescaled_error the same for the best multiple s H_A e, on_link the ratio of the
// responses on the rotated link itself, and by_distance the same split over the shells of links
// at distance r from the rotated one (error_share: the shell's part of the squared error;
// relative_error: the shell's error against the FP column there; fp_share: the shell's part of
// the FP column's squared norm), which shows whether an action misses the near couplings or
// adds far ones that the FP action does not have.
//
// Output: one JSON document {method, extent, epsilon, tolerance, beta, kernels: [{c, kappa,
// decay_rate, iterations, profile: [{r, response}], actions: [{action, column_error,
// rescaled_error, on_link, by_distance: [{r, error_share, relative_error, fp_share}]}]}]}
// written to a temporary name and renamed (io/OutputFile.h); an existing file is refused unless
// --force. tools/plot_locality.py plots it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/evaluation/Locality.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"
#include "fpgauge/rg/FpEquation.h"

#include "ToolMain.h"

namespace fpgauge {
namespace {

using nlohmann::json;

constexpr std::uint64_t kSeed = 1;
constexpr int kThermalisation = 100;

struct StudyOptions {
  int extent = 6;
  std::vector<double> c{0.0, 0.05, 0.1};
  std::vector<double> kappa{4.0, 8.0, 16.0};
  double beta = 0.0;
  double epsilon = 0.01;
  double tolerance = 1e-12;
  std::vector<std::string> compare;  // action names
};

// (D(+ε) − D(−ε)) / (2ε) per link: a column of the Hessian.
AlgebraField hessian_column(const std::array<AlgebraField, 2>& derivatives, double epsilon) {
  AlgebraField column(derivatives[0].geometry_ptr());
  for (SiteIndex l = 0; l < column.size(); ++l)
    column[l] = (derivatives[0][l] - derivatives[1][l]) * (1.0 / (2.0 * epsilon));
  return column;
}

// How far an action's Hessian column is from the FP action's (see the file's header).
json compare_column(const std::string& name, const GaugeField& v, const AlgebraField& fp,
                    const StudyOptions& options) {
  const std::unique_ptr<Action> action = make_action(name);
  std::array<AlgebraField, 2> derivatives;
  for (const int sign : {0, 1}) {
    derivatives[sign] = AlgebraField(v.geometry_ptr());
    action->force(evaluation::rotated_at_origin(v, sign == 0 ? options.epsilon : -options.epsilon),
                  derivatives[sign]);
  }
  const AlgebraField column = hessian_column(derivatives, options.epsilon);
  long double fp_norm = 0.0, norm = 0.0, overlap = 0.0, error = 0.0;
  struct Shell {
    long double error = 0.0, fp = 0.0;
  };
  std::map<double, Shell> shells;  // by the distance r of the link from the rotated one
  const Geometry& geometry = column.geometry();
  for (SiteIndex n = 0; n < geometry.volume(); ++n)
    for (int nu = 0; nu < kDimensions; ++nu) {
      const auto& a = column(n, nu);
      const auto& b = fp(n, nu);
      const double difference = norm2(a - b), fp_link = norm2(b);
      fp_norm += fp_link;
      norm += norm2(a);
      overlap += re_trace_mul(a, b);  // Hermitian: Re tr(a b) = Σ a_ij conj(b_ij)
      Shell& shell = shells[evaluation::distance_to_origin_link(geometry, n, nu)];
      shell.error += difference;
      shell.fp += fp_link;
      error += difference;
    }
  json by_distance = json::array();
  for (const auto& [r, shell] : shells) {
    const json relative =  // null where the FP column vanishes
        shell.fp > 0 ? json(static_cast<double>(std::sqrt(shell.error / shell.fp))) : json(nullptr);
    const double share = error > 0 ? static_cast<double>(shell.error / error) : 0.0;
    by_distance.push_back({{"r", r},
                           {"error_share", share},
                           {"relative_error", relative},
                           {"fp_share", static_cast<double>(shell.fp / fp_norm)}});
  }
  const double cosine = static_cast<double>(overlap / std::sqrt(norm * fp_norm));
  const SiteIndex link = 0;  // V_0(0): rotated_at_origin's link
  return {{"action", name},
          {"column_error", relative_force_difference(column, fp)},
          {"rescaled_error", std::sqrt(std::max(0.0, 1.0 - cosine * cosine))},
          {"on_link", std::sqrt(norm2(column[link]) / norm2(fp[link]))},
          {"by_distance", by_distance}};
}

GaugeField background(const StudyOptions& options) {
  const int l = options.extent;
  const auto geometry = Geometry::make({l, l, l, l});
  if (options.beta <= 0) return unit_gauge_field(geometry);
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  GaugeField v = random_gauge_field(geometry, kSeed);
  for (int sweep = 0; sweep < kThermalisation; ++sweep)
    heatbath_sweep(v, wilson, options.beta, kSeed, std::uint64_t(sweep));
  return v;
}

// The profile R(r) and its fitted decay rate for one kernel.
json kernel_profile(const GaugeField& v, double c, double kappa, const StudyOptions& options) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const BlockingKernel kernel = BlockingKernel::degrand(c, kappa);
  const MinimiserOptions minimiser{.gradient_tolerance = options.tolerance};
  GaugeField start;
  const FpLabel base = solve_fp_equation(v, wilson, kernel, minimiser, &start);
  int iterations = base.minimisation.iterations;
  std::array<AlgebraField, 2> derivatives;
  for (const int sign : {0, 1}) {
    GaugeField fine = start;
    const FpLabel label = solve_fp_equation(
        evaluation::rotated_at_origin(v, sign == 0 ? options.epsilon : -options.epsilon), wilson,
        kernel, minimiser, &fine);
    if (!label.minimisation.converged)
      throw std::runtime_error(fmt::format("c = {}, kappa = {}: no convergence (residual {:.3g})",
                                           c, kappa, label.minimisation.residual));
    iterations += label.minimisation.iterations;
    derivatives[sign] = label.derivative;
  }
  const evaluation::LocalityProfile locality =
      evaluation::locality_profile(derivatives[0], derivatives[1], options.epsilon);
  json profile = json::array();
  for (const evaluation::LocalityPoint& point : locality.profile)
    profile.push_back({{"r", point.r}, {"response", point.response}});
  json actions = json::array();
  const AlgebraField fp = hessian_column(derivatives, options.epsilon);
  for (const std::string& name : options.compare)
    actions.push_back(compare_column(name, v, fp, options));
  return {{"c", c},
          {"kappa", kappa},
          {"decay_rate", locality.decay_rate},
          {"iterations", iterations},
          {"action", base.action},
          {"profile", profile},
          {"actions", actions}};
}

int run(int argc, char** argv) {
  StudyOptions options;
  std::string output;
  bool force = false;
  CLI::App app{"Locality of the FP action for DeGrand kernels (c, kappa); see the file's header."};
  app.add_option("--output", output, "JSON file to write")->required();
  app.add_option("--extent", options.extent, "coarse extent L (L^4, fine (2L)^4)");
  app.add_option("--c", options.c, "staple weights c")->delimiter(',');
  app.add_option("--kappa", options.kappa, "kernel strengths kappa")->delimiter(',');
  app.add_option("--beta", options.beta,
                 "background: 0 = unit field, else Wilson heatbath at beta");
  app.add_option("--epsilon", options.epsilon, "rotation angle of the perturbed link");
  app.add_option("--tolerance", options.tolerance, "minimiser tolerance max |d^a F|");
  app.add_option("--compare", options.compare,
                 "actions whose Hessian column to compare with the FP action's (wilson, "
                 "fatlink:FILE, lcnn:MODEL, ...)")
      ->delimiter(',');
  app.add_flag("--force", force, "replace an existing output file");
  CLI11_PARSE(app, argc, argv);

  const GaugeField v = background(options);
  json kernels = json::array();
  for (const double kappa : options.kappa)
    for (const double c : options.c) {
      kernels.push_back(kernel_profile(v, c, kappa, options));
      std::cerr << fmt::format("c = {:5.3f} kappa = {:5.2f}: decay rate {:.3f}, {} iterations\n",
                               c, kappa, kernels.back()["decay_rate"].get<double>(),
                               kernels.back()["iterations"].get<int>());
      for (const json& a : kernels.back()["actions"]) {
        // The squared error's share at r ≥ 2, where the FP column has 7e-5 of its norm² (4^4).
        double far_share = 0.0;
        for (const json& shell : a["by_distance"])
          if (shell["r"].get<double>() >= 2.0) far_share += shell["error_share"].get<double>();
        std::cerr << fmt::format("  {}: Hessian column error {:.4f} (best rescaled {:.4f}), "
                                 "on the link {:.4f} of the FP action's, {:.0f}% of the squared "
                                 "error at r >= 2\n",
                                 a["action"].get<std::string>(), a["column_error"].get<double>(),
                                 a["rescaled_error"].get<double>(), a["on_link"].get<double>(),
                                 100.0 * far_share);
      }
    }
  const json document = {
      {"method", "R(r) = max over coarse links at distance r of |D(+eps) - D(-eps)|/(2 eps) "
                 "for V_0(0) -> exp(+-i eps t^1) V_0(0); Wilson fine action, DeGrand kernel"},
      {"extent", options.extent},
      {"epsilon", options.epsilon},
      {"tolerance", options.tolerance},
      {"beta", options.beta},
      {"kernels", kernels}};
  write_output_file(output, document.dump(1) + "\n", force);
  return 0;
}

}  // namespace
}  // namespace fpgauge

int main(int argc, char** argv) {
  return fpgauge::tool_main("locality_study", fpgauge::run, argc, argv);
}
