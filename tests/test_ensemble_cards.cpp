// The training-ensemble cards of configs/ensembles/ (SPEC §4): every generate_*.toml parses and
// runs, and its label_*.toml labels that run's configurations (the chain of
// configs/ensembles/README.md), on a coarse 2^4 lattice with a few updates so that the whole
// chain takes seconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "fpgauge/io/LabelDataset.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
const fs::path kEnsembles = fs::path(FPGAUGE_SOURCE_DIR) / "configs" / "ensembles";

std::vector<fs::path> generate_cards() {
  std::vector<fs::path> cards;
  for (const auto& entry : fs::directory_iterator(kEnsembles)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("generate_", 0) == 0 && entry.path().extension() == ".toml")
      cards.push_back(entry.path());
  }
  std::sort(cards.begin(), cards.end());
  return cards;
}

TEST(EnsembleCards, EveryCardRunsAndItsLabelCardReadsItsOutput) {
  const std::vector<fs::path> cards = generate_cards();
  ASSERT_GE(cards.size(), 5u) << "configs/ensembles/ should hold the training ensembles of SPEC §4";
  test::ScratchDirectory dir;
  for (const fs::path& card : cards) {
    SCOPED_TRACE(card.filename().string());
    const std::string ensemble = card.stem().string().substr(std::string("generate_").size());
    const fs::path label_card = kEnsembles / ("label_" + ensemble + ".toml");
    ASSERT_TRUE(fs::exists(label_card)) << label_card;
    // The label card reads what the generate card writes, with the same relative path.
    const toml::table generate = toml::parse_file(card.string());
    const toml::table label = toml::parse_file(label_card.string());
    const toml::array* inputs = label.at_path("input.configurations").as_array();
    ASSERT_TRUE(inputs && inputs->size() == 1);
    EXPECT_EQ(inputs->at(0).value<std::string>(), generate.at_path("run.output").value<std::string>());

    const fs::path run = dir / ensemble, labels = dir / (ensemble + ".h5");
    const auto generated = test::run_fpgauge(
        "generate " + test::quoted(card) +
            " --set lattice.extents=[2,2,2,2] --set run.thermalisation=3 --set run.configurations=1"
            " --set run.separation=1 --output " + test::quoted(run),
        dir.path(), "OMP_WAIT_POLICY=passive");
    ASSERT_EQ(generated.status, 0) << generated.err;
    const auto labelled = test::run_fpgauge(
        "label " + test::quoted(label_card) + " --set \"input.configurations=['" + run.string() +
            "']\" --output " + test::quoted(labels),
        dir.path(), "OMP_WAIT_POLICY=passive");
    ASSERT_EQ(labelled.status, 0) << labelled.err;
    const LabelDataset dataset = read_label_dataset(labels);
    ASSERT_EQ(dataset.records.size(), 1u);
    EXPECT_TRUE(dataset.records[0].converged);
    EXPECT_GT(dataset.records[0].action, 0.0);
  }
}

}  // namespace
}  // namespace fpgauge
