// `fpgauge quickstart --size tiny`: the whole chain (ensembles, labels, instantons, baselines,
// training, evaluation) runs, writes every step's card and a report with every section, and a
// rerun continues instead of starting over.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_fpgauge;

TEST(QuickstartCli, TinyChainWritesEveryReportSectionAndResumes) {
  test::ScratchDirectory dir;
  const fs::path out = dir / "qs";
  const auto quickstart = [&](const std::string& more) {
    return run_fpgauge("quickstart --size tiny --out " + quoted(out) + " " + more, dir.path(),
                       "OMP_WAIT_POLICY=passive");
  };
  const auto result = quickstart("");
  ASSERT_EQ(result.status, 0) << result.err;

  const nlohmann::json report = test::read_json(out / "evaluate/report.json");
  EXPECT_EQ(report["errors"].size(), 2u);  // one test dataset per beta
  for (const char* section : {"instantons", "locality", "symmetry", "classical_limit", "summary"})
    EXPECT_TRUE(report.contains(section)) << section;
  std::vector<std::string> keys;
  for (const auto& action : report["actions"]) keys.push_back(action["key"]);
  EXPECT_EQ(keys, (std::vector<std::string>{"lcnn", "shipped", "fatlink", "wilson", "symanzik", "iwasaki",
                                      "dbw2"}));
  for (const auto& set : report["errors"])
    for (const auto& key : keys) EXPECT_GT(set["actions"][key]["derivative"]["mean"].get<double>(), 0.0);
  EXPECT_EQ(report["instantons"]["configurations"].size(), 2u);
  EXPECT_TRUE(report["summary"].contains("smallest_derivative_error_ratio"));
  for (const char* card : {"generate_b5.7", "label_train_b8.0", "label_test_b5.7", "instantons",
                           "train", "baselines", "evaluate"})
    EXPECT_TRUE(fs::exists(out / "cards" / (std::string(card) + ".toml"))) << card;
  EXPECT_TRUE(fs::exists(out / "evaluate/report.md"));
  // The L-CNN is a correction to the fat-link ansatz the baselines step fitted.
  EXPECT_EQ(nn::LcnnModel::load(out / "train/best.fpglcnn").base_action(),
            test::read_json(out / "baselines/fatlink.json"));

  // A rerun finds the steps done: the training log is not touched.
  const auto log_time = fs::last_write_time(out / "train/log.jsonl");
  const auto again = quickstart("");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(fs::last_write_time(out / "train/log.jsonl"), log_time);
  EXPECT_NE(again.out.find("is complete"), std::string::npos);

  // Another size on the same directory, or a directory that is not a quickstart's, is refused.
  auto refused = run_fpgauge("quickstart --size small --out " + quoted(out), dir.path());
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  fs::create_directories(dir / "other");
  test::write_bytes(dir / "other/data.txt", "keep me");
  refused = run_fpgauge("quickstart --size tiny --force --out " + quoted(dir / "other"), dir.path());
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(fs::exists(dir / "other/data.txt"));
}

}  // namespace
}  // namespace fpgauge
