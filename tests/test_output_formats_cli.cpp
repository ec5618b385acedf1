// The run-card keys [output] format and precision of `fpgauge generate` and `fpgauge
// instantons`: a tiny ensemble in every format and precision, read back by `fpgauge info` and
// read_configuration (with the plaquette of the log), and labelled by `fpgauge label` from a
// directory of ILDG and openQCD files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_fpgauge;

const std::string kQuickstart = std::string(FPGAUGE_SOURCE_DIR) + "/configs/quickstart.toml";
const std::string kInstantons = std::string(FPGAUGE_SOURCE_DIR) + "/configs/instantons.toml";

std::vector<nlohmann::json> log_entries(const fs::path& file) {
  std::ifstream lines(file);
  std::vector<nlohmann::json> entries;
  for (std::string line; std::getline(lines, line);) entries.push_back(nlohmann::json::parse(line));
  return entries;
}

struct FormatCase {
  ConfigurationFormat format;
  int precision;
};

const FormatCase kCases[] = {{ConfigurationFormat::nersc, 64},
                             {ConfigurationFormat::nersc, 32},
                             {ConfigurationFormat::ildg, 64},
                             {ConfigurationFormat::ildg, 32},
                             {ConfigurationFormat::openqcd, 64}};

TEST(OutputFormats, GenerateWritesEveryFormatAndPrecision) {
  const test::ScratchDirectory dir;
  for (const FormatCase& c : kCases) {
    const std::string name = fmt::format("{}{}", format_name(c.format), c.precision);
    const fs::path out = dir / name;
    const auto result = run_fpgauge(
        fmt::format("generate {} --set run.thermalisation=2 --set run.configurations=2 "
                    "--set run.separation=1 --set output.format={} --set output.precision={} "
                    "--output {}",
                    kQuickstart, format_name(c.format), c.precision, quoted(out)),
        dir.path());
    ASSERT_EQ(result.status, 0) << name << ": " << result.err;
    const auto entries = log_entries(out / "log.jsonl");
    ASSERT_EQ(entries.size(), 4u);
    for (const int n : {3, 4}) {
      const std::string file = fmt::format("config_{:06d}{}", n, format_extension(c.format));
      EXPECT_EQ(entries[n - 1]["configuration"], file);
      const ConfigurationFile read = read_configuration(out / file);
      EXPECT_EQ(read.format, c.format) << file;
      EXPECT_EQ(read.precision, c.precision) << file;
      // 64-bit files hold the field exactly; 32-bit ones its float rounding.
      EXPECT_NEAR(average_plaquette(read.field), entries[n - 1]["plaquette"].get<double>(),
                  c.precision == 64 ? 0.0 : 1e-6)
          << file;
      if (c.format == ConfigurationFormat::nersc) {
        EXPECT_EQ(read.header.at("SEQUENCE_NUMBER"), std::to_string(n));
      } else if (c.format == ConfigurationFormat::ildg) {
        EXPECT_NE(read.header.at("ildg-data-lfn").find(fmt::format("/{}", n)), std::string::npos);
      }

      const auto info = run_fpgauge("info --json " + quoted(out / file), dir.path());
      ASSERT_EQ(info.status, 0) << info.err;
      const nlohmann::json json = nlohmann::json::parse(info.out);
      EXPECT_EQ(json["format"], std::string(format_name(c.format)));
      EXPECT_EQ(json["precision"], c.precision);
    }
  }
}

TEST(OutputFormats, RefusesAPrecisionTheFormatCannotStore) {
  const test::ScratchDirectory dir;
  for (const std::string command : {"generate", "instantons"}) {
    const auto result =
        run_fpgauge(command + " " + (command == "generate" ? kQuickstart : kInstantons) +
                        " --set output.format=openqcd --set output.precision=32 --output " +
                        quoted(dir / command),
                    dir.path());
    EXPECT_EQ(result.status, 1) << command;
    EXPECT_NE(result.err.find("output.precision = 32"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(dir / command)) << command;
  }
  const auto unknown = run_fpgauge(
      "generate " + kQuickstart + " --set output.format=hdf5 --output " + quoted(dir / "unknown"),
      dir.path());
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("output.format = 'hdf5'"), std::string::npos) << unknown.err;
}

TEST(OutputFormats, InstantonsInEveryFormat) {
  const test::ScratchDirectory dir;
  for (const FormatCase& c : kCases) {
    const fs::path out = dir / fmt::format("{}{}", format_name(c.format), c.precision);
    const auto result = run_fpgauge(
        fmt::format("instantons {} --set lattice.extents=[6,6,6,6] --set instanton.sizes=[1.5] "
                    "--set 'instanton.offsets=[[0.0,0.0,0.0,0.0]]' --set output.format={} "
                    "--set output.precision={} --output {}",
                    kInstantons, format_name(c.format), c.precision, quoted(out)),
        dir.path());
    ASSERT_EQ(result.status, 0) << result.err;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(out))
      if (entry.path().filename().string().rfind("instanton_rho1.5_", 0) == 0)
        files.push_back(entry.path());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].extension(), format_extension(c.format));
    const ConfigurationFile read = read_configuration(files[0]);
    EXPECT_EQ(read.format, c.format);
    EXPECT_EQ(read.precision, c.precision);
  }
}

// `fpgauge label` takes every configuration of a directory, whatever its format.
TEST(OutputFormats, LabelReadsEnsemblesInEveryFormat) {
  const test::ScratchDirectory dir;
  const std::string ensemble_card = kQuickstart +
                                    " --set lattice.extents=[2,2,2,2] --set run.thermalisation=2"
                                    " --set run.configurations=1 --set run.separation=1";
  for (const std::string format : {"ildg", "openqcd"}) {
    const fs::path ensemble = dir / format;
    ASSERT_EQ(run_fpgauge("generate " + ensemble_card + " --set output.format=" + format +
                              " --output " + quoted(ensemble),
                          dir.path())
                  .status,
              0);
    test::write_bytes(dir / "card.toml", fmt::format(R"([input]
configurations = ['{}']

[kernel]
kind = "degrand"
c = 0.05
kappa = 8.0
)",
                                                     ensemble.string()));
    const auto labelled = run_fpgauge(
        "label " + quoted(dir / "card.toml") + " --output " + quoted(dir / (format + ".h5")),
        dir.path(), "OMP_WAIT_POLICY=passive");
    ASSERT_EQ(labelled.status, 0) << labelled.err;
    const LabelDataset dataset = read_label_dataset(dir / (format + ".h5"));
    ASSERT_EQ(dataset.records.size(), 1u) << format;
    EXPECT_NE(dataset.records[0].source.find("config_000003"), std::string::npos);
  }
}

}  // namespace
}  // namespace fpgauge
