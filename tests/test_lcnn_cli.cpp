// `fpgauge lcnn init|info|eval` and `fpgauge action --action lcnn:MODEL` as a user meets them:
// a model file written by init is the one the library reads, eval and action report the
// library's numbers, and bad input leaves one line and no file.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using nn::Architecture;
using nn::LcnnModel;
using test::run_fpgauge;

const char* const kArchitecture = "input plaquettes; lcb 3; act tanh; trace; mlp 4";

using test::quoted;

// Serial and independent of the library's force_norm, as a reference.
double reference_force_norm(const AlgebraField& d) {
  double sum = 0.0;
  for (SiteIndex l = 0; l < d.size(); ++l)
    for (const double h : matrix_to_algebra(d[l])) sum += h * h;
  return std::sqrt(sum);
}

void expect_one_error_line(const test::CommandResult& result, int status,
                           const std::string& words) {
  EXPECT_EQ(result.status, status) << result.err;
  EXPECT_EQ(result.err.rfind("fpgauge: error: ", 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find(words), std::string::npos) << result.err;
}

TEST(LcnnCommand, InitWritesTheModelOfTheLibrary) {
  const test::ScratchDirectory dir;
  const fs::path model = dir / "model.lcnn";
  const auto result = run_fpgauge(
      "lcnn init '" + std::string(kArchitecture) + "' --seed 5 --output " + quoted(model),
      dir.path());
  ASSERT_EQ(result.status, 0) << result.err;
  const LcnnModel expected = LcnnModel::random(Architecture::parse(kArchitecture), 5);
  const LcnnModel written = LcnnModel::load(model);
  EXPECT_EQ(written.architecture(), expected.architecture());
  EXPECT_EQ(written.weights(), expected.weights());
  EXPECT_NE(result.out.find(std::to_string(expected.architecture().parameter_count())),
            std::string::npos)
      << result.out;

  // The architecture may come from a file; the same seed gives the same file.
  test::write_bytes(dir / "arch.txt", "input plaquettes  # loops\nlcb 3\nact tanh\ntrace\nmlp 4\n");
  ASSERT_EQ(run_fpgauge("lcnn init " + quoted(dir / "arch.txt") + " --seed 5 --output " +
                            quoted(dir / "again.lcnn"),
                        dir.path())
                .status,
            0);
  EXPECT_EQ(test::file_bytes(dir / "again.lcnn"), test::file_bytes(model));

  // No silent overwrite; --force replaces.
  const std::string before = test::file_bytes(model);
  const std::string other =
      "lcnn init '" + std::string(kArchitecture) + "' --seed 6 --output " + quoted(model);
  expect_one_error_line(run_fpgauge(other, dir.path()), 1, "--force");
  EXPECT_EQ(test::file_bytes(model), before);
  ASSERT_EQ(run_fpgauge(other + " --force", dir.path()).status, 0);
  EXPECT_EQ(LcnnModel::load(model).weights(),
            LcnnModel::random(Architecture::parse(kArchitecture), 6).weights());
}

TEST(LcnnCommand, InitRefusesABadArchitectureWithOneLine) {
  const test::ScratchDirectory dir;
  const fs::path model = dir / "model.lcnn";
  expect_one_error_line(run_fpgauge("lcnn init 'input plaquettes; lcb x; trace; mlp' --seed 1 "
                                    "--output " + quoted(model),
                                    dir.path()),
                        1, "item 2 'lcb x'");
  expect_one_error_line(
      run_fpgauge("lcnn init " + quoted(dir / "absent.txt") + " --seed 1 --output " +
                      quoted(model),
                  dir.path()),
      1, "absent.txt");
  EXPECT_FALSE(fs::exists(model));
  expect_one_error_line(run_fpgauge("lcnn init 'input plaquettes; trace; mlp' --output " +
                                        quoted(model),
                                    dir.path()),
                        2, "--seed");
}

TEST(LcnnCommand, InfoPrintsArchitectureParametersReceptiveFieldAndChecksum) {
  const test::ScratchDirectory dir;
  const LcnnModel model = LcnnModel::random(
      Architecture::parse("input plaquettes; lcb 2 reach=2; act tanh; lcb 2; trace; mlp"), 8);
  model.save(dir / "model.lcnn", false);
  const auto result =
      run_fpgauge("lcnn info " + quoted(dir / "model.lcnn") + " --json", dir.path());
  ASSERT_EQ(result.status, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["architecture"], model.architecture().to_string());
  EXPECT_EQ(json["parameters"], model.architecture().parameter_count());
  EXPECT_EQ(json["receptive_field"]["below"], 3);
  EXPECT_EQ(json["receptive_field"]["above"], 4);
  EXPECT_EQ(json["receptive_field"]["side"], 8);
  EXPECT_EQ(json["weights_fnv1a64"], fmt::format("{:016x}", model.fingerprint()));
  const LcnnAction action(std::make_shared<const LcnnModel>(model), "model.lcnn");
  EXPECT_NEAR(json["classical_normalisation"].get<double>(),
              evaluation::classical_normalisation(action).extrapolated, 1e-12);

  const auto text = run_fpgauge("lcnn info " + quoted(dir / "model.lcnn"), dir.path());
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find(model.architecture().to_string()), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("classical limit A/A_W"), std::string::npos) << text.out;

  test::write_bytes(dir / "damaged.lcnn", test::file_bytes(dir / "model.lcnn").substr(0, 100));
  expect_one_error_line(run_fpgauge("lcnn info " + quoted(dir / "damaged.lcnn"), dir.path()), 1,
                        "damaged.lcnn");
}

TEST(LcnnCommand, EvalAndActionReportTheLibrarysValueAndForce) {
  const test::ScratchDirectory dir;
  const LcnnModel model = LcnnModel::random(Architecture::parse(kArchitecture), 9);
  model.save(dir / "model.lcnn", false);
  const GaugeField u = test::near_unit_gauge_field(Geometry::make({4, 4, 2, 2}), 71, 0.5);
  write_nersc(dir / "config.nersc", u);
  const GaugeField v = read_nersc(dir / "config.nersc").field;  // as the command reads it
  AlgebraField d;
  const double value = model.evaluate(v, &d, nullptr);
  const double norm = reference_force_norm(d);

  const auto eval = run_fpgauge(
      "lcnn eval " + quoted(dir / "model.lcnn") + " " + quoted(dir / "config.nersc") + " --json",
      dir.path());
  ASSERT_EQ(eval.status, 0) << eval.err;
  const auto e = nlohmann::json::parse(eval.out);
  EXPECT_DOUBLE_EQ(e["reduced_action"].get<double>(), value);
  EXPECT_NEAR(e["force_norm"].get<double>(), norm, 1e-12 * norm);
  EXPECT_EQ(e["lattice"], nlohmann::json({4, 4, 2, 2}));
  EXPECT_EQ(e["lcnn"]["parameters"], model.architecture().parameter_count());

  const auto action = run_fpgauge("action " + quoted(dir / "config.nersc") + " --action lcnn:" +
                                      quoted(dir / "model.lcnn") + " --json",
                                  dir.path());
  ASSERT_EQ(action.status, 0) << action.err;
  const auto a = nlohmann::json::parse(action.out);
  EXPECT_DOUBLE_EQ(a["reduced_action"].get<double>(), value);
  EXPECT_NEAR(a["force_norm"].get<double>(), norm, 1e-12 * norm);
  EXPECT_EQ(a["action"]["name"], "lcnn");
  EXPECT_EQ(a["action"]["architecture"], model.architecture().to_string());

  expect_one_error_line(run_fpgauge("lcnn eval " + quoted(dir / "model.lcnn") + " " +
                                        quoted(dir / "absent.nersc"),
                                    dir.path()),
                        1, "absent.nersc");
  expect_one_error_line(run_fpgauge("action " + quoted(dir / "config.nersc") +
                                        " --action lcnn:" + quoted(dir / "absent.lcnn"),
                                    dir.path()),
                        1, "absent.lcnn");
}

}  // namespace
}  // namespace fpgauge
