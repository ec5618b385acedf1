// `fpgauge info` and `fpgauge convert`, run as the installed command would be: JSON and text
// output on the golden files of every format, a chain of conversions through every format and
// both precisions that keeps every link, and refusals leaving one line on stderr and a
// non-zero exit status (1 for a refused file, 2 for a usage error).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "CommandRunner.h"
#include "ConfigurationTestSupport.h"
#include "ScratchDirectory.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/ConfigurationFile.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::bitwise_equal;
using test::file_bytes;
using test::kGoldenDirectory;

// fpgauge ARGUMENTS with stdout and stderr captured in `dir`.
test::CommandResult fpgauge_command(const test::ScratchDirectory& dir,
                                    const std::string& arguments) {
  return test::run_fpgauge(arguments, dir.path());
}

using test::quoted;

void expect_one_error_line(const test::CommandResult& run, int status,
                           std::initializer_list<std::string> words) {
  EXPECT_EQ(run.status, status) << run.err;
  EXPECT_TRUE(run.err.starts_with("fpgauge: error: ")) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  for (const std::string& word : words)
    EXPECT_NE(run.err.find(word), std::string::npos) << "'" << word << "' not in: " << run.err;
}

TEST(InfoCommand, PrintsOneJsonObjectForEveryFormat) {
  const test::ScratchDirectory dir;
  const nlohmann::json golden = test::golden_json("ildg_openqcd_golden.json")["files"];
  for (const std::string name :
       {"ildg_2x2x2x4_64_foreign.lime", "ildg_2x2x2x4_32_foreign.lime", "openqcd_2x2x2x4.oqcd"}) {
    SCOPED_TRACE(name);
    const test::CommandResult run =
        fpgauge_command(dir, "info --json " + quoted(kGoldenDirectory / name));
    ASSERT_EQ(run.status, 0) << run.err;
    const nlohmann::json info = nlohmann::json::parse(run.out);
    EXPECT_EQ(info["format"], golden[name]["format"]);
    EXPECT_EQ(info["lattice"], golden[name]["extents"]);
    EXPECT_EQ(info["precision"], golden[name]["precision"]);
    EXPECT_NEAR(info["plaquette"].get<double>(), golden[name]["plaquette"].get<double>(), 1e-14);
    EXPECT_NEAR(info["link_trace"].get<double>(), golden[name]["link_trace"].get<double>(), 1e-14);
    EXPECT_EQ(info["checksum"]["verified"], !golden[name]["checksum"].is_null());
  }
  const test::CommandResult nersc = fpgauge_command(
      dir, "info --json " + quoted(kGoldenDirectory / "nersc_2x2x2x4_2x3_ieee64big.nersc"));
  ASSERT_EQ(nersc.status, 0) << nersc.err;
  const nlohmann::json info = nlohmann::json::parse(nersc.out);
  EXPECT_EQ(info["format"], "nersc");
  EXPECT_EQ(info["header"]["DATATYPE"], "4D_SU3_GAUGE");
  EXPECT_EQ(info["checksum"]["verified"], true);
}

TEST(InfoCommand, PrintsText) {
  const test::ScratchDirectory dir;
  const test::CommandResult run =
      fpgauge_command(dir, "info " + quoted(kGoldenDirectory / "ildg_2x2x2x2_dyadic_64.lime"));
  ASSERT_EQ(run.status, 0) << run.err;
  for (const std::string line :
       {"format                   ildg\n", "lattice                  2x2x2x2\n",
        "precision                64 bits\n", "plaquette (recomputed)   0.0230034722222222\n",
        "checksum                 verified: SciDAC suma",
        "  ildg-data-lfn          "
        "lfn://fpgauge/golden/dyadic\n"})
    EXPECT_NE(run.out.find(line), std::string::npos) << line << " not in:\n" << run.out;
}

TEST(ConvertCommand, ChainThroughEveryFormatKeepsEveryLink) {
  const test::ScratchDirectory dir;
  const fs::path start = kGoldenDirectory / "ildg_2x2x2x4_64_foreign.lime";
  const GaugeField u = read_configuration(start).field;
  struct Step {
    std::string from, to, options;
    ConfigurationFormat format;
    int precision;
  };
  const std::vector<Step> steps = {
      {start.string(), "a.oqcd", "--to openqcd", ConfigurationFormat::openqcd, 64},
      {"a.oqcd", "b.nersc", "--to nersc --precision 32", ConfigurationFormat::nersc, 32},
      {"b.nersc", "c.lime", "--to ildg", ConfigurationFormat::ildg, 32},  // keeps 32 bits
      {"c.lime", "d.lime", "--precision 64", ConfigurationFormat::ildg, 64},
      {"d.lime", "e.oqcd", "--to openqcd", ConfigurationFormat::openqcd, 64},
      {"start.nersc", "f.oqcd", "--to openqcd", ConfigurationFormat::openqcd, 64}};
  fs::copy_file(kGoldenDirectory / "nersc_2x2x2x4_3x3_ieee32little.nersc", dir / "start.nersc");
  for (const Step& step : steps) {
    SCOPED_TRACE(step.to);
    const fs::path from = step.from == start.string() ? start : dir / step.from;
    const test::CommandResult run = fpgauge_command(
        dir, fmt::format("convert {} {} {}", quoted(from), quoted(dir / step.to), step.options));
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("every link read back as written"), std::string::npos) << run.out;
    const ConfigurationFile c = read_configuration(dir / step.to);
    EXPECT_EQ(c.format, step.format);
    EXPECT_EQ(c.precision, step.precision);
    // a 64-bit file written from a 32-bit one keeps the float values exactly
    const bool rounded = step.to != "a.oqcd";
    EXPECT_TRUE(bitwise_equal(c.field, rounded ? as_stored(u, 32) : u));
  }
}

TEST(ConvertCommand, RefusesWithOneLineAndNonZeroStatus) {
  const test::ScratchDirectory dir;
  const fs::path in = kGoldenDirectory / "openqcd_2x2x2x4.oqcd";
  const fs::path out = dir / "out.lime";
  ASSERT_EQ(
      fpgauge_command(dir, fmt::format("convert {} {} --to ildg", quoted(in), quoted(out))).status,
      0);
  const std::string first = file_bytes(out);
  expect_one_error_line(fpgauge_command(dir, fmt::format("convert {} {} --to ildg --precision 32",
                                                         quoted(in), quoted(out))),
                        1, {out.string(), "exists already"});
  EXPECT_EQ(file_bytes(out), first);
  EXPECT_EQ(fpgauge_command(dir, fmt::format("convert {} {} --to ildg --precision 32 --force",
                                             quoted(in), quoted(out)))
                .status,
            0);
  EXPECT_EQ(read_configuration(out).precision, 32);
  expect_one_error_line(
      fpgauge_command(dir, fmt::format("convert {} {} --to openqcd --precision 32", quoted(in),
                                       quoted(dir / "x.oqcd"))),
      1, {"openQCD stores 64-bit doubles only"});
  expect_one_error_line(
      fpgauge_command(dir, fmt::format("convert {} {} --to milc", quoted(in), quoted(dir / "y"))),
      2, {"--to"});
  expect_one_error_line(fpgauge_command(dir, fmt::format("convert {} {} --precision 16", quoted(in),
                                                         quoted(dir / "z"))),
                        2, {"--precision"});
  // a damaged input: the error names the file and the record
  const std::string bytes = file_bytes(out);
  test::write_bytes(dir / "cut.lime", bytes.substr(0, bytes.size() - 600));
  expect_one_error_line(fpgauge_command(dir, "info " + quoted(dir / "cut.lime")), 1,
                        {(dir / "cut.lime").string(), "ildg-binary-data", "truncated"});
  EXPECT_FALSE(fs::exists(dir / "x.oqcd"));
  EXPECT_FALSE(fs::exists(dir / "y"));
}

}  // namespace
}  // namespace fpgauge
