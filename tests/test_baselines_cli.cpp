// `fpgauge baselines` on tiny label datasets made from the Symanzik action's values and forces
// (no FP minimisation): the rescale of Symanzik is 1 with zero loss, the others are worse, and
// the fitted fat-link file is an action of the factory that reproduces its recorded loss.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "CommandRunner.h"
#include "LabelTestSupport.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/train/FatLinkFit.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::read_json;
using test::run_fpgauge;

const Coordinates kCoarse = {3, 3, 3, 3};

// Labels A_FP = A_Symanzik, ∂A_FP = ∂A_Symanzik on near-unit fields of several roughnesses.
void write_symanzik_labels(const fs::path& file, std::uint64_t seed, int records) {
  const GaugeLoopAction symanzik = GaugeLoopAction::symanzik();
  std::vector<LabelRecord> labels;
  for (int k = 0; k < records; ++k)
    labels.push_back(test::action_label(
        symanzik, test::near_unit_gauge_field(Geometry::make(kCoarse), seed + k, 0.3 + 0.4 * k),
        fmt::format("symanzik-{}-{}", seed, k)));
  test::write_action_dataset(file, symanzik, labels);
}

class BaselinesCommand : public ::testing::Test {
 protected:
  BaselinesCommand() {
    write_symanzik_labels(dir_ / "training.h5", 10, 3);
    write_symanzik_labels(dir_ / "validation.h5", 20, 2);
    test::write_bytes(dir_ / "card.toml", fmt::format(R"([data]
training = ['{}']
validation = ['{}']

[loss]
lambda = 0.5

[fatlink]
degree = 2
normalised = false
scan_points = 4
c_tolerance = 0.02
)",
                                                      (dir_ / "training.h5").string(),
                                                      (dir_ / "validation.h5").string()));
  }
  test::CommandResult baselines(const std::string& more = "") const {
    return run_fpgauge("baselines " + quoted(dir_ / "card.toml") + " --output " +
                           quoted(dir_ / "out") + " " + more,
                       dir_.path(), "OMP_WAIT_POLICY=passive");
  }

  test::ScratchDirectory dir_;
};

TEST_F(BaselinesCommand, FitsAndRescales) {
  const auto result = baselines();
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("baselines: "), std::string::npos) << result.err;  // progress
  for (const char* name : {"run.toml", "fatlink.json", "rescale.json", "log.jsonl"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / name)) << name;
  EXPECT_NE(result.out.find("symanzik"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("fatlink"), std::string::npos) << result.out;

  const nlohmann::json rescale = read_json(dir_ / "out" / "rescale.json");
  EXPECT_EQ(rescale["lambda"], 0.5);
  EXPECT_NE(rescale["run_card"].get<std::string>().find("scan_points = 4"), std::string::npos);
  ASSERT_EQ(rescale["actions"].size(), 4u);
  const double fatlink_loss = rescale["fatlink"]["validation"]["total"];
  for (const auto& entry : rescale["actions"]) {
    const double factor = entry["factor"], loss = entry["validation"]["total"];
    if (entry["action"] == "symanzik") {
      EXPECT_NEAR(factor, 1.0, 1e-12);
      EXPECT_LT(loss, 1e-12);
    } else {
      EXPECT_GT(loss, 1e-3) << entry["action"];
      EXPECT_LE(loss, entry["unscaled"]["validation"]["total"].get<double>() + 1e-15)
          << entry["action"];
    }
    // The fat-link family holds s·A_W for every c (p_10 = s/3, the rest 0), so its least
    // squares cannot do worse on the training labels.
    if (entry["action"] == "wilson") {
      EXPECT_LE(rescale["fatlink"]["training"]["total"].get<double>(),
                entry["training"]["total"].get<double>());
    }
  }

  // The fitted file is an action whose loss on the validation labels is the recorded one.
  const auto fatlink = make_action("fatlink:" + (dir_ / "out" / "fatlink.json").string());
  const auto validation = read_label_dataset(dir_ / "validation.h5");
  const LabelLoss loss = label_loss(compare_with_labels(*fatlink, validation.records), 0.5);
  EXPECT_NEAR(loss.total, fatlink_loss, 1e-12 * fatlink_loss + 1e-15);
  const nlohmann::json fit = read_json(dir_ / "out" / "fatlink.json");
  EXPECT_EQ(fit["degree"], 2);
  EXPECT_EQ(fit["fit"]["data"]["training_records"], 3);
  EXPECT_EQ(fit["fit"]["c_search"]["tried"].size(),
            static_cast<std::size_t>(fat_link_fit_evaluations(
                {.degree = 2, .lambda = 0.5, .c_min = 0.0, .c_max = 0.16, .scan_points = 4,
                 .c_tolerance = 0.02})));
  std::ifstream log(dir_ / "out" / "log.jsonl");
  int lines = 0;
  for (std::string line; std::getline(log, line); ++lines)
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  EXPECT_EQ(lines, static_cast<int>(fit["fit"]["c_search"]["tried"].size()) + 4);

  EXPECT_FALSE(fit["fit"]["normalised"].get<bool>());

  // A second run refuses to replace the first unless --force.
  const auto again = baselines();
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.err.find("fpgauge: error: "), std::string::npos) << again.err;
  EXPECT_EQ(baselines("--force").status, 0);
}

// Weighted training datasets ({file, weight}) and the normalised fit: the file keeps
// A/A_W → 1, records the weights, and its training loss is the weighted one.
TEST_F(BaselinesCommand, WeightedDatasetsAndTheNormalisedFit) {
  write_symanzik_labels(dir_ / "extra.h5", 30, 2);
  const auto result = baselines(
      "--set fatlink.normalised=true --set \"data.training=[" + quoted(dir_ / "training.h5") +
      ", {file = " + quoted(dir_ / "extra.h5") + ", weight = 3.0}]\"");
  ASSERT_EQ(result.status, 0) << result.err;
  const nlohmann::json fit = read_json(dir_ / "out" / "fatlink.json");
  EXPECT_TRUE(fit["fit"]["normalised"].get<bool>());
  EXPECT_EQ(fit["fit"]["data"]["training_records"], 5);
  EXPECT_EQ(fit["fit"]["data"]["training"][1]["weight"], 3.0);
  const FatLinkAction fatlink = FatLinkAction::load(dir_ / "out" / "fatlink.json");
  EXPECT_NEAR(fatlink.classical_normalisation(), 1.0, 1e-12);
  const nlohmann::json rescale = read_json(dir_ / "out" / "rescale.json");
  EXPECT_NEAR(rescale["fatlink"]["classical_normalisation"].get<double>(), 1.0, 1e-12);

  std::vector<LabelRecord> training = read_label_dataset(dir_ / "training.h5").records;
  for (LabelRecord& r : read_label_dataset(dir_ / "extra.h5").records)
    training.push_back(std::move(r));
  const LabelLoss weighted =
      label_loss(compare_with_labels(fatlink, training, {1, 1, 1, 3, 3}), 0.5);
  const double recorded = fit["fit"]["loss"]["training"]["total"];
  EXPECT_NEAR(weighted.total, recorded, 1e-12 * recorded + 1e-15);
  const LabelLoss plain = label_loss(compare_with_labels(fatlink, training), 0.5);
  EXPECT_GT(std::abs(plain.total - recorded), 1e-6 * recorded);
}

TEST_F(BaselinesCommand, BadInputGivesOneClearError) {
  auto result = baselines("--set \"data.training=[" + quoted(dir_ / "absent.h5") + "]\"");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("data.training"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  result = baselines("--set \"data.validation=[" + quoted(dir_ / "training.h5") + "]\"");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("data.validation"), std::string::npos) << result.err;
  // one λ for the fit: a dataset's own derivative_weight is fpgauge train's
  result = baselines("--set \"data.training=[{file=" + quoted(dir_ / "training.h5") +
                     ", derivative_weight=0.0}]\"");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("derivative_weight"), std::string::npos) << result.err;
  result = baselines("--set fatlink.c_max=0.3");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("fatlink.c_max"), std::string::npos) << result.err;
  result = baselines("--set fatlink.degree=5");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("fatlink.degree"), std::string::npos) << result.err;
  // a file that is not a dataset: read_label_dataset names it
  test::write_bytes(dir_ / "junk.h5", "not hdf5");
  result = baselines("--set \"data.training=[" + quoted(dir_ / "junk.h5") + "]\"");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("junk.h5"), std::string::npos) << result.err;
  // labels of another RG transformation (here another fine action) cannot join the fit
  test::write_wilson_dataset(dir_ / "wilson.h5", kCoarse, 2, 40);
  for (const std::string key : {"data.training", "data.validation"}) {
    const std::string other = key == "data.training"
                                  ? "[" + quoted(dir_ / "training.h5") + ", " + quoted(dir_ / "wilson.h5") + "]"
                                  : "[" + quoted(dir_ / "wilson.h5") + "]";
    result = baselines("--set \"" + key + "=" + other + "\"");
    EXPECT_EQ(result.status, 1) << key;
    EXPECT_NE(result.err.find("wilson.h5"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("fine_action"), std::string::npos) << result.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
}  // namespace fpgauge
