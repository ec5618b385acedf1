// The format-dispatching entry point: formats recognised by content (not by name), every golden
// file read with its format, precision and checksum status, conversions between every pair of
// (format, precision) preserving every link (64 bits: bit for bit; 32 bits: exactly the float
// rounding), and the refusals it adds (precision a format cannot store, expected lattice).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ConfigurationTestSupport.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::bitwise_equal;
using test::expect_refusal;
using test::kGoldenDirectory;

struct Storage {
  ConfigurationFormat format;
  int precision;
};

const std::vector<Storage> kEveryStorage = {{ConfigurationFormat::nersc, 64},
                                            {ConfigurationFormat::nersc, 32},
                                            {ConfigurationFormat::ildg, 64},
                                            {ConfigurationFormat::ildg, 32},
                                            {ConfigurationFormat::openqcd, 64}};

std::string label(const Storage& s) {
  return fmt::format("{}{}", format_name(s.format), s.precision);
}

TEST(ConfigurationFile, FormatNames) {
  for (const Storage& s : kEveryStorage)
    EXPECT_EQ(parse_configuration_format(format_name(s.format)), s.format);
  EXPECT_THROW(parse_configuration_format("milc"), std::invalid_argument);
  EXPECT_TRUE(format_supports_precision(ConfigurationFormat::ildg, 32));
  EXPECT_FALSE(format_supports_precision(ConfigurationFormat::openqcd, 32));
  EXPECT_FALSE(format_supports_precision(ConfigurationFormat::nersc, 16));
}

TEST(ConfigurationFile, DetectsTheFormatByContentNotByName) {
  const test::ScratchDirectory dir;
  const std::map<std::string, ConfigurationFormat> golden = {
      {"nersc_2x2x2x4_2x3_ieee32little.nersc", ConfigurationFormat::nersc},
      {"nersc_2x2x2x4_3x3_ieee32little.nersc", ConfigurationFormat::nersc},  // blank first line
      {"ildg_2x2x2x4_64_foreign.lime", ConfigurationFormat::ildg},
      {"ildg_2x2x2x2_dyadic_32.lime", ConfigurationFormat::ildg},
      {"openqcd_2x2x2x4.oqcd", ConfigurationFormat::openqcd}};
  for (const auto& [name, format] : golden) {
    SCOPED_TRACE(name);
    EXPECT_EQ(detect_format(kGoldenDirectory / name), format);
    // a misleading name changes nothing
    const fs::path renamed = dir / fmt::format("{}.nersc", name);
    fs::copy_file(kGoldenDirectory / name, renamed);
    EXPECT_EQ(detect_format(renamed), format);
  }
  test::write_bytes(dir / "text.lime", "#!/bin/sh\necho this is not a configuration\n");
  expect_refusal([&] { detect_format(dir / "text.lime"); }, dir / "text.lime",
                 {"cannot tell its format", "23 21 2f 62", "BEGIN_HEADER", "0x456789ab"});
  test::write_bytes(dir / "empty", "");
  expect_refusal([&] { read_configuration(dir / "empty"); }, dir / "empty", {"(empty)"});
  expect_refusal([&] { read_configuration(dir / "absent"); }, dir / "absent", {"cannot open"});
}

TEST(ConfigurationFile, ReadsEveryGoldenFile) {
  struct Expected {
    ConfigurationFormat format;
    int precision;
    bool checksum;
  };
  const std::map<std::string, Expected> golden = {
      {"nersc_2x2x2x4_3x3_ieee64big.nersc", {ConfigurationFormat::nersc, 64, true}},
      {"nersc_2x2x2x4_2x3_ieee32.nersc", {ConfigurationFormat::nersc, 32, true}},
      {"ildg_2x2x2x2_dyadic_64.lime", {ConfigurationFormat::ildg, 64, true}},
      {"ildg_2x2x2x2_dyadic_32.lime", {ConfigurationFormat::ildg, 32, true}},
      {"ildg_2x2x2x4_64_foreign.lime", {ConfigurationFormat::ildg, 64, true}},
      {"ildg_2x2x2x4_32_foreign.lime", {ConfigurationFormat::ildg, 32, false}},
      {"openqcd_2x2x2x2_dyadic.oqcd", {ConfigurationFormat::openqcd, 64, false}},
      {"openqcd_2x2x2x4.oqcd", {ConfigurationFormat::openqcd, 64, false}}};
  const GaugeField nersc =
      read_configuration(kGoldenDirectory / "nersc_2x2x2x4_3x3_ieee64big.nersc").field;
  for (const auto& [name, expected] : golden) {
    SCOPED_TRACE(name);
    const ConfigurationFile c = read_configuration(kGoldenDirectory / name);
    EXPECT_EQ(c.format, expected.format);
    EXPECT_EQ(c.precision, expected.precision);
    EXPECT_EQ(c.checksum_verified, expected.checksum) << c.checksum;
    EXPECT_FALSE(c.checksum.empty());
    EXPECT_FALSE(c.header.empty());
    if (c.field.geometry().extents() == Coordinates{2, 2, 2, 4}) {
      // the same configuration in every format, up to float rounding
      EXPECT_LT(test::max_link_difference(c.field, nersc), expected.precision == 32 ? 1e-6 : 1e-15);
    }
  }
}

TEST(ConfigurationFile, ConversionsBetweenFormatsAndPrecisionsPreserveEveryLink) {
  const test::ScratchDirectory dir;
  const GaugeField u = test::near_unit_gauge_field(Geometry::make({4, 2, 2, 6}), 31, 0.3);
  std::vector<GaugeField> read(kEveryStorage.size());
  for (std::size_t i = 0; i < kEveryStorage.size(); ++i) {
    const Storage& s = kEveryStorage[i];
    const fs::path file = dir / fmt::format("source.{}", label(s));
    write_configuration(file, u, s.format, s.precision);
    const ConfigurationFile c = read_configuration(file);
    ASSERT_EQ(c.format, s.format);
    ASSERT_EQ(c.precision, s.precision);
    ASSERT_TRUE(bitwise_equal(c.field, as_stored(u, s.precision))) << label(s);
    read[i] = c.field;
  }
  // every storage into the next two of the list (files cost an fsync each): every format into
  // every other, 64 -> 32, 32 -> 64 and 32 -> 32 bits
  for (std::size_t i = 0; i < kEveryStorage.size(); ++i)
    for (const std::size_t step : {1, 2}) {
      const Storage& from = kEveryStorage[i];
      const Storage& to = kEveryStorage[(i + step) % kEveryStorage.size()];
      SCOPED_TRACE(label(from) + " -> " + label(to));
      const fs::path target = dir / fmt::format("{}.{}", label(from), label(to));
      write_configuration(target, read[i], to.format, to.precision);
      const ConfigurationFile converted = read_configuration(target);
      EXPECT_EQ(converted.format, to.format);
      EXPECT_EQ(converted.precision, to.precision);
      // every link: bit for bit through 64-bit files, the float rounding through 32-bit ones
      EXPECT_TRUE(bitwise_equal(converted.field, as_stored(read[i], to.precision)));
      const bool single = from.precision == 32 || to.precision == 32;
      EXPECT_NEAR(average_plaquette(converted.field), average_plaquette(u), single ? 1e-6 : 0.0);
      EXPECT_LE(test::max_link_difference(converted.field, u), single ? 1e-6 : 0.0);
    }
}

TEST(ConfigurationFile, RefusesWhatAFormatCannotStoreOrAnUnexpectedLattice) {
  const test::ScratchDirectory dir;
  const auto g = Geometry::make({2, 2, 2, 4});
  const GaugeField u = random_gauge_field(g, 3);
  EXPECT_THROW(write_configuration(dir / "a.oqcd", u, ConfigurationFormat::openqcd, 32),
               std::invalid_argument);
  EXPECT_THROW(write_configuration(dir / "a.nersc", u, ConfigurationFormat::nersc, 16),
               std::invalid_argument);
  EXPECT_THROW(
      write_configuration(dir / "odd.oqcd", random_gauge_field(Geometry::make({3, 2, 2, 4}), 1),
                          ConfigurationFormat::openqcd),
      std::invalid_argument);
  EXPECT_TRUE(fs::is_empty(dir.path()));
  for (const Storage& s : kEveryStorage) {
    SCOPED_TRACE(label(s));
    const fs::path file = dir / label(s);
    write_configuration(file, u, s.format, s.precision);
    expect_refusal([&] { write_configuration(file, u, s.format, s.precision); }, file,
                   {"exists already"});
    EXPECT_NO_THROW(read_configuration(file, Coordinates{2, 2, 2, 4}));
    expect_refusal([&] { read_configuration(file, Coordinates{2, 2, 4, 2}); }, file, {"expected"});
  }
}

}  // namespace
}  // namespace fpgauge
