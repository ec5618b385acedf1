// Checkpoints and exact resume of `fpgauge generate` (cli/GenerateCommand.cpp,
// io/EnsembleCheckpoint.h): a run killed with SIGKILL in the middle and resumed leaves the same
// bytes (every configuration file and log.jsonl) as an uninterrupted run, for the heatbath and
// for HMC; an extended run equals one made at once; a card that changes the ensemble is refused
// naming the key and both values, and so is a run whose action file (a model or fat-link
// coefficients named by path) changed; the checkpoint file itself is exact and refuses damage.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "CommandRunner.h"
#include "ConfigurationTestSupport.h"
#include "ScratchDirectory.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/io/EnsembleCheckpoint.h"
#include "fpgauge/lattice/GaugeFieldOps.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_fpgauge;

const std::string kQuickstart = std::string(FPGAUGE_SOURCE_DIR) + "/configs/quickstart.toml";

// The configurations and log.jsonl of a run directory by name (run.toml and the checkpoint
// record the directory's own name), and whether the directory has a leftover temporary file.
std::map<std::string, std::string> run_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("config_", 0) == 0 || name == "log.jsonl" || name.front() == '.')
      files[name] = test::file_bytes(entry.path());
  }
  return files;
}

int configuration_count(const fs::path& dir) {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind("config_", 0) == 0) ++count;
  return count;
}

void expect_same_runs(const fs::path& reference, const fs::path& other) {
  const auto expected = run_files(reference), found = run_files(other);
  ASSERT_EQ(expected.size(), found.size());
  for (const auto& [name, bytes] : expected) {
    ASSERT_TRUE(found.contains(name)) << name;
    EXPECT_TRUE(found.at(name) == bytes) << name << " differs";
  }
}

// Starts `fpgauge ARGUMENTS` (one thread) and kills it with SIGKILL as soon as `dir` holds
// `configurations` configuration files. Returns false if the run ended before.
bool kill_after(const std::string& arguments, const fs::path& dir, int configurations,
                const fs::path& scratch) {
  const std::string command = fmt::format(
      "exec env OMP_NUM_THREADS=1 {} {} > {} 2> {} < /dev/null", FPGAUGE_BINARY, arguments,
      quoted(scratch / "killed_stdout.txt"), quoted(scratch / "killed_stderr.txt"));
  const pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (configuration_count(dir) < configurations) {
    if (waitpid(child, &status, WNOHANG) == child) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

class GenerateResume : public ::testing::TestWithParam<std::string> {};

TEST_P(GenerateResume, KilledAndResumedRunIsBitIdentical) {
  const test::ScratchDirectory dir;
  // 12 configurations on 4^4; long enough (~1-2 s) to be killed in the middle.
  const std::string card = kQuickstart + " --set algorithm.kind=" + GetParam() +
                           " --set run.thermalisation=10 --set run.configurations=12"
                           " --set run.separation=" +
                           (GetParam() == "hmc" ? "3" : "20");
  const fs::path reference = dir / "reference", resumed = dir / "resumed";
  const auto made = run_fpgauge("generate " + card + " --output " + quoted(reference), dir.path(),
                                "OMP_NUM_THREADS=1");
  ASSERT_EQ(made.status, 0) << made.err;
  ASSERT_EQ(configuration_count(reference), 12);

  ASSERT_TRUE(
      kill_after("generate " + card + " --output " + quoted(resumed), resumed, 2, dir.path()))
      << "the run ended before the kill; make it longer";
  const int before = configuration_count(resumed);
  EXPECT_LT(before, 12);
  const auto resume = run_fpgauge("generate " + card + " --output " + quoted(resumed), dir.path(),
                                  "OMP_NUM_THREADS=1");
  ASSERT_EQ(resume.status, 0) << resume.err;
  EXPECT_NE(resume.out.find("resuming the run in"), std::string::npos) << resume.out;
  expect_same_runs(reference, resumed);

  // A complete run resumed again does nothing and changes nothing.
  const auto again = run_fpgauge("generate " + card + " --output " + quoted(resumed), dir.path());
  ASSERT_EQ(again.status, 0) << again.err;
  expect_same_runs(reference, resumed);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, GenerateResume, ::testing::Values("heatbath", "hmc"));

TEST(GenerateResume, MoreConfigurationsExtendTheRun) {
  const test::ScratchDirectory dir;
  const std::string card = kQuickstart +
                           " --set algorithm.kind=hmc --set run.thermalisation=2"
                           " --set run.separation=2";
  ASSERT_EQ(run_fpgauge("generate " + card + " --set run.configurations=4 --output " +
                            quoted(dir / "at_once"),
                        dir.path())
                .status,
            0);
  ASSERT_EQ(run_fpgauge("generate " + card + " --set run.configurations=2 --output " +
                            quoted(dir / "extended"),
                        dir.path())
                .status,
            0);
  const auto extended = run_fpgauge(
      "generate " + card + " --set run.configurations=4 --output " + quoted(dir / "extended"),
      dir.path());
  ASSERT_EQ(extended.status, 0) << extended.err;
  EXPECT_EQ(configuration_count(dir / "extended"), 4);
  expect_same_runs(dir / "at_once", dir / "extended");

  // Fewer configurations than the run has made are refused.
  const auto fewer = run_fpgauge(
      "generate " + card + " --set run.configurations=1 --output " + quoted(dir / "extended"),
      dir.path());
  EXPECT_EQ(fewer.status, 1);
  EXPECT_NE(fewer.err.find("run.configurations = 1"), std::string::npos) << fewer.err;
}

TEST(GenerateResume, RefusesACardThatChangesTheEnsemble) {
  const test::ScratchDirectory dir;
  const std::string args =
      "generate " + kQuickstart + " --set run.configurations=1 --output " + quoted(dir / "run");
  ASSERT_EQ(run_fpgauge(args, dir.path()).status, 0);
  const std::string before = test::file_bytes(dir / "run" / "config_000025.nersc");
  for (const auto& [setting, message] : std::map<std::string, std::string>{
           {"action.beta=5.8", "action.beta = 5.8 in the card, 5.7 in the run's checkpoint"},
           {"lattice.extents=[4,4,4,8]", "lattice.extents = [ 4, 4, 4, 8 ] in the card"},
           {"output.precision=32", "output.precision = 32 in the card, 64"}}) {
    const auto refused = run_fpgauge(args + " --set " + setting, dir.path());
    EXPECT_EQ(refused.status, 1) << setting;
    EXPECT_NE(refused.err.find(message), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(test::file_bytes(dir / "run" / "config_000025.nersc"), before);
  // --force starts over with the new card.
  const auto forced = run_fpgauge(args + " --set run.seed=2 --force", dir.path());
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_NE(test::file_bytes(dir / "run" / "config_000025.nersc"), before);
}

// A run begun before generate knew a key (here hmc.inner_action, added later) resumes: the
// key had its default value in that run. Setting it to another value is still refused.
TEST(GenerateResume, KeysTheCheckpointLacksHaveTheirDefaults) {
  const test::ScratchDirectory dir;
  const std::string args = "generate " + kQuickstart + " --set algorithm.kind=hmc --output " +
                           quoted(dir / "run") + " --set run.configurations=";
  ASSERT_EQ(run_fpgauge(args + "1", dir.path()).status, 0);
  const fs::path file = dir / "run" / "checkpoint.fpgauge";
  EnsembleCheckpoint checkpoint = read_ensemble_checkpoint(file);
  const std::size_t line = checkpoint.run_card.find("inner_action");
  ASSERT_NE(line, std::string::npos) << checkpoint.run_card;
  checkpoint.run_card.erase(line, checkpoint.run_card.find('\n', line) + 1 - line);
  write_ensemble_checkpoint(file, checkpoint);
  const auto other = run_fpgauge(args + "2 --set hmc.inner_action=symanzik", dir.path());
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("hmc.inner_action"), std::string::npos) << other.err;
  const auto resumed = run_fpgauge(args + "2", dir.path());
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(configuration_count(dir / "run"), 2);
}

// The card names a fat-link coefficients file (as an L-CNN model) by path: a resumed run whose
// file changed since the checkpoint is refused, naming the parameter and both values. A
// checkpoint from before the actions were recorded resumes with a warning, and records them.
TEST(GenerateResume, RefusesARunWhoseActionFileChanged) {
  const test::ScratchDirectory dir;
  const fs::path coefficients = dir / "fatlink.json";
  FatLinkAction(0.1, 1, {1.0, 0.25}).save(coefficients, false);
  const std::string args = "generate " + kQuickstart + " --set algorithm.kind=hmc --set " +
                           "'action.name=\"fatlink:" + coefficients.string() + "\"'" + " --set run.thermalisation=1 --set run.separation=1 --output " +
                           quoted(dir / "run") + " --set run.configurations=";
  const auto first = run_fpgauge(args + "1", dir.path());
  ASSERT_EQ(first.status, 0) << first.err;
  const fs::path file = dir / "run" / "checkpoint.fpgauge";
  EXPECT_EQ(read_ensemble_checkpoint(file).actions["action"]["c"], 0.1);
  const auto same = run_fpgauge(args + "1", dir.path());  // the same file: resumes (complete)
  ASSERT_EQ(same.status, 0) << same.err;

  FatLinkAction(0.1, 1, {1.0, 0.5}).save(coefficients, true);
  const auto changed = run_fpgauge(args + "2", dir.path());
  EXPECT_EQ(changed.status, 1);
  EXPECT_NE(changed.err.find("another action: /action/coefficients/1/p = 0.25 in the run's "
                             "checkpoint, 0.5 now"),
            std::string::npos)
      << changed.err;
  EXPECT_EQ(configuration_count(dir / "run"), 1);

  FatLinkAction(0.1, 1, {1.0, 0.25}).save(coefficients, true);
  EnsembleCheckpoint old = read_ensemble_checkpoint(file);
  old.actions = nullptr;
  write_ensemble_checkpoint(file, old);
  const auto resumed = run_fpgauge(args + "2", dir.path());
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("predates recorded action descriptions"), std::string::npos)
      << resumed.err;
  EXPECT_EQ(configuration_count(dir / "run"), 2);
  EXPECT_EQ(read_ensemble_checkpoint(file).actions["action"]["coefficients"][1]["p"], 0.25);
}

TEST(EnsembleCheckpoint, RoundTripIsExactAndDamageIsRefused) {
  const test::ScratchDirectory dir;
  const fs::path file = dir / "checkpoint.fpgauge";
  EnsembleCheckpoint checkpoint;
  checkpoint.update = 1234;
  checkpoint.log_bytes = 98765;
  checkpoint.accepted = 1000;
  checkpoint.acceptance_sum = 1.0L / 3.0L + 900.0L;
  checkpoint.production_plaquette_sum = 0.1L;
  checkpoint.run_card = "[run]\nseed = 1\n";
  checkpoint.actions = {{"action", {{"name", "wilson"}}}};
  checkpoint.field = random_gauge_field(Geometry::make({2, 4, 2, 6}), 3);
  write_ensemble_checkpoint(file, checkpoint);
  write_ensemble_checkpoint(file, checkpoint);  // replaces the previous one

  const EnsembleCheckpoint read = read_ensemble_checkpoint(file);
  EXPECT_EQ(read.update, 1234);
  EXPECT_EQ(read.log_bytes, 98765u);
  EXPECT_EQ(read.accepted, 1000);
  EXPECT_EQ(read.acceptance_sum, checkpoint.acceptance_sum);
  EXPECT_EQ(read.production_plaquette_sum, checkpoint.production_plaquette_sum);
  EXPECT_EQ(read.run_card, checkpoint.run_card);
  EXPECT_EQ(read.actions, checkpoint.actions);
  EXPECT_TRUE(test::bitwise_equal(read.field, checkpoint.field));

  const std::string bytes = test::file_bytes(file);
  const auto damaged = [&](const std::string& name, std::string copy,
                           std::initializer_list<std::string> words) {
    test::write_bytes(dir / name, copy);
    test::expect_refusal([&] { read_ensemble_checkpoint(dir / name); }, dir / name, words);
  };
  damaged("truncated", bytes.substr(0, bytes.size() - 1), {"bytes"});
  damaged("extended", bytes + "x", {"bytes"});
  std::string flipped = bytes;
  flipped[bytes.size() - 100] ^= 4;
  damaged("flipped", flipped, {"crc32"});
  damaged("text", "FPGAUGE_ENSEMBLE_CHECKPOINT 1\n{\"update\": }\n", {"JSON"});
  damaged("other", "BEGIN_HEADER\n", {"first line"});
  std::string huge = bytes;
  huge.replace(huge.find("[2,4,2,6]"), 9, "[4096,4096,4096,4096]");
  damaged("huge", huge, {"4096x4096x4096x4096"});
}

}  // namespace
}  // namespace fpgauge
