// `fpgauge search` end to end on a tiny Wilson-labelled dataset: every grid point is a training
// run whose results (losses, parameter count, receptive field) reach results.json unchanged, the
// best point is the one of least validation loss and its model is copied, a rerun retrains
// nothing and reproduces the results, the parameter budget skips the large point, another card
// is refused, and bad grid values are one clear line naming the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "CommandRunner.h"
#include "LabelTestSupport.h"
#include "ScratchDirectory.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_fpgauge;

class SearchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_wilson_dataset(dir_ / "labels.h5", {2, 2, 2, 2}, 8, 300);
    test::write_bytes(dir_ / "train.toml", fmt::format(R"(
[data]
datasets = ["{}"]
validation_fraction = 0.25

[model]
seed = 5

[optimiser]
learning_rate = 0.01

[training]
epochs = 3
batch_size = 3
)",
                                                       (dir_ / "labels.h5").string()));
    write_card("");
  }

  // The search card: one L-CB of width 1 or 2 and a linear head, two epochs each; `line`
  // ("key = value") replaces the line of its key in [search].
  void write_card(const std::string& line) {
    std::vector<std::string> lines = {
        fmt::format("train_card = \"{}\"", (dir_ / "train.toml").string()),
        "set = [\"training.epochs=2\"]",
        "depths = [1]",
        "widths = [1, 2]",
        "reaches = [1]",
        "rectangles = [false]",
        "mlp = \"\""};
    if (!line.empty()) {
      const std::string key = line.substr(0, line.find(' ') + 1);
      const auto same = std::find_if(lines.begin(), lines.end(),
                                     [&](const std::string& l) { return l.starts_with(key); });
      if (same == lines.end())
        lines.push_back(line);
      else
        *same = line;
    }
    std::string card = "[search]\n";
    for (const std::string& l : lines) card += l + "\n";
    test::write_bytes(dir_ / "search.toml", card);
  }

  test::CommandResult search(const fs::path& output, const std::string& extra = "") {
    return run_fpgauge("search " + quoted(dir_ / "search.toml") + " --output " + quoted(output) +
                           " " + extra,
                       dir_.path(), "OMP_NUM_THREADS=1");
  }

  test::ScratchDirectory dir_;
};

json last_line(const fs::path& file) {
  std::istringstream in(test::file_bytes(file));
  std::string line, last;
  while (std::getline(in, line)) last = line;
  return json::parse(last);
}

// results.json without the wall-clock entries, which no rerun reproduces.
json reproducible(json results) {
  for (json& point : results["points"]) point.erase("timing");
  return results;
}

TEST_F(SearchCli, ComparesEveryPointAndResumesWithoutRetraining) {
  const fs::path out = dir_ / "out";
  const auto result = search(out);
  ASSERT_EQ(result.status, 0) << result.err;
  const json results = json::parse(test::file_bytes(out / "results.json"));
  const json& points = results["points"];
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0]["name"], "d1_w1_r1_p");
  EXPECT_EQ(points[1]["name"], "d1_w2_r1_p");
  double lowest = INFINITY;
  for (const json& point : points) {
    ASSERT_FALSE(point.contains("skipped")) << point.dump();
    const fs::path run = out / "runs" / point["name"].get<std::string>();
    // The architecture of the point, as trained, with its parameter count and receptive field
    // (one L-CB of reach 1 on plaquettes: sites x-1 .. x+2, side 4).
    const nn::LcnnModel best = nn::LcnnModel::load(run / "best.fpglcnn");
    const nn::Architecture architecture =
        nn::Architecture::parse(point["architecture"].get<std::string>());
    EXPECT_EQ(best.architecture(), architecture);
    EXPECT_EQ(point["parameters"], best.weights().size());
    EXPECT_EQ(point["parameters"], architecture.parameter_count());
    EXPECT_EQ(point["receptive_field_side"], architecture.receptive_field().side());
    EXPECT_EQ(point["receptive_field_side"], 4);
    // The losses are those of the training log, finite and positive.
    const json final_line = last_line(run / "log.jsonl");
    EXPECT_EQ(point["best_validation_loss"], final_line["best_validation_loss"]);
    EXPECT_EQ(point["epochs"], 2);
    for (const char* key :
         {"best_validation_loss", "validation_value_error", "validation_derivative_error"}) {
      const double x = point[key];
      EXPECT_TRUE(std::isfinite(x) && x > 0.0) << key << " " << x;
    }
    const json& timing = point["timing"];
    EXPECT_GT(timing["ms_per_value_and_force"].get<double>(), 0.0);
    EXPECT_GT(timing["training_seconds"].get<double>(), 0.0);
    EXPECT_EQ(timing["extents"], json::array({2, 2, 2, 2}));
    lowest = std::min(lowest, point["best_validation_loss"].get<double>());
  }
  // The best point has the least validation loss; its model is the copy in DIR.
  const std::string best = results["best"]["name"];
  EXPECT_EQ(results["best"]["best_validation_loss"].get<double>(), lowest);
  EXPECT_EQ(test::file_bytes(out / "best.fpglcnn"),
            test::file_bytes(out / "runs" / best / "best.fpglcnn"));
  const std::string table = test::file_bytes(out / "results.md");
  EXPECT_NE(table.find("best: " + best), std::string::npos) << table;
  EXPECT_NE(result.out.find("| 1 | " + best + " |"), std::string::npos) << result.out;
  EXPECT_NE(results["run_card"].get<std::string>().find("widths = [ 1, 2 ]"), std::string::npos)
      << results["run_card"];

  // The same command again: nothing is retrained, the results are the same.
  const fs::path log = out / "runs" / "d1_w1_r1_p" / "log.jsonl";
  const std::string log_bytes = test::file_bytes(log);
  const auto log_time = fs::last_write_time(log);
  const auto again = search(out);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("complete"), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("epoch 1/2"), std::string::npos) << again.out;
  EXPECT_EQ(test::file_bytes(log), log_bytes);
  EXPECT_EQ(fs::last_write_time(log), log_time);
  EXPECT_EQ(reproducible(json::parse(test::file_bytes(out / "results.json"))),
            reproducible(results));
  EXPECT_EQ(test::file_bytes(out / "best.fpglcnn"),
            test::file_bytes(out / "runs" / best / "best.fpglcnn"));

  // Another card: refused, naming the line. --force with a parameter budget between the two
  // points: the large one is skipped and listed, and the old runs are gone.
  const auto other = search(out, "--set search.mlp=4");
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("another card"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("mlp = '4'"), std::string::npos) << other.err;
  const std::int64_t small = points[0]["parameters"], large = points[1]["parameters"];
  ASSERT_LT(small, large);
  const auto budget = search(out, fmt::format("--set search.max_parameters={} --force", small));
  ASSERT_EQ(budget.status, 0) << budget.err;
  const json limited = json::parse(test::file_bytes(out / "results.json"));
  ASSERT_EQ(limited["points"].size(), 2u);
  EXPECT_FALSE(limited["points"][0].contains("skipped"));
  EXPECT_NE(limited["points"][1]["skipped"].get<std::string>().find("search.max_parameters"),
            std::string::npos)
      << limited["points"][1];
  EXPECT_EQ(limited["points"][1]["parameters"], large);
  EXPECT_FALSE(fs::exists(out / "runs" / "d1_w2_r1_p"));
  EXPECT_EQ(limited["best"]["name"], "d1_w1_r1_p");
  EXPECT_NE(budget.out.find("skipped"), std::string::npos) << budget.out;
}

TEST_F(SearchCli, DiagonalOffsetsAreAGridAxis) {
  // Both values of the axis for widths 1 and 2, with a budget that trains only the smallest
  // point: the others are named, described and skipped.
  write_card("diagonals = [false, true]");
  const fs::path out = dir_ / "out";
  const auto result = search(out, "--set search.max_parameters=1420");
  ASSERT_EQ(result.status, 0) << result.err;
  const json points = json::parse(test::file_bytes(out / "results.json"))["points"];
  ASSERT_EQ(points.size(), 4u);
  const char* const names[] = {"d1_w1_r1_p", "d1_w1_r1_p_diag", "d1_w2_r1_p", "d1_w2_r1_p_diag"};
  for (std::size_t k = 0; k < 4; ++k) {
    const json& point = points[k];
    EXPECT_EQ(point["name"], names[k]);
    const bool diagonals = k % 2 == 1;
    EXPECT_EQ(point["diagonals"], diagonals);
    const nn::Architecture architecture =
        nn::Architecture::parse(point["architecture"].get<std::string>());
    EXPECT_EQ(architecture.uses_diagonals(), diagonals);
    EXPECT_EQ(point["parameters"], architecture.parameter_count());
    EXPECT_EQ(point.contains("skipped"), k > 0) << point.dump();
  }
  EXPECT_EQ(points[0]["parameters"], 1420);  // 1·13·(2·6·9 + 1) + 2 + 1
}

TEST_F(SearchCli, BadInputIsOneClearLine) {
  const auto fails_naming = [&](const std::string& extra, const std::string& key) {
    write_card(extra);
    const fs::path out = dir_ / "bad";
    const auto result = search(out);
    EXPECT_EQ(result.status, 1) << extra;
    EXPECT_NE(result.err.find(key), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_FALSE(fs::exists(out)) << extra;  // refused before anything is written
  };
  fails_naming("depths = [0]", "search.depths");
  fails_naming("depths = []", "search.depths");
  fails_naming("widths = [2, 0]", "search.widths");
  fails_naming("reaches = [1, 1]", "search.reaches");
  fails_naming("rectangles = []", "search.rectangles");
  fails_naming("diagonals = [true, true]", "search.diagonals");
  fails_naming("mlp = \"4 x\"", "search.mlp");
  fails_naming("max_parameters = 10", "search.max_parameters");
  fails_naming("set = [\"model.architecture=input plaquettes; trace; mlp\"]", "search.set");
  fails_naming("set = [\"data.validation_fraction=0\"]", "data.validation_fraction");
  fails_naming("train_card = \"absent.toml\"", "search.train_card");
  // A base card without validation configurations: the points could not be compared.
  test::write_bytes(dir_ / "no_validation.toml", "[data]\nvalidation_fraction = 0.0\n");
  fails_naming(fmt::format("train_card = \"{}\"", (dir_ / "no_validation.toml").string()),
               "data.validation_fraction = 0");
}

}  // namespace
}  // namespace fpgauge
