// Continuum extrapolations of the scaling study (evaluation/ContinuumExtrapolation.h) against
// closed-form weighted least squares, the flow history files (io/FlowHistoryFile.h), and
// `fpgauge scaling` on hand-made flow runs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <map>
#include <utility>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "fpgauge/evaluation/ContinuumExtrapolation.h"
#include "fpgauge/io/FlowHistoryFile.h"
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

TEST(FlowHistoryFile, RoundTripsAndRefusesMalformedTables) {
  const test::ScratchDirectory dir;
  const FlowHistoryTable table{12, 1, {"t", "E_clover", "Q"}, {{0.0, 0.02}, {2.5, 1.0 / 3.0}, {-0.1, 0.2}}};
  const fs::path file = dir / "flow_0000.csv";
  write_output_file(file, flow_history_csv(table), false);
  EXPECT_EQ(test::file_bytes(file),
            "# steps 12 rejected 1\nt,E_clover,Q\n0,2.5,-0.10000000000000001\n"
            "0.02,0.33333333333333331,0.20000000000000001\n");
  const FlowHistoryTable back = read_flow_history(file);
  EXPECT_EQ(back.steps, 12);
  EXPECT_EQ(back.rejected, 1);
  EXPECT_EQ(back.names, table.names);
  EXPECT_EQ(back.columns, table.columns);
  EXPECT_THROW((void)back.column("E_plaquette", file), std::runtime_error);
  for (const std::string bad : {"t,E\n0,1\n", "# steps 1 rejected 0\nE,t\n0,1\n",
                                "# steps 1 rejected 0\nt,E\n0,1,2\n",
                                "# steps 1 rejected 0\nt,E\n0\n",
                                "# steps 1 rejected 0\nt,E\n0,1x\n"}) {
    write_output_file(file, bad, true);
    try {
      (void)read_flow_history(file);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("flow_0000.csv"), std::string::npos) << error.what();
    }
  }
}

// Flow runs as `fpgauge flow` writes them (summary.json with the lattice and reference value,
// flow_NNNN.csv per configuration), with t² E(t) = k t^p per configuration: t0 = (0.3/k)^(1/p),
// w0² = (0.3/(pk))^(1/p), √t0/w0 = p^(1/(2p)). k and p vary a little between configurations, so
// that the jackknife errors are not zero.
class ScalingCommand : public ::testing::Test {
 protected:
  struct History {
    double k, p;
  };
  static History vary(History h, int c) {
    const double wiggle = (c % 5) - 2;
    return {h.k * (1.0 + 0.02 * wiggle), h.p * (1.0 + 0.002 * wiggle)};
  }
  // configurations[c] = {clover, plaquette} (the plaquette E a factor 0.7 and p + 0.1 away).
  void write_flow(const std::string& name, int extent, History clover, int configurations = 10,
                  bool with_extents = true) {
    const fs::path dir = scratch_.path() / name;
    fs::create_directories(dir);
    nlohmann::json summary = {{"reference", 0.3}, {"flow_action", "wilson"}};
    if (with_extents) summary["extents"] = {extent, extent, extent, extent};
    write_output_file(dir / "summary.json", summary.dump(2), true);
    for (int c = 0; c < configurations; ++c) {
      const History h = vary(clover, c);
      FlowHistoryTable table{100, 0, {"t", "E_clover", "E_plaquette", "Q"}, {{}, {}, {}, {}}};
      for (int i = 1; i <= 400; ++i) {
        const double t = 0.01 * i;
        table.columns[0].push_back(t);
        table.columns[1].push_back(h.k * std::pow(t, h.p - 2.0));
        table.columns[2].push_back(0.7 * h.k * std::pow(t, h.p + 0.1 - 2.0));
        table.columns[3].push_back(0.0);
      }
      energies_[name].push_back({table.columns[1], table.columns[2]});
      times_ = table.columns[0];
      write_output_file(dir / fmt::format("flow_{:04d}.csv", c), flow_history_csv(table), true);
    }
    flows_ += std::string(flows_.empty() ? "" : ",") + "\"" + dir.string() + "\"";
  }
  // What the analysis should find: flow_scales on bins of the same histories.
  FlowScales expected(const std::string& name, int definition, int bin_size = 1,
                      int discard = 0) const {
    const std::vector<std::array<std::vector<double>, 2>> configurations(
        energies_.at(name).begin() + discard, energies_.at(name).end());
    std::vector<std::vector<double>> bins(configurations.size() / bin_size,
                                          std::vector<double>(times_.size(), 0.0));
    for (std::size_t c = 0; c < bins.size() * bin_size; ++c)
      for (std::size_t i = 0; i < times_.size(); ++i)
        bins[c / bin_size][i] += configurations[c][definition][i] / bin_size;
    return flow_scales(times_, bins, 0.3);
  }
  static ScalingPoint point(const FlowScales& s) {
    return {1.0 / s.t0.value, s.t0.error / (s.t0.value * s.t0.value), s.sqrt_t0_over_w0.value,
            s.sqrt_t0_over_w0.error};
  }
  std::string arguments(const std::string& series, const std::string& extra = "") const {
    return "scaling " + std::string(FPGAUGE_SOURCE_DIR) + "/configs/scaling/scaling.toml --output " +
           quoted(scratch_.path() / "analysis") + " --set 'ensembles.flows=[" + flows_ +
           "]' --set 'ensembles.series=[" + series +
           "]' --set 'ensembles.bin_sizes=[]' --set 'ensembles.discard=[]' --set run.plot=false " +
           extra;
  }
  nlohmann::json analysis() const {
    return test::read_json(scratch_.path() / "analysis" / "scaling.json");
  }
  test::ScratchDirectory scratch_;
  std::string flows_;
  std::map<std::string, std::vector<std::array<std::vector<double>, 2>>> energies_;
  std::vector<double> times_;
};

TEST_F(ScalingCommand, ExtrapolatesAndReportsTheDeviations) {
  // t0/a² = (L/8)², √t0/w0 = p^(1/(2p)): larger p on coarser lattices for "wilson".
  // "lcnn" has only a point coarser than fit_max: shown against the joint continuum, not fitted.
  const std::vector<std::pair<std::string, int>> ensembles = {
      {"w6", 6}, {"w8", 8}, {"w12", 12}, {"s8", 8}, {"s12", 12}, {"l6", 6}};
  const std::map<std::string, double> p = {{"w6", 1.25}, {"w8", 1.15}, {"w12", 1.06},
                                           {"s8", 1.02}, {"s12", 1.01}, {"l6", 1.1}};
  for (const auto& [name, l] : ensembles) {
    const double t0 = l * l / 64.0, power = p.at(name);
    write_flow(name, l, {0.3 / std::pow(t0, power), power});
  }
  const auto result = run_fpgauge(arguments(R"("wilson","wilson","wilson","sym","sym","lcnn")",
                                            "--set analysis.fit_max=1.5"),
                                  scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("joint"), std::string::npos) << result.out;
  const nlohmann::json out = analysis();
  std::vector<ScalingPoint> wilson, sym;
  for (std::size_t i = 0; i < ensembles.size(); ++i) {
    const FlowScales s = expected(ensembles[i].first, 0);
    const auto& e = out["ensembles"][i];
    EXPECT_NEAR(e["t0_over_a2"]["value"].get<double>(), s.t0.value, 1e-12);
    EXPECT_NEAR(e["sqrt_t0_over_w0"]["error"].get<double>(), s.sqrt_t0_over_w0.error, 1e-12);
    EXPECT_GT(s.sqrt_t0_over_w0.error, 0.0);
    EXPECT_NEAR(e["box_over_sqrt_t0"].get<double>(), ensembles[i].second / std::sqrt(s.t0.value),
                1e-12);
    if (1.0 / s.t0.value <= 1.5 && i < 5) (i < 3 ? wilson : sym).push_back(point(s));
    EXPECT_EQ(e["fitted"].get<bool>(), 1.0 / s.t0.value <= 1.5);
  }
  EXPECT_EQ(wilson.size(), 2u);  // L = 6 (a²/t0 ≈ 1.8) is shown, not fitted
  const ContinuumFit joint = fit_continuum_limit({wilson, sym});
  EXPECT_NEAR(out["joint_fit"]["continuum"]["value"].get<double>(), joint.continuum.value, 1e-10);
  EXPECT_NEAR(out["fits"]["sym"]["continuum"]["value"].get<double>(),
              fit_continuum_limit({sym}).continuum.value, 1e-10);
  const double y6 = out["ensembles"][0]["sqrt_t0_over_w0"]["value"].get<double>();
  EXPECT_NEAR(out["ensembles"][0]["deviation"]["value"].get<double>(),
              y6 / joint.continuum.value - 1.0, 1e-10);
  EXPECT_GT(out["ensembles"][0]["deviation"]["value"].get<double>(), 0.05);  // p^(1/2p): 9%
  EXPECT_TRUE(out["fits"]["lcnn"].contains("error"));
  EXPECT_FALSE(out["joint_fit"]["slope"].contains("lcnn"));
  const double y_lcnn = out["ensembles"][5]["sqrt_t0_over_w0"]["value"].get<double>();
  EXPECT_NEAR(out["ensembles"][5]["deviation"]["value"].get<double>(),
              y_lcnn / joint.continuum.value - 1.0, 1e-10);
  EXPECT_TRUE(fs::exists(scratch_.path() / "analysis" / "scaling.md"));
  EXPECT_TRUE(fs::exists(scratch_.path() / "analysis" / "run.toml"));
  // A second run does not overwrite the first.
  const auto again = run_fpgauge(arguments(R"("wilson","wilson","wilson","sym","sym","lcnn")"),
                                 scratch_.path());
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
}

TEST_F(ScalingCommand, EachEnsembleCanUseItsOwnEnergyDefinition) {
  write_flow("w8", 8, {0.3, 1.1});
  write_flow("s8", 8, {0.3, 1.2});
  const auto result = run_fpgauge(
      arguments(R"("wilson","sym")", R"(--set 'ensembles.energies=["plaquette","clover"]')"),
      scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("wilson (E: plaquette)"), std::string::npos) << result.out;
  const nlohmann::json out = analysis();
  EXPECT_NEAR(out["ensembles"][0]["sqrt_t0_over_w0"]["value"].get<double>(),
              expected("w8", 1).sqrt_t0_over_w0.value, 1e-12);
  // The x axis keeps the clover t0 (analysis.scale_energy).
  EXPECT_NEAR(out["ensembles"][0]["t0_over_a2"]["value"].get<double>(), expected("w8", 0).t0.value,
              1e-12);
  EXPECT_GT(std::abs(expected("w8", 1).t0.value - expected("w8", 0).t0.value), 0.01);
  EXPECT_NEAR(out["ensembles"][1]["sqrt_t0_over_w0"]["value"].get<double>(),
              expected("s8", 0).sqrt_t0_over_w0.value, 1e-12);
  EXPECT_EQ(out["ensembles"][1]["energy"], "clover");
  EXPECT_TRUE(out["joint_fit"].contains("error"));  // one spacing: a table, no fit
  EXPECT_FALSE(out["ensembles"][0].contains("deviation"));
}

TEST_F(ScalingCommand, BinsConsecutiveConfigurationsBeforeTheJackknife) {
  write_flow("w8", 8, {0.3, 1.1}, 12);
  const auto result = run_fpgauge(arguments(R"("wilson")", "--set 'ensembles.bin_sizes=[3]'"),
                                  scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  const nlohmann::json out = analysis();
  const auto& e = out["ensembles"][0];
  const FlowScales binned = expected("w8", 0, 3), single = expected("w8", 0, 1);
  EXPECT_EQ(e["bin_size"], 3);
  EXPECT_NEAR(e["sqrt_t0_over_w0"]["error"].get<double>(), binned.sqrt_t0_over_w0.error, 1e-12);
  EXPECT_GT(std::abs(binned.sqrt_t0_over_w0.error - single.sqrt_t0_over_w0.error),
            0.05 * single.sqrt_t0_over_w0.error);  // the bins matter for these histories
}

TEST_F(ScalingCommand, LeavesOutTheFirstConfigurationsOfAnEnsemble) {
  write_flow("w8", 8, {0.3, 1.1}, 12);
  const auto result = run_fpgauge(
      arguments(R"("wilson")", "--set 'ensembles.bin_sizes=[2]' --set 'ensembles.discard=[4]'"),
      scratch_.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("8 (2), the first 4 left out"), std::string::npos) << result.out;
  const nlohmann::json e = analysis()["ensembles"][0];
  const FlowScales kept = expected("w8", 0, 2, 4), all = expected("w8", 0, 2);
  EXPECT_EQ(e["configurations"], 8);
  EXPECT_EQ(e["discarded"], 4);
  EXPECT_NEAR(e["sqrt_t0_over_w0"]["value"].get<double>(), kept.sqrt_t0_over_w0.value, 1e-12);
  EXPECT_NEAR(e["t0_over_a2"]["error"].get<double>(), kept.t0.error, 1e-12);
  EXPECT_GT(std::abs(kept.t0.value - all.t0.value), 1e-6);  // the histories differ
}

TEST_F(ScalingCommand, BadInputIsOneErrorNamingTheFileOrKey) {
  write_flow("w8", 8, {0.3, 1.1});
  write_flow("old", 8, {0.3, 1.1}, 10, /*with_extents=*/false);
  struct Case {
    std::string series, extra, expected;
  };
  const std::vector<Case> cases = {
      {R"("wilson")", "", "ensembles.series"},
      {R"("wilson","wilson")", "", "extents"},
      {R"("wilson","wilson")", "--set analysis.energy=symanzik", "E_symanzik"},
      {R"("wilson","")", "", "non-empty"},
      {R"("wilson","wilson")", R"(--set 'ensembles.energies=["clover"]')", "ensembles.energies"},
      {R"("wilson","wilson")", "--set analysis.bin_size=0", "analysis.bin_size"},
      {R"("wilson","wilson")", "--set analysis.bin_size=6", "fewer than two bins"},
      {R"("wilson","wilson")", "--set 'ensembles.discard=[1,-1]'", "ensembles.discard"},
      {R"("wilson","wilson")", "--set 'ensembles.discard=[10,0]'", "all of them discarded"},
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
