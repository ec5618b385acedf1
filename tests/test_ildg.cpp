// ILDG files in LIME containers: the LIME record layer, bit-exact 64-bit and float-exact 32-bit
// round trips, golden files packed independently by tests/golden/make_ildg_openqcd_golden.py
// (fpgauge's layout byte for byte, and other writers' layouts with extra records, other record
// order, no checksum, an unpadded last record), and every refusal naming file and record.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ConfigurationTestSupport.h"
#include "ScratchDirectory.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/Ildg.h"
#include "fpgauge/io/Lime.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::bitwise_equal;
using test::expect_refusal;
using test::file_bytes;
using test::kGoldenDirectory;
using test::write_bytes;

TEST(Lime, RecordsRoundTripWithFlagsAndPadding) {
  const test::ScratchDirectory dir;
  const fs::path file = dir / "records.lime";
  const std::vector<std::string> data = {"",         "x",         "1234567",
                                         "12345678", "123456789", std::string(300, 'z')};
  {
    OutputFile out(file, false);
    LimeWriter lime(out);
    for (std::size_t i = 0; i < data.size(); ++i)
      lime.write_record(fmt::format("type-{}", i), data[i], i % 3 == 0, i % 3 == 2);
    out.commit();
  }
  const std::vector<LimeRecord> records = read_lime_records(file);
  ASSERT_EQ(records.size(), data.size());
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(records[i].type, fmt::format("type-{}", i));
    EXPECT_EQ(records[i].message_begin, i % 3 == 0);
    EXPECT_EQ(records[i].message_end, i % 3 == 2);
    EXPECT_EQ(records[i].header_offset, offset);
    EXPECT_EQ(records[i].data_offset, offset + 144);
    EXPECT_EQ(records[i].data_bytes, data[i].size());
    EXPECT_EQ(read_lime_data(file, records[i], 1000), data[i]);
    offset += 144 + (data[i].size() + 7) / 8 * 8;
  }
  EXPECT_EQ(fs::file_size(file), offset);
  // the header, byte by byte: magic, version 1, MB flag, length, type
  const std::string bytes = file_bytes(file);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x45\x67\x89\xab\x00\x01\x80\x00", 8));
  EXPECT_EQ(bytes.substr(8, 8), std::string(8, '\0'));
  EXPECT_EQ(bytes.substr(16, 8), std::string("type-0\0\0", 8));
  EXPECT_THROW(read_lime_data(file, records.back(), 299), std::runtime_error);
}

TEST(Lime, WriterRefusesBadRecords) {
  const test::ScratchDirectory dir;
  OutputFile out(dir / "bad.lime", false);
  LimeWriter lime(out);
  EXPECT_THROW(lime.write_record(std::string(128, 't'), "", true, true), std::invalid_argument);
  EXPECT_THROW(lime.write_record("", "", true, true), std::invalid_argument);
  lime.begin_record("short", 10, true, true);
  lime.write_data("12345", 5);
  EXPECT_THROW(lime.end_record(), std::logic_error);
  EXPECT_THROW(lime.write_data("123456", 6), std::logic_error);
}

TEST(Ildg, RoundTripIsBitExactAt64Bits) {
  const test::ScratchDirectory dir;
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 6}), 11);
  const fs::path file = dir / "random.lime";
  write_ildg(file, u, {.lfn = "lfn://test/random"});
  const IldgConfiguration read = read_ildg(file);
  EXPECT_TRUE(bitwise_equal(read.field, u));
  EXPECT_EQ(read.precision, 64);
  EXPECT_TRUE(read.checksum.has_value());
  EXPECT_EQ(read.header.at("ildg-data-lfn"), "lfn://test/random");
  EXPECT_EQ(read.header.at("ildg-format.lt"), "6");
  const std::vector<std::string> types = {
      "scidac-private-file-xml", "scidac-file-xml", "scidac-private-record-xml",
      "scidac-record-xml",       "ildg-format",     "ildg-data-lfn",
      "ildg-binary-data",        "scidac-checksum"};
  ASSERT_EQ(read.records.size(), types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(read.records[i].type, types[i]);
    // two messages: records 1-2 and 3-8
    EXPECT_EQ(read.records[i].message_begin, i == 0 || i == 2) << i;
    EXPECT_EQ(read.records[i].message_end, i == 1 || i == 7) << i;
    EXPECT_EQ(read.records[i].header_offset % 8, 0u);
  }
  EXPECT_EQ(read.records[6].data_bytes, 384u * 4 * 18 * 8);
}

TEST(Ildg, RoundTripAt32BitsIsTheFloatRoundedField) {
  const test::ScratchDirectory dir;
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 6}), 12);
  const fs::path file = dir / "single.lime";
  write_ildg(file, u, {}, false, 32);
  const IldgConfiguration read = read_ildg(file);
  EXPECT_EQ(read.precision, 32);
  EXPECT_EQ(read.records[6].data_bytes, 384u * 4 * 18 * 4);
  // exactly the float rounding of every number, kept as stored (not repaired) ...
  EXPECT_TRUE(bitwise_equal(read.field, as_stored(u, 32)));
  EXPECT_GT(max_unitarity_violation(read.field), 1e-9);
  // ... which after reunitarisation is the field written to single-precision round-off
  GaugeField repaired = read.field;
  reunitarise(repaired);
  EXPECT_LT(test::max_link_difference(repaired, u), 1e-6);
  EXPECT_LT(max_unitarity_violation(repaired), 1e-14);
  EXPECT_NEAR(average_plaquette(read.field), average_plaquette(u), 1e-6);
  // the usqcdInfo plaq is that of the numbers in the file, checked on reading
  EXPECT_EQ(read.header.at("usqcdInfo.plaq"),
            fmt::format("{:.12f}", average_plaquette(read.field)));
}

TEST(Ildg, ReadsGoldenFilesOfEveryLayout) {
  const nlohmann::json golden = test::golden_json("ildg_openqcd_golden.json");
  const GaugeField nersc = read_nersc(kGoldenDirectory / "nersc_2x2x2x4_3x3_ieee64big.nersc").field;
  int files = 0;
  for (const auto& [name, expected] : golden["files"].items()) {
    if (expected["format"] != "ildg") continue;
    SCOPED_TRACE(name);
    ++files;
    const IldgConfiguration read = read_ildg(kGoldenDirectory / name);
    EXPECT_EQ(read.field.geometry().extents(), expected["extents"].get<Coordinates>());
    EXPECT_EQ(read.precision, expected["precision"].get<int>());
    EXPECT_NEAR(average_plaquette(read.field), expected["plaquette"].get<double>(), 1e-14);
    EXPECT_NEAR(average_link_trace(read.field), expected["link_trace"].get<double>(), 1e-14);
    if (expected["checksum"].is_null()) {
      EXPECT_FALSE(read.checksum.has_value());
    } else {
      ASSERT_TRUE(read.checksum.has_value());
      EXPECT_EQ(fmt::format("{:x}", read.checksum->suma), expected["checksum"]["suma"]);
      EXPECT_EQ(fmt::format("{:x}", read.checksum->sumb), expected["checksum"]["sumb"]);
    }
    if (expected.contains("same_links_as")) {
      // the NERSC golden configuration, packed independently in another format
      EXPECT_TRUE(bitwise_equal(read.field, as_stored(nersc, read.precision)));
    }
  }
  EXPECT_EQ(files, 4);
}

TEST(Ildg, WriteMatchesGoldenFilesByteForByte) {
  const test::ScratchDirectory dir;
  const nlohmann::json spec = test::golden_json("ildg_openqcd_golden.json")["fpgauge_write"];
  const IldgMetadata metadata{.lfn = spec["lfn"].get<std::string>(),
                              .info = spec["info"].get<std::string>()};
  for (const int bits : {64, 32}) {
    SCOPED_TRACE(bits);
    const fs::path golden =
        kGoldenDirectory / spec[fmt::format("ildg_{}", bits)].get<std::string>();
    const fs::path file = dir / fmt::format("written_{}.lime", bits);
    write_ildg(file, read_ildg(golden).field, metadata, false, bits);
    EXPECT_EQ(file_bytes(file), file_bytes(golden));
  }
}

// Refusals, on a 64-bit file written by fpgauge with records (1-based) 1 scidac-private-file-xml,
// 2 scidac-file-xml, 3 scidac-private-record-xml, 4 scidac-record-xml, 5 ildg-format,
// 6 ildg-data-lfn, 7 ildg-binary-data, 8 scidac-checksum.
class IldgRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    write_ildg(good_, random_gauge_field(Geometry::make({2, 2, 2, 4}), 5));
    records_ = read_lime_records(good_);
    bytes_ = file_bytes(good_);
  }
  void expect_read_refusal(const fs::path& file, std::initializer_list<std::string> words) {
    expect_refusal([&] { read_ildg(file); }, file, words);
  }
  fs::path with_bytes(const std::string& name, const std::string& bytes) {
    write_bytes(dir_ / name, bytes);
    return dir_ / name;
  }
  fs::path edited(const std::string& name, const std::string& from, const std::string& to) {
    return test::edited_copy(good_, dir_ / name, from, to);
  }
  std::string at(std::size_t record) const {
    return fmt::format("byte {}", records_[record].header_offset);
  }

  const test::ScratchDirectory dir_;
  const fs::path good_ = dir_ / "good.lime";
  std::vector<LimeRecord> records_;
  std::string bytes_;
};

TEST_F(IldgRefusal, MissingOrEmptyFile) {
  expect_read_refusal(dir_ / "absent.lime", {"cannot open"});
  expect_read_refusal(with_bytes("empty.lime", ""), {"the file is empty"});
}

TEST_F(IldgRefusal, Truncated) {
  const LimeRecord& binary = records_[6];
  expect_read_refusal(with_bytes("cut_data.lime", bytes_.substr(0, binary.data_offset + 1000)),
                      {"record 7 ('ildg-binary-data') at " + at(6), "18432 bytes of data announced",
                       "only 1000 follow", "truncated"});
  expect_read_refusal(
      with_bytes("cut_header.lime", bytes_.substr(0, records_[7].header_offset + 50)),
      {"record 8 at " + at(7), "only 50 bytes", "144-byte record header", "truncated"});
}

TEST_F(IldgRefusal, BadMagicNumberOrVersion) {
  std::string bytes = bytes_;
  bytes[records_[4].header_offset] = 0;
  expect_read_refusal(with_bytes("magic.lime", bytes),
                      {"record 5 at " + at(4), "magic number 0x006789ab, expected 0x456789ab"});
  bytes = bytes_;
  bytes[records_[2].header_offset + 5] = 2;
  expect_read_refusal(with_bytes("version.lime", bytes),
                      {"record 3 at " + at(2), "LIME version 2, expected 1"});
}

TEST_F(IldgRefusal, BadChecksum) {
  // the lowest mantissa bit of the last number: far inside the SU(3) tolerance
  std::string bytes = bytes_;
  bytes[records_[6].data_offset + records_[6].data_bytes - 1] ^= 1;
  const fs::path file = with_bytes("bit.lime", bytes);
  expect_read_refusal(
      file, {"record 8 ('scidac-checksum', " + at(7) + ")", "suma = ", "but the binary data give"});
  const IldgConfiguration good = read_ildg(good_);
  expect_read_refusal(edited("sum.lime", fmt::format("<suma>{:x}<", good.checksum->suma),
                             fmt::format("<suma>{:x}<", good.checksum->suma ^ 0x10)),
                      {"record 8 ('scidac-checksum', " + at(7) + ")", "suma = "});
  const std::string suma = fmt::format("{:x}", good.checksum->suma);
  expect_read_refusal(
      edited("sumtext.lime", "<suma>" + suma, "<suma>" + std::string(suma.size(), 'g')),
      {"record 8", "<suma> is 'g", "expected a 32-bit hexadecimal number"});
}

TEST_F(IldgRefusal, WrongDimensions) {
  expect_read_refusal(edited("lt.lime", "<lt>4</lt>", "<lt>6</lt>"),
                      {"record 7 ('ildg-binary-data', " + at(6) + ")", "18432 bytes of data",
                       "expected 27648 for a 2x2x2x6 lattice at 64 bits",
                       "record 5 ('ildg-format', " + at(4) + ")"});
  expect_read_refusal(
      edited("lx.lime", "<lx>2</lx>", "<lx>1</lx>"),
      {"record 5 ('ildg-format', " + at(4) + ")", "<lx> is '1'", "expected an integer >= 2"});
  expect_refusal(
      [&] {
        read_ildg(good_, Coordinates{2, 2, 2, 6});
      },
      good_, {"record 5 ('ildg-format', " + at(4) + ")", "lattice 2x2x2x4, expected 2x2x2x6"});
}

TEST_F(IldgRefusal, BadFormatRecord) {
  expect_read_refusal(edited("noformat.lime", "ildg-format", "ildg-formaX"),
                      {"no ildg-format record", "ildg-formaX"});
  expect_read_refusal(edited("nodata.lime", "ildg-binary-data", "ildg-binary-date"),
                      {"no ildg-binary-data record"});
  expect_read_refusal(
      edited("precision.lime", "<precision>64<", "<precision>48<"),
      {"record 5 ('ildg-format', " + at(4) + ")", "<precision> is 48", "expected 32 or 64"});
  expect_read_refusal(edited("field.lime", "su3gauge", "su2gauge"),
                      {"<field> is 'su2gauge', expected su3gauge"});
}

TEST_F(IldgRefusal, LinkOffSu3AndWrongPlaquette) {
  std::string bytes = bytes_;
  const std::uint64_t link5 = records_[6].data_offset + 144 * 5;
  bytes[link5 + 1] ^= 0x10;  // exponent bits of U_1(x = (1,0,0,0))[0][0].re
  expect_read_refusal(
      with_bytes("off.lime", bytes),
      {"link U_1(x = (1, 0, 0, 0)) at byte " + std::to_string(link5), "not in SU(3)"});
  const std::string plaq = read_ildg(good_).header.at("usqcdInfo.plaq");
  expect_read_refusal(
      edited("plaq.lime", "<plaq>" + plaq, "<plaq>" + std::string("0.5") + plaq.substr(3)),
      {"record 2 ('scidac-file-xml', " + at(1) + ")", "<plaq> is 0.5", "but the data give"});
}

TEST(IldgWrite, RefusesToOverwriteOrToWriteBadFields) {
  const test::ScratchDirectory dir;
  const auto g = Geometry::make({2, 2, 2, 2});
  const fs::path file = dir / "config.lime";
  write_ildg(file, unit_gauge_field(g));
  const std::string first = file_bytes(file);
  EXPECT_THROW(write_ildg(file, random_gauge_field(g, 1)), std::runtime_error);
  EXPECT_EQ(file_bytes(file), first);
  write_ildg(file, random_gauge_field(g, 1), {}, /*overwrite=*/true);
  EXPECT_TRUE(bitwise_equal(read_ildg(file).field, random_gauge_field(g, 1)));
  GaugeField u = random_gauge_field(g, 2);
  u(3, 1) *= 1.01;
  expect_refusal([&] { write_ildg(dir / "bad.lime", u); }, dir / "bad.lime",
                 {"refusing to write", "U_1(x = (1, 1, 0, 0))", "not in SU(3)"});
  EXPECT_THROW(write_ildg(dir / "p.lime", unit_gauge_field(g), {}, false, 16),
               std::invalid_argument);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace fpgauge
