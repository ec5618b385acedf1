// Continuum extrapolations of the scaling study (evaluation/ContinuumExtrapolation.h) against
// closed-form weighted least squares, and `fpgauge scaling` on hand-made flow summaries.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "fpgauge/evaluation/ContinuumExtrapolation.h"
#include "fpgauge/io/OutputFile.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_fpgauge;

// The straight line through points with weights w = 1/σ², in closed form.
struct ClosedFormFit {
  double c, k, c_error, k_error, chi2;
};
ClosedFormFit weighted_line(const std::vector<ScalingPoint>& points, double slope_for_weights) {
  double s = 0, sx = 0, sxx = 0, sy = 0, sxy = 0;
  auto weight = [&](const ScalingPoint& p) {
    return 1.0 / (p.y_error * p.y_error + slope_for_weights * slope_for_weights * p.x_error * p.x_error);
  };
  for (const ScalingPoint& p : points) {
    const double w = weight(p);
    s += w, sx += w * p.x, sxx += w * p.x * p.x, sy += w * p.y, sxy += w * p.x * p.y;
  }
  const double delta = s * sxx - sx * sx;
  ClosedFormFit fit{(sxx * sy - sx * sxy) / delta, (s * sxy - sx * sy) / delta,
                    std::sqrt(sxx / delta), std::sqrt(s / delta), 0.0};
  for (const ScalingPoint& p : points)
    fit.chi2 += weight(p) * std::pow(p.y - fit.c - fit.k * p.x, 2);
  return fit;
}

TEST(ContinuumExtrapolation, OneSeriesIsTheWeightedStraightLine) {
  const std::vector<ScalingPoint> points = {
      {0.25, 0.0, 0.981, 0.004}, {0.5, 0.0, 1.012, 0.003}, {1.0, 0.0, 1.101, 0.006}};
  const ContinuumFit fit = fit_continuum_limit({points});
  const ClosedFormFit expected = weighted_line(points, 0.0);
  EXPECT_NEAR(fit.continuum.value, expected.c, 1e-12);
  EXPECT_NEAR(fit.slopes.at(0).value, expected.k, 1e-12);
  EXPECT_NEAR(fit.continuum.error, expected.c_error, 1e-12);
  EXPECT_NEAR(fit.slopes[0].error, expected.k_error, 1e-12);
  EXPECT_NEAR(fit.chi2, expected.chi2, 1e-9);
  EXPECT_GT(fit.chi2, 1.0);  // the points are not on a line: a χ² that can fail
  EXPECT_EQ(fit.degrees_of_freedom, 1);
}

TEST(ContinuumExtrapolation, ErrorsInXEnterThroughTheEffectiveVariance) {
  const std::vector<ScalingPoint> points = {
      {0.25, 0.01, 0.981, 0.004}, {0.5, 0.02, 1.012, 0.003}, {1.0, 0.05, 1.101, 0.006}};
  const ContinuumFit fit = fit_continuum_limit({points});
  // At the solution the parameters are the weighted line with the weights of its own slope.
  const ClosedFormFit self_consistent = weighted_line(points, fit.slopes.at(0).value);
  EXPECT_NEAR(fit.continuum.value, self_consistent.c, 1e-11);
  EXPECT_NEAR(fit.slopes[0].value, self_consistent.k, 1e-11);
  EXPECT_NEAR(fit.chi2, self_consistent.chi2, 1e-9);
  // ... and not the fit that ignores the x errors.
  const ClosedFormFit without = weighted_line(points, 0.0);
  EXPECT_GT(std::abs(fit.continuum.value - without.c), 1e-4);
  EXPECT_LT(fit.chi2, without.chi2);
}

TEST(ContinuumExtrapolation, SeriesShareTheContinuumValue) {
  // Three actions on exact lines through one continuum value: recovered to round-off.
  const double c = 0.9523;
  const std::vector<double> slopes = {0.11, -0.02, 0.004};
  std::vector<std::vector<ScalingPoint>> series(3);
  for (std::size_t s = 0; s < 3; ++s)
    for (const double x : {0.2, 0.45, 1.1}) series[s].push_back({x, 0.01, c + slopes[s] * x, 0.003});
  series[2].resize(1);  // one spacing is enough for a series once c is fixed by the others
  const ContinuumFit fit = fit_continuum_limit(series);
  EXPECT_NEAR(fit.continuum.value, c, 1e-12);
  for (std::size_t s = 0; s < 3; ++s) EXPECT_NEAR(fit.slopes.at(s).value, slopes[s], 1e-11);
  EXPECT_NEAR(fit.chi2, 0.0, 1e-18);
  EXPECT_EQ(fit.degrees_of_freedom, 7 - 4);
  // Sharing c shrinks its error below that of the best single series.
  EXPECT_LT(fit.continuum.error, fit_continuum_limit({series[1]}).continuum.error);
}

TEST(ContinuumExtrapolation, RefusesWhatDoesNotFixTheParameters) {
  const ScalingPoint p{0.5, 0.0, 1.0, 0.01};
  EXPECT_THROW(fit_continuum_limit({{p}}), std::invalid_argument);       // one spacing
  EXPECT_THROW(fit_continuum_limit({{p, p}}), std::invalid_argument);    // the same spacing twice
  EXPECT_THROW(fit_continuum_limit({{p, {1.0, 0.0, 1.0, 0.0}}}), std::invalid_argument);  // σ = 0
  EXPECT_THROW(fit_continuum_limit({{p, {1.0, 0.0, NAN, 0.1}}}), std::invalid_argument);
  EXPECT_THROW(fit_continuum_limit({{p, {1.0, 0.0, 1.0, 0.1}}, {}}), std::invalid_argument);
}

// Flow summaries as `fpgauge flow` writes them, for two actions on exact lines.
class ScalingCommand : public ::testing::Test {
 protected:
  void write_flow(const std::string& name, int extent, double t0, double ratio,
                  bool with_extents = true) {
    nlohmann::json summary = {
        {"flow_action", "wilson"},
        {"scales",
         {{"clover",
           {{"configurations", 20},
            {"t0_over_a2", {{"value", t0}, {"error", 0.01 * t0}}},
            {"sqrt_t0_over_w0", {{"value", ratio}, {"error", 0.003}}}}},
          {"plaquette",
           {{"configurations", 20},
            {"t0_over_a2", {{"value", 0.5 * t0}, {"error", 0.01 * t0}}},
            {"sqrt_t0_over_w0", {{"value", ratio + 0.05}, {"error", 0.003}}}}}}}};
    if (with_extents) summary["extents"] = {extent, extent, extent, extent};
    fs::create_directories(scratch_.path() / name);
    write_output_file(scratch_.path() / name / "summary.json", summary.dump(2), true);
    flows_ += std::string(flows_.empty() ? "" : ",") + "\"" + (scratch_.path() / name).string() + "\"";
  }
  std::string arguments(const std::string& series, const std::string& extra = "") const {
    return "scaling " + std::string(FPGAUGE_SOURCE_DIR) + "/configs/scaling/scaling.toml --output " +
           quoted(scratch_.path() / "analysis") + " --set 'ensembles.flows=[" + flows_ +
           "]' --set 'ensembles.series=[" + series + "]' --set run.plot=false " + extra;
  }
  test::ScratchDirectory scratch_;
  std::string flows_;
};

TEST_F(ScalingCommand, ExtrapolatesAndReportsTheDeviations) {
  const double c = 0.95;
  for (const int l : {6, 8, 12}) write_flow("w" + std::to_string(l), l, l * l / 64.0, c + 0.1 * 64.0 / (l * l));
  for (const int l : {6, 8, 12}) write_flow("s" + std::to_string(l), l, l * l / 64.0, c - 0.02 * 64.0 / (l * l));
  const auto result = run_fpgauge(arguments(R"("wilson","wilson","wilson","sym","sym","sym")",
                                            "--set analysis.fit_max=1.5"),
                                  scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("joint"), std::string::npos) << result.out;
  const nlohmann::json out = test::read_json(scratch_.path() / "analysis" / "scaling.json");
  EXPECT_NEAR(out["joint_fit"]["continuum"]["value"].get<double>(), c, 1e-9);
  EXPECT_NEAR(out["fits"]["wilson"]["slope"]["wilson"]["value"].get<double>(), 0.1, 1e-9);
  EXPECT_NEAR(out["fits"]["sym"]["continuum"]["value"].get<double>(), c, 1e-9);
  const auto& coarsest = out["ensembles"][0];  // L = 6: a²/t0 = 64/36 > fit_max
  EXPECT_FALSE(coarsest["fitted"].get<bool>());
  EXPECT_NEAR(coarsest["box_over_sqrt_t0"].get<double>(), 8.0, 1e-12);
  EXPECT_NEAR(coarsest["deviation"]["value"].get<double>(), 0.1 * 64.0 / 36.0 / c, 1e-9);
  EXPECT_TRUE(out["ensembles"][1]["fitted"].get<bool>());
  EXPECT_TRUE(fs::exists(scratch_.path() / "analysis" / "scaling.md"));
  EXPECT_TRUE(fs::exists(scratch_.path() / "analysis" / "run.toml"));
  // A second run does not overwrite the first.
  const auto again = run_fpgauge(arguments(R"("wilson","wilson","wilson","sym","sym","sym")"),
                                 scratch_.path());
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
}

TEST_F(ScalingCommand, OneSpacingGivesNoFitButTheTable) {
  write_flow("w8", 8, 1.0, 1.0);
  const auto result = run_fpgauge(arguments(R"("wilson")"), scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  const nlohmann::json out = test::read_json(scratch_.path() / "analysis" / "scaling.json");
  EXPECT_TRUE(out["joint_fit"].contains("error"));
  EXPECT_FALSE(out["ensembles"][0].contains("deviation"));
}

TEST_F(ScalingCommand, EachEnsembleCanUseItsOwnEnergyDefinition) {
  write_flow("w8", 8, 1.0, 1.0);
  write_flow("s8", 8, 1.0, 0.9);
  const auto result = run_fpgauge(
      arguments(R"("wilson","sym")", R"(--set 'ensembles.energies=["plaquette","clover"]')"),
      scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("wilson (E: plaquette)"), std::string::npos) << result.out;
  const nlohmann::json out = test::read_json(scratch_.path() / "analysis" / "scaling.json");
  EXPECT_NEAR(out["ensembles"][0]["sqrt_t0_over_w0"]["value"].get<double>(), 1.05, 1e-12);
  EXPECT_NEAR(out["ensembles"][0]["t0_over_a2"]["value"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(out["ensembles"][1]["sqrt_t0_over_w0"]["value"].get<double>(), 0.9, 1e-12);
  EXPECT_EQ(out["ensembles"][1]["energy"], "clover");
}

TEST_F(ScalingCommand, BadInputIsOneErrorNamingTheFileOrKey) {
  write_flow("w8", 8, 1.0, 1.0);
  write_flow("old", 8, 2.0, 1.0, /*with_extents=*/false);
  struct Case {
    std::string series, extra, expected;
  };
  const std::vector<Case> cases = {
      {R"("wilson")", "", "ensembles.series"},
      {R"("wilson","wilson")", "", "extents"},
      {R"("wilson","wilson")", "--set analysis.energy=symanzik", "symanzik"},
      {R"("wilson","")", "", "non-empty"},
      {R"("wilson","wilson")", R"(--set 'ensembles.energies=["clover"]')", "ensembles.energies"},
  };
  for (const Case& c : cases) {
    const auto result = run_fpgauge(arguments(c.series, c.extra), scratch_.path());
    EXPECT_NE(result.status, 0) << c.series << " " << c.extra;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    fs::remove_all(scratch_.path() / "analysis");
  }
  flows_ = "\"" + (scratch_.path() / "w8").string() + "\",\"" +
           (scratch_.path() / "missing").string() + "\"";
  const auto missing = run_fpgauge(arguments(R"("a","b")"), scratch_.path());
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.err.find("missing/summary.json"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace fpgauge
