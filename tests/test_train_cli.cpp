// `fpgauge train` end to end on tiny Wilson-labelled datasets (two datasets with different
// extents and weights, so batches mix lattices): it lowers the validation loss of its initial
// model, writes every output, resumes after SIGKILL bit for bit (also with another thread
// count), refuses a changed card, gives the same model on 1 and 2 MPI ranks, and reports bad
// input in one line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "CommandRunner.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/LcnnAction.h"
#include "ScratchDirectory.h"
#include "LabelTestSupport.h"
#include "fpgauge/lattice/Communicator.h"
#include "fpgauge/nn/LcnnModel.h"
#include "fpgauge/train/TrainingData.h"
#include "fpgauge/train/TrainingLoss.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_fpgauge;

constexpr const char* kArchitecture = "input plaquettes; lcb 2; trace; mlp";
// The card's optimiser turned into full-batch L-BFGS (no weight decay; first step 0.1).
const std::vector<std::string> kLbfgs{"optimiser.kind=lbfgs", "optimiser.weight_decay=0",
                                      "optimiser.learning_rate=0.1"};

// " --set A --set B ..." for the settings A, B, ...
std::string set_options(const std::vector<std::string>& settings) {
  std::string options;
  for (const std::string& setting : settings) options += " --set " + setting;
  return options;
}

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_wilson_dataset(dir_ / "small.h5", {2, 2, 2, 2}, 12, 100);
    test::write_wilson_dataset(dir_ / "long.h5", {3, 2, 2, 2}, 4, 200);
    test::write_bytes(dir_ / "card.toml", fmt::format(R"(
[data]
datasets = ["{}", {{file = "{}", weight = 2.0}}]
validation_fraction = 0.25
test_fraction = 0.125
split_seed = 3

[model]
architecture = "{}"
seed = 22

[optimiser]
kind = "adamw"
learning_rate = 0.01
weight_decay = 1e-4

[schedule]
kind = "cosine"
warmup_steps = 2

[training]
epochs = 10
batch_size = 4
checkpoint_steps = 3
)",
                                                      (dir_ / "small.h5").string(),
                                                      (dir_ / "long.h5").string(), kArchitecture));
  }

  test::CommandResult train(const fs::path& output, const std::string& extra = "",
                            const std::string& environment = "OMP_NUM_THREADS=1") {
    return run_fpgauge("train " + quoted(dir_ / "card.toml") + " --output " + quoted(output) +
                           " " + extra,
                       dir_.path(), environment);
  }

  test::ScratchDirectory dir_;
};

std::vector<json> log_lines(const fs::path& file) {
  std::vector<json> lines;
  std::istringstream in(test::file_bytes(file));
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// The log without its wall-clock entries, which no rerun reproduces.
std::vector<json> reproducible_log(const fs::path& file) {
  std::vector<json> lines = log_lines(file);
  for (json& line : lines) {
    line.erase("seconds");
    line.erase("timing");
  }
  return lines;
}

bool same_bytes(const fs::path& a, const fs::path& b) {
  return test::file_bytes(a) == test::file_bytes(b);
}

// The validation loss (λ = 1) of `model` (with its base action, if any) on the configurations
// split.json lists.
double validation_loss(const nn::LcnnModel& model, const fs::path& run, const fs::path& dir) {
  const std::vector<train::DatasetSource> sources{{dir / "small.h5", 1.0}, {dir / "long.h5", 2.0}};
  train::TrainingData data = train::load_training_data(sources);
  if (!model.base_action().is_null())
    for (train::TrainingLabel& label : data.labels)
      train::subtract_base_action(label, *make_base_action(model.base_action()));
  const json split = json::parse(test::file_bytes(run / "split.json"));
  std::vector<const train::TrainingLabel*> batch;
  for (const json& entry : split["validation"])
    for (std::size_t i = 0; i < data.labels.size(); ++i)
      if (data.origins[i].dataset == entry["dataset"] && data.origins[i].record == entry["record"])
        batch.push_back(&data.labels[i]);
  EXPECT_EQ(batch.size(), split["validation"].size());
  return train::batch_loss(model, batch, 1.0, nullptr, Communicator::world()).mean().loss;
}

TEST_F(TrainCli, LowersTheValidationLossAndWritesEveryOutput) {
  const fs::path run = dir_ / "run";
  const auto result = train(run);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out.find("resuming"), std::string::npos);
  EXPECT_NE(result.err.find("train: 30/30 steps (100%)"), std::string::npos) << result.err;
  for (const char* name :
       {"run.toml", "log.jsonl", "split.json", "checkpoint.cbor", "model.fpglcnn", "best.fpglcnn"})
    EXPECT_TRUE(fs::exists(run / name)) << name;
  // split.json: by configuration, round(f N) per dataset (12 and 4 records).
  const json split = json::parse(test::file_bytes(run / "split.json"));
  EXPECT_EQ(split["validation"].size(), 3u + 1u);
  EXPECT_EQ(split["test"].size(), 2u + 1u);  // round(1.5) = 2, round(0.5) = 1
  EXPECT_EQ(split["train"].size(), 7u + 2u);
  // One line per epoch and a final line.
  const std::vector<json> lines = log_lines(run / "log.jsonl");
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[9]["epoch"], 10);
  EXPECT_EQ(lines[9]["step"], 30);  // 3 batches of ≤ 4 per epoch
  EXPECT_TRUE(lines[10]["final"].get<bool>());
  for (const char* key : {"train_loss", "train_value", "train_derivative", "validation_loss",
                          "validation_value_error", "validation_derivative_error",
                          "learning_rate", "seconds"})
    EXPECT_TRUE(lines[3].contains(key)) << key;
  // The best model's validation loss, recomputed here, is the logged one and at least 10×
  // below the initial model's (measured 4.03 -> 0.320, 12.6x; an L-CB layer with a linear head
  // fits the Wilson labels well).
  const nn::LcnnModel initial = nn::LcnnModel::random(nn::Architecture::parse(kArchitecture), 22);
  const nn::LcnnModel best = nn::LcnnModel::load(run / "best.fpglcnn");
  const double before = validation_loss(initial, run, dir_.path());
  const double after = validation_loss(best, run, dir_.path());
  std::printf("[ training ] validation loss %.4g -> %.4g (%.1fx) in 10 epochs\n", before, after,
              before / after);
  EXPECT_NEAR(after, lines[10]["best_validation_loss"].get<double>(), 1e-12 * after);
  EXPECT_LT(after, before / 10);

  // Finetuning starts from a model file: one epoch at a negligible rate keeps its loss.
  const auto tuned = train(dir_ / "tuned", "--set model.start=file --set 'model.file=\"" +
                                              (run / "model.fpglcnn").string() +
                                              "\"' --set training.epochs=1 "
                                              "--set optimiser.learning_rate=1e-9");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  const double final_loss = validation_loss(nn::LcnnModel::load(run / "model.fpglcnn"), run, dir_.path());
  EXPECT_NEAR(log_lines(dir_ / "tuned" / "log.jsonl")[0]["validation_loss"].get<double>(),
              final_loss, 1e-4 * final_loss);
  const auto absent = train(dir_ / "absent", "--set model.start=file --set model.file=nothing.fpglcnn");
  EXPECT_EQ(absent.status, 1);
  EXPECT_NE(absent.err.find("nothing.fpglcnn"), std::string::npos) << absent.err;

  // The same card again: the run is complete. Another card: refused. --force: starts over.
  const auto again = train(run);
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("complete"), std::string::npos) << again.out;
  const auto other = train(run, "--set training.epochs=11");
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("another card"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("epochs = 11"), std::string::npos) << other.err;
  const auto forced = train(run, "--set training.epochs=2 --force");
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(log_lines(run / "log.jsonl").size(), 3u);
}

TEST_F(TrainCli, FullBatchLbfgsLowersTheTrainingLossEveryEpoch) {
  // One L-BFGS iteration per epoch on the whole training set: its line search only accepts
  // decreases, so the training loss falls monotonically. Validation loss measured 4.03 -> 0.104
  // in 10 epochs (AdamW with the same card: 0.320).
  const fs::path run = dir_ / "run";
  const auto result = train(run, set_options(kLbfgs));
  ASSERT_EQ(result.status, 0) << result.err;
  const std::vector<json> lines = log_lines(run / "log.jsonl");
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[9]["step"], 10);
  EXPECT_FALSE(lines[3].contains("learning_rate"));
  for (std::size_t e = 1; e < 10; ++e)
    EXPECT_LT(lines[e]["train_loss"].get<double>(), lines[e - 1]["train_loss"].get<double>()) << e;
  const nn::LcnnModel initial = nn::LcnnModel::random(nn::Architecture::parse(kArchitecture), 22);
  const double before = validation_loss(initial, run, dir_.path());
  const double after = validation_loss(nn::LcnnModel::load(run / "best.fpglcnn"), run, dir_.path());
  std::printf("[ training ] L-BFGS: validation loss %.4g -> %.4g (%.1fx) in 10 epochs\n", before,
              after, before / after);
  EXPECT_LT(after, before / 10);
  // Decoupled weight decay belongs to AdamW.
  const auto decay = train(dir_ / "decay", "--set optimiser.kind=lbfgs");
  EXPECT_EQ(decay.status, 1);
  EXPECT_NE(decay.err.find("optimiser.weight_decay"), std::string::npos) << decay.err;
}

TEST_F(TrainCli, TrainsACorrectionToABaseAction) {
  // The base: 3/4 of a smeared Wilson action, a poor fit of the Wilson labels. The network
  // learns the difference; the model file keeps the base, and the sum fits far better.
  const FatLinkAction base(0.05, 1, {0.25, 0.0});
  base.save(dir_ / "base.json", false);
  const fs::path run = dir_ / "run";
  const std::string base_option = "--set 'model.base=\"" + (dir_ / "base.json").string() + "\"'";
  const auto result = train(run, base_option);
  ASSERT_EQ(result.status, 0) << result.err;
  const nn::LcnnModel best = nn::LcnnModel::load(run / "best.fpglcnn");
  EXPECT_EQ(best.base_action(), base.to_json());
  EXPECT_EQ(nn::LcnnModel::load(run / "model.fpglcnn").base_action(), base.to_json());
  const nn::LcnnModel base_alone(best.architecture(),
                                 std::vector<double>(best.weights().size(), 0.0), base.to_json());
  const double before = validation_loss(base_alone, run, dir_.path());
  const double after = validation_loss(best, run, dir_.path());
  std::printf("[ training ] validation loss of the base %.4g, with the correction %.4g\n", before,
              after);
  EXPECT_NEAR(after, log_lines(run / "log.jsonl").back()["best_validation_loss"].get<double>(),
              1e-12 * after);
  EXPECT_LT(after, before / 10);

  // A model file brings its own base.
  const auto twice = train(dir_ / "twice", "--set model.start=file --set 'model.file=\"" +
                                              (run / "model.fpglcnn").string() +
                                              "\"' " + base_option);
  EXPECT_EQ(twice.status, 1);
  EXPECT_NE(twice.err.find("model.base"), std::string::npos) << twice.err;
  const auto absent = train(dir_ / "absent", "--set model.base=absent.json");
  EXPECT_EQ(absent.status, 1);
  EXPECT_NE(absent.err.find("absent.json"), std::string::npos) << absent.err;
}

TEST_F(TrainCli, ClipsLongGradients) {
  // Every epoch logs its largest batch-gradient norm; with clip_norm below it, steps are clipped
  // and the run differs from the unclipped one.
  const auto plain = train(dir_ / "plain", "--set training.epochs=2");
  ASSERT_EQ(plain.status, 0) << plain.err;
  const std::vector<json> lines = log_lines(dir_ / "plain" / "log.jsonl");
  const double largest = lines[0]["max_gradient_norm"].get<double>();
  EXPECT_GT(largest, 0.0);
  EXPECT_FALSE(lines[0].contains("clipped_steps"));
  const auto clipped = train(dir_ / "clipped", fmt::format("--set training.epochs=2 "
                                                           "--set optimiser.clip_norm={}",
                                                           largest / 1000));
  ASSERT_EQ(clipped.status, 0) << clipped.err;
  const std::vector<json> clipped_lines = log_lines(dir_ / "clipped" / "log.jsonl");
  EXPECT_GT(clipped_lines[0]["max_gradient_norm"].get<double>(), largest / 10);  // before clipping
  EXPECT_GE(clipped_lines[0]["clipped_steps"].get<int>(), 1);
  EXPECT_NE(clipped_lines[0]["train_loss"], lines[0]["train_loss"]);
  EXPECT_NE(clipped_lines[1]["train_loss"], lines[1]["train_loss"]);
  const auto negative = train(dir_ / "negative", "--set optimiser.clip_norm=-1");
  EXPECT_EQ(negative.status, 1);
  EXPECT_NE(negative.err.find("optimiser.clip_norm"), std::string::npos) << negative.err;
}

TEST_F(TrainCli, StopsEarlyAndKeepsTheBestModel) {
  // A learning rate far too high for this model: the validation loss stops improving.
  const fs::path run = dir_ / "run";
  const auto result = train(run, "--set optimiser.learning_rate=0.3 --set schedule.kind=constant "
                                 "--set training.patience=2 --set training.epochs=40");
  ASSERT_EQ(result.status, 0) << result.err;
  const std::vector<json> lines = log_lines(run / "log.jsonl");
  const json& final_line = lines.back();
  ASSERT_TRUE(final_line["stopped_early"].get<bool>()) << final_line.dump();
  const std::size_t epochs = lines.size() - 1;
  EXPECT_LT(epochs, 40u);
  EXPECT_EQ(final_line["epochs"], epochs);
  // Stopped after exactly `patience` epochs without a new best; the best is the minimum.
  EXPECT_FALSE(lines[epochs - 1]["best"].get<bool>());
  EXPECT_FALSE(lines[epochs - 2]["best"].get<bool>());
  EXPECT_TRUE(lines[epochs - 3]["best"].get<bool>());
  double lowest = lines[0]["validation_loss"];
  for (std::size_t e = 0; e < epochs; ++e)
    lowest = std::min(lowest, lines[e]["validation_loss"].get<double>());
  EXPECT_EQ(final_line["best_validation_loss"].get<double>(), lowest);
  EXPECT_EQ(lines[final_line["best_epoch"].get<std::size_t>() - 1]["validation_loss"], lowest);
  const double best = validation_loss(nn::LcnnModel::load(run / "best.fpglcnn"), run, dir_.path());
  EXPECT_NEAR(best, lowest, 1e-12 * lowest);
}

TEST_F(TrainCli, StopsWithAClearErrorWhenTheNetworkSaturates) {
  // A step far too large drives the tanh units of the head into saturation: A_theta is then
  // constant (0 after the unit subtraction) and every gradient exactly zero.
  const fs::path run = dir_ / "run";
  const auto result = train(run, "--set 'model.architecture=\"input plaquettes; lcb 2; act tanh; "
                                 "trace; mlp 4\"' --set optimiser.learning_rate=3 "
                                 "--set schedule.kind=constant --set training.epochs=8");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("the network has saturated"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(run / "model.fpglcnn"));
  EXPECT_LT(log_lines(run / "log.jsonl").size(), 8u);
}

TEST_F(TrainCli, ResumeAfterKillIsBitIdentical) {
  // Adam epochs have 3 steps: the first checkpoint falls on an epoch's end (every 3 steps) or in
  // the middle of the second epoch (every 4). L-BFGS (one step per epoch) resumes with its
  // curvature pairs from the checkpoint of epoch 2.
  using Optimiser = std::vector<std::string>;
  for (const auto& [every, optimiser] :
       std::vector<std::pair<int, Optimiser>>{{3, {}}, {4, {}}, {2, kLbfgs}}) {
    SCOPED_TRACE(fmt::format("checkpoint every {} steps{}", every, set_options(optimiser)));
    std::vector<std::string> settings{fmt::format("training.checkpoint_steps={}", every)};
    settings.insert(settings.end(), optimiser.begin(), optimiser.end());
    const std::string set = set_options(settings);
    const fs::path straight = dir_ / fmt::format("straight{}", every);
    const fs::path killed = dir_ / fmt::format("killed{}", every);
    ASSERT_EQ(train(straight, set).status, 0);
    // Killed (SIGKILL) as soon as its first checkpoint is there, with 2 threads instead of 1.
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
      setenv("OMP_NUM_THREADS", "2", 1);
      const std::string card = (dir_ / "card.toml").string(), output = killed.string();
      std::vector<const char*> arguments{"fpgauge", "train", card.c_str(), "--output",
                                         output.c_str()};
      for (const std::string& setting : settings) {
        arguments.push_back("--set");
        arguments.push_back(setting.c_str());
      }
      arguments.push_back(nullptr);
      execv(FPGAUGE_BINARY, const_cast<char* const*>(arguments.data()));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(killed / "checkpoint.cbor") && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before the kill";
    ASSERT_TRUE(fs::exists(killed / "checkpoint.cbor"));
    ASSERT_FALSE(fs::exists(killed / "model.fpglcnn"));
    const auto resumed = train(killed, set, "OMP_NUM_THREADS=2");
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_NE(resumed.out.find("resuming after step"), std::string::npos) << resumed.out;
    EXPECT_TRUE(same_bytes(killed / "model.fpglcnn", straight / "model.fpglcnn"));
    EXPECT_TRUE(same_bytes(killed / "best.fpglcnn", straight / "best.fpglcnn"));
    EXPECT_EQ(reproducible_log(killed / "log.jsonl"), reproducible_log(straight / "log.jsonl"));
    EXPECT_TRUE(same_bytes(killed / "split.json", straight / "split.json"));
  }
}

TEST_F(TrainCli, OneAndTwoRanksGiveTheSameModel) {
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun";
  for (const std::string& optimiser : {std::string(), set_options(kLbfgs)}) {
    SCOPED_TRACE(optimiser);
    const fs::path one = dir_ / ("one" + std::to_string(optimiser.size()));
    const fs::path two = dir_ / ("two" + std::to_string(optimiser.size()));
    ASSERT_EQ(train(one, "--set training.epochs=3" + optimiser).status, 0);
    const auto result = train(two, "--set training.epochs=3" + optimiser,
                              "OMP_NUM_THREADS=1 mpirun --allow-run-as-root --oversubscribe -np 2");
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("in 2 process(es)"), std::string::npos) << result.out;
    // Tolerance 0: each configuration's gradient travels in its own slot of the all-reduce and
    // the slots are added in batch order, so the sums are the same bits as on one rank.
    EXPECT_TRUE(same_bytes(two / "model.fpglcnn", one / "model.fpglcnn"));
    EXPECT_EQ(reproducible_log(two / "log.jsonl"), reproducible_log(one / "log.jsonl"));
  }
}

TEST_F(TrainCli, BadInputIsOneClearLine) {
  const auto missing =
      train(dir_ / "run", "--set 'data.datasets=[\"" + (dir_ / "absent.h5").string() + "\"]'");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("absent.h5"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  const auto key = train(dir_ / "run", "--set training.epoch=3");
  EXPECT_EQ(key.status, 1);
  EXPECT_NE(key.err.find("training.epoch"), std::string::npos) << key.err;
  const auto schedule = train(dir_ / "run", "--set schedule.kind=linear");
  EXPECT_EQ(schedule.status, 1);
  EXPECT_NE(schedule.err.find("schedule.kind"), std::string::npos) << schedule.err;
  const auto adam = train(dir_ / "run", "--set optimiser.kind=adam");
  EXPECT_EQ(adam.status, 1);  // weight decay needs AdamW
  EXPECT_NE(adam.err.find("optimiser.weight_decay"), std::string::npos) << adam.err;
  const auto lambda = train(dir_ / "run", "--set 'data.datasets=[{file=\"" +
                                               (dir_ / "small.h5").string() +
                                               "\", derivative_weight=-1.0}]'");
  EXPECT_EQ(lambda.status, 1);
  EXPECT_NE(lambda.err.find("derivative_weight -1"), std::string::npos) << lambda.err;
  const auto help = run_fpgauge("train --help", dir_.path());
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--force"), std::string::npos);
}

}  // namespace
}  // namespace fpgauge
