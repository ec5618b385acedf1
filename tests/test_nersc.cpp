// NERSC files: bit-exact round trip, golden files packed independently by
// tests/golden/make_nersc_golden.py (both datatypes, 32/64 bit, both byte orders), fpgauge's
// write byte for byte against a golden file, and every refusal with the file named.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ScratchDirectory.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

using test::file_bytes;
using test::write_bytes;

const fs::path kGolden = fs::path(FPGAUGE_SOURCE_DIR) / "tests" / "golden";

// A copy of `source` with the first occurrence of `from` replaced by `to`.
fs::path edited_copy(const fs::path& source, const fs::path& target, const std::string& from,
                     const std::string& to) {
  std::string bytes = file_bytes(source);
  const std::size_t at = bytes.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  bytes.replace(at, from.size(), to);
  write_bytes(target, bytes);
  return target;
}

// The message of the error read_nersc throws, or "" if it reads the file.
std::string read_error(const fs::path& file) {
  try {
    read_nersc(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool bitwise_equal(const GaugeField& a, const GaugeField& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), sizeof(SU3) * static_cast<std::size_t>(a.size())) == 0;
}

double max_link_difference(const GaugeField& a, const GaugeField& b) {
  double worst = 0.0;
  for (SiteIndex l = 0; l < a.size(); ++l) worst = std::max(worst, std::sqrt(norm2(a[l] - b[l])));
  return worst;
}

nlohmann::json golden_table() {
  std::ifstream in(kGolden / "nersc_golden.json");
  return nlohmann::json::parse(in);
}

TEST(Nersc, RoundTripIsBitExact) {
  const test::ScratchDirectory dir;
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 6}), 11);
  const fs::path file = dir / "random.nersc";
  write_nersc(file, u, {.ensemble_id = "round-trip", .sequence_number = 42});
  const NerscConfiguration read = read_nersc(file);
  EXPECT_EQ(read.field.geometry(), u.geometry());
  EXPECT_TRUE(bitwise_equal(read.field, u));
  EXPECT_EQ(read.header.at("DATATYPE"), "4D_SU3_GAUGE_3x3");
  EXPECT_EQ(read.header.at("FLOATING_POINT"), "IEEE64BIG");
  EXPECT_EQ(read.header.at("ENSEMBLE_ID"), "round-trip");
  EXPECT_EQ(read.header.at("SEQUENCE_NUMBER"), "42");
  EXPECT_EQ(read.header.at("DIMENSION_4"), "6");
  EXPECT_EQ(read.header.at("BOUNDARY_2"), "PERIODIC");
  // header + 4·V links of 144 bytes
  EXPECT_EQ(fs::file_size(file), file_bytes(file).find("END_HEADER\n") + 11 + 4 * 384 * 144);
}

TEST(Nersc, ReadsGoldenFilesOfEveryVariant) {
  const nlohmann::json golden = golden_table();
  const GaugeField reference =
      read_nersc(kGolden / golden["fpgauge_write"]["file"].get<std::string>()).field;
  for (const auto& [name, expected] : golden["files"].items()) {
    SCOPED_TRACE(name);
    const NerscConfiguration read = read_nersc(kGolden / name);
    EXPECT_EQ(read.field.geometry().extents(), (Coordinates{2, 2, 2, 4}));
    EXPECT_EQ(read.header.at("DATATYPE"), expected["datatype"]);
    EXPECT_EQ(read.header.at("FLOATING_POINT"), expected["floating_point"]);
    const bool single = expected["floating_point"].get<std::string>().starts_with("IEEE32");
    const bool two_rows = expected["datatype"] == "4D_SU3_GAUGE";
    // The script rebuilds row 2 by the cross product alone, fpgauge by reunitarise(), which
    // also re-orthonormalises the float-rounded rows 0 and 1: they differ at float precision.
    const double tolerance = single && two_rows ? 1e-7 : 1e-14;
    EXPECT_NEAR(average_plaquette(read.field), expected["plaquette"].get<double>(), tolerance);
    EXPECT_NEAR(average_link_trace(read.field), expected["link_trace"].get<double>(), tolerance);
    // the same configuration in every file, up to float rounding
    EXPECT_LT(max_link_difference(read.field, reference), single ? 1e-6 : 1e-14);
    if (two_rows) {
      EXPECT_LT(max_unitarity_violation(read.field), 1e-14);
    }
  }
  // bare IEEE32 is big-endian: the same numbers as the IEEE32LITTLE file
  EXPECT_TRUE(bitwise_equal(read_nersc(kGolden / "nersc_2x2x2x4_2x3_ieee32.nersc").field,
                            read_nersc(kGolden / "nersc_2x2x2x4_2x3_ieee32little.nersc").field));
}

TEST(Nersc, WriteMatchesGoldenFileByteForByte) {
  const test::ScratchDirectory dir;
  const nlohmann::json spec = golden_table()["fpgauge_write"];
  const fs::path golden = kGolden / spec["file"].get<std::string>();
  const fs::path file = dir / "written.nersc";
  write_nersc(file, read_nersc(golden).field,
              {.ensemble_id = spec["ensemble_id"].get<std::string>(),
               .sequence_number = spec["sequence_number"].get<std::int64_t>(),
               .creator = spec["creator"].get<std::string>()});
  EXPECT_EQ(file_bytes(file), file_bytes(golden));
}

class NerscRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    write_nersc(good_, random_gauge_field(Geometry::make({2, 2, 2, 4}), 5));
  }
  // Expects read_nersc(file) to throw naming the file and every one of `words`.
  void expect_refusal(const fs::path& file, std::initializer_list<std::string> words) {
    const std::string message = read_error(file);
    ASSERT_FALSE(message.empty()) << file << " was read";
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    for (const std::string& word : words) EXPECT_NE(message.find(word), std::string::npos) << message;
  }
  const test::ScratchDirectory dir_;
  const fs::path good_ = dir_ / "good.nersc";
};

TEST_F(NerscRefusal, MissingFile) { expect_refusal(dir_ / "absent.nersc", {"cannot open"}); }

TEST_F(NerscRefusal, CorruptedHeaderValues) {
  expect_refusal(edited_copy(good_, dir_ / "dim.nersc", "DIMENSION_2 = 2", "DIMENSION_2 = 0"),
                 {"DIMENSION_2 = 0", "expected an integer >= 2"});
  expect_refusal(edited_copy(good_, dir_ / "dim1.nersc", "DIMENSION_3 = 2", "DIMENSION_3 = -4"),
                 {"DIMENSION_3 = -4"});
  expect_refusal(edited_copy(good_, dir_ / "type.nersc", "4D_SU3_GAUGE_3x3", "4D_SU4_GAUGE"),
                 {"DATATYPE = 4D_SU4_GAUGE", "expected 4D_SU3_GAUGE or 4D_SU3_GAUGE_3x3"});
  expect_refusal(edited_copy(good_, dir_ / "fp.nersc", "IEEE64BIG", "IEEE128"),
                 {"FLOATING_POINT = IEEE128"});
  const auto header = read_nersc(good_).header;
  expect_refusal(edited_copy(good_, dir_ / "plaq.nersc", "PLAQUETTE = " + header.at("PLAQUETTE"),
                             "PLAQUETTE = 0.5"),
                 {"PLAQUETTE = 0.5 in the header", "the data give"});
  expect_refusal(edited_copy(good_, dir_ / "trace.nersc",
                             "LINK_TRACE = " + header.at("LINK_TRACE"), "LINK_TRACE = 0.9"),
                 {"LINK_TRACE = 0.9 in the header", "the data give"});
  expect_refusal(edited_copy(good_, dir_ / "plaqnan.nersc",
                             "PLAQUETTE = " + header.at("PLAQUETTE"), "PLAQUETTE = nan"),
                 {"PLAQUETTE = nan", "expected a finite number"});
  expect_refusal(edited_copy(good_, dir_ / "nokey.nersc", "DATATYPE = ", "DATA_TYPE = "),
                 {"no DATATYPE"});
  expect_refusal(edited_copy(good_, dir_ / "begin.nersc", "BEGIN_HEADER", "BEGIN_HEADRE"),
                 {"byte 0", "expected BEGIN_HEADER"});
  // the same payload declared as two-row data is too long for its header
  expect_refusal(edited_copy(good_, dir_ / "rows.nersc", "4D_SU3_GAUGE_3x3", "4D_SU3_GAUGE"),
                 {"oversized payload", "expected 12288"});
}

TEST_F(NerscRefusal, TruncatedPayload) {
  const std::string bytes = file_bytes(good_);
  write_bytes(dir_ / "short.nersc", bytes.substr(0, bytes.size() - 100));
  expect_refusal(dir_ / "short.nersc", {"truncated payload", "expected 18432"});
  write_bytes(dir_ / "header_only.nersc", bytes.substr(0, bytes.find("END_HEADER")));
  expect_refusal(dir_ / "header_only.nersc", {"no END_HEADER"});
}

TEST_F(NerscRefusal, BadChecksum) {
  // the lowest mantissa bit of the last number: far inside every tolerance but the checksum's
  std::string bytes = file_bytes(good_);
  bytes.back() ^= 1;
  write_bytes(dir_ / "bit.nersc", bytes);
  expect_refusal(dir_ / "bit.nersc", {"CHECKSUM = ", "sum to"});
  const std::string checksum = read_nersc(good_).header.at("CHECKSUM");
  expect_refusal(edited_copy(good_, dir_ / "sum.nersc", "CHECKSUM = " + checksum,
                             "CHECKSUM = " + checksum + "0"),
                 {"expected a 32-bit hexadecimal number"});
}

TEST_F(NerscRefusal, LinkOffSu3) {
  std::string bytes = file_bytes(good_);
  const std::size_t payload = bytes.find("END_HEADER\n") + 11;
  bytes[payload + 144 * 5 + 1] ^= 0x10;  // exponent bits of U_1(x = (1,0,0,0))[0][0].re
  write_bytes(dir_ / "off.nersc", bytes);
  expect_refusal(dir_ / "off.nersc", {"U_1(x = (1, 0, 0, 0))", "not in SU(3)",
                                      fmt::format("byte {}", payload + 144 * 5)});
  bytes[payload + 144 * 5] = 0x7f, bytes[payload + 144 * 5 + 1] = char(0xf8);  // a NaN
  write_bytes(dir_ / "nan.nersc", bytes);
  expect_refusal(dir_ / "nan.nersc", {"not a finite number"});
}

TEST(NerscWrite, RefusesToOverwriteUnlessAsked) {
  const test::ScratchDirectory dir;
  const auto g = Geometry::make({2, 2, 2, 2});
  const fs::path file = dir / "config.nersc";
  write_nersc(file, unit_gauge_field(g));
  const std::string first = file_bytes(file);
  try {
    write_nersc(file, random_gauge_field(g, 1));
    ADD_FAILURE() << "overwrote " << file;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("exists"), std::string::npos) << e.what();
  }
  EXPECT_EQ(file_bytes(file), first);
  write_nersc(file, random_gauge_field(g, 1), {}, /*overwrite=*/true);
  EXPECT_TRUE(bitwise_equal(read_nersc(file).field, random_gauge_field(g, 1)));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(NerscWrite, LeavesNothingAfterAFailure) {
  const test::ScratchDirectory dir;
  GaugeField u = random_gauge_field(Geometry::make({2, 2, 2, 2}), 2);
  u(9, 2) *= 1.01;  // off SU(3)
  EXPECT_THROW(write_nersc(dir / "bad.nersc", u), std::runtime_error);
  u(9, 2).e[1][1].im = std::nan("");
  EXPECT_THROW(write_nersc(dir / "nan.nersc", u), std::runtime_error);
  EXPECT_THROW(write_nersc(dir / "no-such-dir" / "x.nersc", unit_gauge_field(u.geometry_ptr())),
               std::runtime_error);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace fpgauge
