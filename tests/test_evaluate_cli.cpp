// `fpgauge evaluate` on labels made from a known action (A_FP = 0.7 A_Symanzik, no FP
// minimisation): the errors of every action are known in closed form, the fat-link ansatz with
// p_10 = 1/3 is the Wilson action, and the symmetry and instanton sections are checked against
// exact invariances and against `fpgauge instantons`' own numbers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "CommandRunner.h"
#include "LabelTestSupport.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/io/LabelDataset.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::read_json;
using test::run_fpgauge;

constexpr double kLabelScale = 0.7;

// Labels A_FP = 0.7 A_Symanzik, ∂A_FP = 0.7 ∂A_Symanzik on 3^4 near-unit fields; with `starts`
// > 1 the records claim 1 + k minima and derivative spread 0.1 k, as a multi-start run would.
void write_scaled_symanzik_labels(const fs::path& file, std::uint64_t seed, int records,
                                  int starts = 1) {
  const GaugeLoopAction symanzik = GaugeLoopAction::symanzik();
  std::vector<LabelRecord> labels;
  for (int k = 0; k < records; ++k) {
    labels.push_back(test::action_label(
        symanzik, test::near_unit_gauge_field(Geometry::make({3, 3, 3, 3}), seed + k, 0.3 + 0.3 * k),
        fmt::format("symanzik-{}-{}", seed, k), kLabelScale));
    if (starts > 1) {
      labels.back().minima = 1 + k;
      labels.back().derivative_spread = 0.1 * k;
    }
  }
  test::write_action_dataset(
      file, symanzik, labels,
      starts > 1 ? fmt::format(R"({{"starts":{{"count":{}}}}})", starts) : R"({"name":"none"})");
}

class EvaluateCommand : public ::testing::Test {
 protected:
  EvaluateCommand() {
    write_scaled_symanzik_labels(dir_ / "b1.h5", 10, 3, 4);
    write_scaled_symanzik_labels(dir_ / "b2.h5", 20, 2);
    // The fat-link ansatz with the single monomial u = Re tr(1 − P), p = 1/3: the Wilson action.
    FatLinkAction(0.05, 1, {1.0 / 3.0, 0.0}).save(dir_ / "fatlink.json", false);
    test::write_bytes(dir_ / "rescale.json",
                      R"({"actions": [{"action": "wilson", "factor": 1.0},
                                      {"action": "symanzik", "factor": 0.7}]})");
    EXPECT_EQ(run_fpgauge("lcnn init 'input plaquettes; lcb 2; act tanh; trace; mlp 4' --seed 3 "
                          "--output " + quoted(dir_ / "model.fpglcnn"),
                          dir_.path())
                  .status,
              0);
    EXPECT_EQ(run_fpgauge("instantons " + quoted(fs::path(FPGAUGE_SOURCE_DIR) / "configs/instantons.toml") +
                              " --set lattice.extents=[6,6,6,6] --set instanton.sizes=[1.0,1.5]"
                              " --set 'instanton.offsets=[[0.0,0.0,0.0,0.0]]' --output " +
                              quoted(dir_ / "instantons"),
                          dir_.path())
                  .status,
              0);
    // an isolated instanton: on 16^4 the periodic gluing adds 0.3% at ρ = 1 (on 6^4: 6%)
    EXPECT_EQ(run_fpgauge("instantons " + quoted(fs::path(FPGAUGE_SOURCE_DIR) / "configs/instantons.toml") +
                              " --set lattice.extents=[16,16,16,16] --set instanton.sizes=[1.0]"
                              " --set 'instanton.offsets=[[0.0,0.0,0.0,0.0]]' --output " +
                              quoted(dir_ / "isolated"),
                          dir_.path())
                  .status,
              0);
    // Relative names are taken from the working directory: the card says where they are.
    test::write_bytes(dir_ / "card.toml", fmt::format(R"([actions]
lcnn = "{0}/model.fpglcnn"
models = [{{name = "again", file = "{0}/model.fpglcnn"}}]
fatlink = "{0}/fatlink.json"
rescale = "{0}/rescale.json"
standard = ["wilson", "symanzik"]

[data]
test = [{{file = "{0}/b1.h5", beta = 6.0}}, {{file = "{0}/b2.h5", beta = 8.0}}]
transfer = ["{0}/b2.h5"]

[instantons]
configurations = ["{0}/instantons", "{0}/isolated"]

[symmetry]
configurations = 2

[output]
directory = "{0}/out"
plots = false
)", dir_.path().string()));
  }
  test::CommandResult evaluate(const std::string& more = "") const {
    return run_fpgauge("evaluate " + quoted(dir_ / "card.toml") + " " + more, dir_.path(),
                       "OMP_WAIT_POLICY=passive");
  }

  test::ScratchDirectory dir_;
};

TEST_F(EvaluateCommand, ErrorsSymmetriesAndInstantonsAreTheKnownValues) {
  const auto result = evaluate();
  ASSERT_EQ(result.status, 0) << result.err;
  const json report = read_json(dir_ / "out/report.json");
  ASSERT_EQ(report["actions"].size(), 5u);
  EXPECT_EQ(report["actions"][1]["key"], "again");
  EXPECT_DOUBLE_EQ(report["actions"][4]["scale"].get<double>(), kLabelScale);

  // Against A_FP = 0.7 A_Sym: Symanzik rescaled by 0.7 is exact; Wilson's value error is
  // |A_W/A_FP − 1| on average; the fat-link file is the Wilson action.
  ASSERT_EQ(report["errors"].size(), 2u);
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  for (const json& set : report["errors"]) {
    const json& actions = set["actions"];
    const LabelDataset labels = read_label_dataset(set["file"].get<std::string>());
    double wilson_error = 0.0;
    for (const LabelRecord& r : labels.records)
      wilson_error += std::abs(wilson.value(r.configuration) / r.action - 1.0) / labels.records.size();
    EXPECT_NEAR(actions["wilson"]["value"]["mean"].get<double>(), wilson_error, 1e-13);
    EXPECT_LT(actions["symanzik"]["value"]["max"].get<double>(), 1e-12);
    EXPECT_LT(actions["symanzik"]["derivative"]["max"].get<double>(), 1e-7);  // sqrt of round-off
    for (const char* key : {"value", "derivative"}) {
      EXPECT_NEAR(actions["fatlink"][key]["mean"].get<double>(),
                  actions["wilson"][key]["mean"].get<double>(), 1e-12);
      EXPECT_GT(actions["wilson"][key]["mean"].get<double>(), 1e-3);
      EXPECT_GT(actions["lcnn"][key]["mean"].get<double>(), 1e-3);
    }
    EXPECT_EQ(actions["again"], actions["lcnn"]);  // a further model, here the same one
  }
  EXPECT_EQ(report["errors"][0]["records"].get<int>(), 3);
  EXPECT_EQ(report["errors"][0]["labels"]["starts"], 4);
  EXPECT_EQ(report["errors"][0]["labels"]["several_minima"], 2);
  EXPECT_NEAR(report["errors"][0]["labels"]["mean_derivative_spread"].get<double>(), 0.1, 1e-15);
  EXPECT_EQ(report["errors"][1]["labels"]["starts"], 1);
  EXPECT_DOUBLE_EQ(report["errors"][1]["beta"].get<double>(), 8.0);
  ASSERT_EQ(report["volume_transfer"].size(), 1u);
  EXPECT_EQ(report["volume_transfer"][0]["actions"], report["errors"][1]["actions"]);

  // Symmetries: every action is gauge invariant; all but the L-CNN are hypercubic.
  for (const auto& [key, s] : report["symmetry"]["actions"].items()) {
    EXPECT_LT(s["gauge_variation"].get<double>(), 1e-12) << key;
    if (key == "lcnn" || key == "again")
      EXPECT_GT(s["hypercubic_spread"].get<double>(), 1e-6) << key;
    else
      EXPECT_LT(s["hypercubic_spread"].get<double>(), 1e-12) << key;
  }
  // Locality: every action responds at the rotated link itself.
  for (const auto& [key, l] : report["locality"]["actions"].items())
    EXPECT_GT(l["profile"][0]["response"].get<double>(), 0.0) << key;

  // Instantons: the Wilson action with open boundaries is what fpgauge instantons reports.
  const json index = read_json(dir_ / "instantons/index.json");
  ASSERT_EQ(report["instantons"]["configurations"].size(), 3u);
  for (std::size_t k = 0; k < 2; ++k) {
    const json& c = report["instantons"]["configurations"][k];
    EXPECT_EQ(c["rho"], index["configurations"][k]["rho"]);
    EXPECT_NEAR(c["wilson_open"].get<double>(),
                index["configurations"][k]["wilson_action_over_continuum"].get<double>(), 1e-12);
    EXPECT_NEAR(c["actions"]["fatlink"].get<double>(), c["actions"]["wilson"].get<double>(), 1e-12);
    EXPECT_TRUE(c["fp"].is_null());
  }
  // Classical limit: the plaquette+rectangle actions and the Wilson-like fat-link file have
  // A/A_W → 1 unscaled; the L-CNN's is what evaluation::classical_normalisation says.
  for (const char* key : {"wilson", "symanzik", "fatlink"})
    EXPECT_NEAR(report["classical_limit"]["actions"][key]["normalisation"].get<double>(), 1.0,
                1e-6)
        << key;
  EXPECT_EQ(report["summary"]["lcnn_classical_normalisation"],
            report["classical_limit"]["actions"]["lcnn"]["normalisation"]);
  EXPECT_TRUE(report["summary"].contains("lcnn_derivative_error_10x_smaller_at_every_dataset"));
  // Only the 16^4 instanton is isolated (gluing < 0.5%); without labels no comparison with them.
  const json& isolated = report["instantons"]["configurations"][2];
  EXPECT_LT(isolated["wilson_periodic"].get<double>() - isolated["wilson_open"].get<double>(), 0.005);
  EXPECT_GT(report["instantons"]["configurations"][0]["wilson_periodic"].get<double>() -
                report["instantons"]["configurations"][0]["wilson_open"].get<double>(),
            0.005);
  EXPECT_EQ(report["summary"]["lcnn_instanton_isolated_rho_ge_1"], 1);
  EXPECT_DOUBLE_EQ(report["summary"]["lcnn_instanton_largest_deviation_rho_ge_1"].get<double>(),
                   std::abs(isolated["actions"]["lcnn"].get<double>() - 1.0));
  EXPECT_TRUE(report["summary"].contains("lcnn_instanton_within_2_percent_rho_ge_1"));
  EXPECT_FALSE(report["summary"].contains("lcnn_instanton_largest_deviation_from_fp_label"));

  std::ifstream md(dir_ / "out/report.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  for (const char* section : {"## Errors against the FP labels", "## Volume transfer",
                              "## Instantons", "## Locality", "## Lattice symmetries",
                              "## Classical continuum limit", "## Summary"})
    EXPECT_NE(text.find(section), std::string::npos) << section;
  EXPECT_NE(text.find("| beta = 6 | 4 | 2 of 3 | 1.000e-01 |"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(dir_ / "out/run.toml"));

  // An existing report is kept unless --force.
  const auto again = evaluate();
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(evaluate("--force").status, 0);
}

TEST_F(EvaluateCommand, BadInputGivesOneClearError) {
  const auto fails_naming = [&](const std::string& more, const std::string& key) {
    const auto result = evaluate(more);
    EXPECT_EQ(result.status, 1) << more;
    EXPECT_NE(result.err.find(key), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(dir_ / "out")) << more;
  };
  fails_naming("--set actions.lcnn=/absent.fpglcnn", "actions.lcnn");
  fails_naming("--set 'actions.standard=[\"nonsense\"]'", "actions.standard");
  fails_naming("--set 'data.test=[]' --set 'instantons.configurations=[]'", "data.test");
  fails_naming("--set 'data.test=[\"/absent.h5\"]'", "absent.h5");
  fails_naming("--set 'actions.standard=[\"iwasaki\"]'", "actions.rescale");
  fails_naming("--set locality.epsilon=0.5", "locality.epsilon");
  test::write_bytes(dir_ / "junk.h5", "not hdf5");  // read before the output directory is made
  fails_naming("--set 'data.transfer=[\"" + (dir_ / "junk.h5").string() + "\"]'", "junk.h5");
  fails_naming("--set 'actions.models=[{name = \"wilson\", file = \"" + (dir_ / "model.fpglcnn").string() +
                   "\"}]'",
               "actions.models");
  fails_naming("--set 'actions.models=[{name = \"lcnn\", file = \"x\"}]'", "actions.models[0]");
}

}  // namespace
}  // namespace fpgauge
