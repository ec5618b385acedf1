// The fpgauge command as a user meets it: `generate` writes a complete, reproducible ensemble
// and refuses bad input with one line and no output; `action` reads what `generate` wrote.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::file_bytes;
using test::run_fpgauge;

const std::string kQuickstart = std::string(FPGAUGE_SOURCE_DIR) + "/configs/quickstart.toml";

std::vector<nlohmann::json> log_entries(const fs::path& file) {
  std::vector<nlohmann::json> entries;
  std::istringstream lines(file_bytes(file));
  for (std::string line; std::getline(lines, line);) entries.push_back(nlohmann::json::parse(line));
  return entries;
}

using test::quoted;

TEST(GenerateCommand, WritesConfigurationsCardAndLog) {
  const test::ScratchDirectory dir;
  const fs::path out = dir / "ensemble";
  const auto result = run_fpgauge("generate " + kQuickstart + " --output " + quoted(out), dir.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("generate: 40/40 sweeps (100%)"), std::string::npos) << result.err;

  // quickstart.toml: 20 thermalisation sweeps, then 4 configurations 5 sweeps apart.
  const auto entries = log_entries(out / "log.jsonl");
  ASSERT_EQ(entries.size(), 40u);
  for (const int n : {25, 30, 35, 40}) {
    const std::string name = fmt::format("config_{:06d}.nersc", n);
    const NerscConfiguration config = read_nersc(out / name);
    EXPECT_EQ(entries[n - 1]["configuration"], name);
    EXPECT_DOUBLE_EQ(entries[n - 1]["plaquette"].get<double>(), average_plaquette(config.field));
    EXPECT_EQ(config.header.at("SEQUENCE_NUMBER"), std::to_string(n));
  }
  // β = 5.7 on 4^4 thermalises to ⟨P⟩ ≈ 0.55 (large volume 0.5491); a hot start begins near 0.
  EXPECT_NEAR(entries.back()["plaquette"].get<double>(), 0.55, 0.04);

  // The resolved card carries the --output override and reproduces the run by itself.
  const RunCard card(out / "run.toml", file_bytes(out / "run.toml"));
  EXPECT_EQ(card.string("run.output"), out.string());
  const fs::path again = dir / "again";
  ASSERT_EQ(run_fpgauge("generate " + quoted(out / "run.toml") + " --output " + quoted(again),
                        dir.path())
                .status,
            0);
  EXPECT_EQ(file_bytes(out / "config_000040.nersc"), file_bytes(again / "config_000040.nersc"));
}

TEST(GenerateCommand, EnsembleDoesNotDependOnTheThreadCount) {
  const test::ScratchDirectory dir;
  for (const std::string kind : {"heatbath", "hmc"}) {
    const std::string card = kQuickstart + " --set algorithm.kind=" + kind +
                             " --set run.thermalisation=2 --set run.configurations=1";
    ASSERT_EQ(run_fpgauge("generate " + card + " --output " + quoted(dir / (kind + "1")),
                          dir.path(), "OMP_NUM_THREADS=1")
                  .status,
              0);
    ASSERT_EQ(run_fpgauge("generate " + card + " --output " + quoted(dir / (kind + "2")),
                          dir.path(), "OMP_NUM_THREADS=2")
                  .status,
              0);
    EXPECT_EQ(file_bytes(dir / (kind + "1") / "config_000007.nersc"),
              file_bytes(dir / (kind + "2") / "config_000007.nersc"))
        << kind;
  }
  const auto hmc_log = log_entries(dir / "hmc1" / "log.jsonl");
  ASSERT_EQ(hmc_log.size(), 7u);
  for (const auto& entry : hmc_log) {
    EXPECT_TRUE(entry.contains("delta_h"));
    EXPECT_TRUE(entry.contains("accepted"));
  }
}

TEST(GenerateCommand, NestedTimeScalesShrinkTheIntegrationError) {
  // Symanzik HMC with 2 steps per trajectory, once on one scale and once with the Wilson part on
  // an inner scale (8 steps each): β(A_Sym − A_W) is small for smooth fields (equal at leading
  // order), so the outer steps cost little integration error and |ΔH| drops.
  const test::ScratchDirectory dir;
  const std::string card = kQuickstart +
                           " --set action.name=symanzik --set action.beta=8 --set algorithm.kind=hmc"
                           " --set hmc.steps=2 --set run.start=cold --set run.thermalisation=10"
                           " --set run.configurations=1 --set run.separation=10";
  const auto mean_abs_delta_h = [&](const std::string& name, const std::string& more) {
    const auto result = run_fpgauge("generate " + card + more + " --output " + quoted(dir / name),
                                    dir.path());
    EXPECT_EQ(result.status, 0) << result.err;
    double sum = 0.0;
    const auto log = log_entries(dir / name / "log.jsonl");
    for (const auto& entry : log) sum += std::abs(entry["delta_h"].get<double>());
    return sum / static_cast<double>(log.size());
  };
  const double single = mean_abs_delta_h("single", "");
  const double nested =
      mean_abs_delta_h("nested", " --set hmc.inner_action=wilson --set hmc.inner_steps=8");
  EXPECT_GT(single, 0.0);
  EXPECT_LT(nested, 0.3 * single) << "single " << single << ", nested " << nested;
  const std::string resolved = file_bytes(dir / "nested" / "run.toml");
  EXPECT_NE(resolved.find("inner_action = 'wilson'"), std::string::npos);

  const auto refused = run_fpgauge("generate " + card + " --set hmc.inner_action=nonsense --output " +
                                       quoted(dir / "bad"),
                                   dir.path());
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("hmc.inner_action"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "bad"));
}

TEST(GenerateCommand, UnconditionalThermalisationTrajectoriesLeaveTheColdStart) {
  // One Omelyan step per unit trajectory from the unit field: ΔH is O(10), so the Metropolis
  // test would keep the cold start for many trajectories; the first `unconditional` ones are
  // kept regardless, logged as such, and do not count in the acceptance.
  const test::ScratchDirectory dir;
  const std::string card = kQuickstart +
                           " --set algorithm.kind=hmc --set hmc.steps=1 --set run.start=cold"
                           " --set run.thermalisation=4 --set run.configurations=1"
                           " --set run.separation=1 --set hmc.unconditional=3";
  const auto result = run_fpgauge("generate " + card + " --output " + quoted(dir / "run"), dir.path());
  ASSERT_EQ(result.status, 0) << result.err;
  const auto log = log_entries(dir / "run" / "log.jsonl");
  ASSERT_EQ(log.size(), 5u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(log[i]["metropolis"].get<bool>());
    EXPECT_TRUE(log[i]["accepted"].get<bool>());
  }
  EXPECT_GT(std::abs(log[0]["delta_h"].get<double>()), 1.0);  // the test would have mattered
  EXPECT_LT(log[0]["plaquette"].get<double>(), 0.99);
  EXPECT_FALSE(log[3].contains("metropolis"));

  const auto refused = run_fpgauge(
      "generate " + card + " --set hmc.unconditional=5 --output " + quoted(dir / "bad"), dir.path());
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("hmc.unconditional"), std::string::npos) << refused.err;
}

TEST(GenerateCommand, RefusesToReplaceARunUnlessForced) {
  const test::ScratchDirectory dir;
  const std::string args = "generate " + kQuickstart + " --set run.configurations=2 --output " +
                           quoted(dir / "run");
  ASSERT_EQ(run_fpgauge(args, dir.path()).status, 0);
  const std::string before = file_bytes(dir / "run" / "config_000030.nersc");
  const auto refused = run_fpgauge(args + " --set run.seed=2", dir.path());
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("already holds a run"), std::string::npos) << refused.err;
  EXPECT_EQ(file_bytes(dir / "run" / "config_000030.nersc"), before);

  // --force replaces the whole run: no configuration of the old one survives.
  const auto forced = run_fpgauge("generate " + kQuickstart +
                                      " --set run.configurations=1 --set run.seed=2 --force"
                                      " --output " + quoted(dir / "run"),
                                  dir.path());
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_TRUE(fs::exists(dir / "run" / "config_000025.nersc"));
  EXPECT_FALSE(fs::exists(dir / "run" / "config_000030.nersc"));
}

// Bad input: one line on stderr naming the problem, exit status 1, and no output directory.
TEST(GenerateCommand, RefusesBadInputWithOneLine) {
  const test::ScratchDirectory dir;
  test::write_bytes(dir / "typo.toml", "[action]\nbta = 6.0\n");
  test::write_bytes(dir / "broken.toml", "[action\nbeta = 6.0\n");
  const struct {
    std::string arguments, message;
  } cases[] = {
      {quoted(dir / "typo.toml"), "unknown key 'action.bta'"},
      {quoted(dir / "broken.toml"), "broken.toml"},
      {quoted(dir / "absent.toml"), "absent.toml"},
      {kQuickstart + " --set action.name=wilsn", "unknown action 'wilsn'"},
      {kQuickstart + " --set lattice.extents=[4,4,5,4]", "lattice.extents"},
      {kQuickstart + " --set lattice.extents=[1,4,4,4]", "lattice.extents"},
      {kQuickstart + " --set algorithm.kind=metropolis", "algorithm.kind"},
      {kQuickstart + " --set run.separation=0", "run.separation"},
      {kQuickstart + " --set action.beta=-1", "action.beta"},
  };
  for (const auto& c : cases) {
    const fs::path out = dir / "out";
    const auto result =
        run_fpgauge("generate " + c.arguments + " --output " + quoted(out), dir.path());
    EXPECT_EQ(result.status, 1) << c.arguments;
    EXPECT_EQ(result.err.rfind("fpgauge: error: ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(out)) << c.arguments;
  }
  const auto usage = run_fpgauge("generate", dir.path());
  EXPECT_EQ(usage.status, 2);
  EXPECT_NE(usage.err.find("CARD"), std::string::npos) << usage.err;
}

TEST(ActionCommand, ReportsTheActionOfAGeneratedConfiguration) {
  const test::ScratchDirectory dir;
  ASSERT_EQ(run_fpgauge("generate " + kQuickstart + " --set run.configurations=1 --output " +
                            quoted(dir / "run"),
                        dir.path())
                .status,
            0);
  const fs::path file = dir / "run" / "config_000025.nersc";
  const GaugeField u = read_nersc(file).field;
  for (const std::string name : {"wilson", "iwasaki"}) {
    const auto result = run_fpgauge("action " + quoted(file) + " --action " + name + " --json",
                                    dir.path());
    ASSERT_EQ(result.status, 0) << result.err;
    const auto json = nlohmann::json::parse(result.out);  // exactly one JSON object
    EXPECT_DOUBLE_EQ(json["plaquette"].get<double>(), average_plaquette(u));
    EXPECT_DOUBLE_EQ(json["reduced_action"].get<double>(), make_action(name)->value(u));
    EXPECT_GT(json["force_norm"].get<double>(), 0.0);
  }
  const auto missing = run_fpgauge("action " + quoted(dir / "absent.nersc") + " --action wilson",
                                   dir.path());
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("absent.nersc"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace fpgauge
