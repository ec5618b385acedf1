// openQCD export files: the layout (sizes with N0 = time, plaquette without the 1/3, odd sites
// with t slowest and z fastest, 8 links each, openQCD direction 0 = time) checked on raw bytes,
// bit-exact round trips, golden files packed independently by
// tests/golden/make_ildg_openqcd_golden.py (read, and written byte for byte), and every
// refusal naming the file and the byte offset.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>

#include "ConfigurationTestSupport.h"
#include "ScratchDirectory.h"
#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/io/OpenQcd.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::bitwise_equal;
using test::bitwise_equal_link;
using test::expect_refusal;
using test::file_bytes;
using test::kGoldenDirectory;
using test::write_bytes;

constexpr RealCoding kLittle64{8, ByteOrder::little};

std::int32_t int_at(const std::string& bytes, std::size_t at) {
  return static_cast<std::int32_t>(load_word<std::uint32_t>(
      reinterpret_cast<const unsigned char*>(bytes.data()) + at, ByteOrder::little));
}

SU3 link_at(const std::string& bytes, std::size_t at) {
  return load_link(reinterpret_cast<const unsigned char*>(bytes.data()) + at, kLittle64);
}

TEST(OpenQcd, LayoutOfTheExportFormat) {
  const test::ScratchDirectory dir;
  const auto g = Geometry::make({2, 4, 6, 8});  // x, y, z, t all different
  const GaugeField u = random_gauge_field(g, 21);
  const fs::path file = dir / "layout.oqcd";
  write_openqcd(file, u);
  const std::string bytes = file_bytes(file);
  ASSERT_EQ(bytes.size(), 24u + 384 / 2 * 8 * 144);
  // N0 = time extent, then x, y, z
  EXPECT_EQ(int_at(bytes, 0), 8);
  EXPECT_EQ(int_at(bytes, 4), 2);
  EXPECT_EQ(int_at(bytes, 8), 4);
  EXPECT_EQ(int_at(bytes, 12), 6);
  double plaquette = 0;
  std::memcpy(&plaquette, bytes.data() + 16, 8);  // little-endian host
  EXPECT_EQ(plaquette, 3.0 * average_plaquette(u));
  // odd sites (t, x, y, z) with z fastest: (0,0,0,1), (0,0,0,3), (0,0,0,5), (0,0,1,0), ...
  const std::vector<Coordinates> first_odd = {
      {0, 0, 1, 0}, {0, 0, 3, 0}, {0, 0, 5, 0}, {0, 1, 0, 0}};  // fpgauge (x, y, z, t)
  const int direction[4] = {3, 0, 1, 2};                        // openQCD 0 = time, 1 = x, ...
  for (std::size_t n = 0; n < first_odd.size(); ++n) {
    const SiteIndex s = g->site(first_odd[n]);
    for (int nu = 0; nu < 4; ++nu) {
      const int mu = direction[nu];
      const std::size_t at = 24 + n * 8 * 144 + 2 * nu * 144;
      EXPECT_TRUE(bitwise_equal_link(link_at(bytes, at), u(s, mu))) << n << " " << nu;
      EXPECT_TRUE(bitwise_equal_link(link_at(bytes, at + 144), u(g->backward(s, mu), mu)))
          << n << " " << nu;
    }
  }
}

TEST(OpenQcd, RoundTripIsBitExact) {
  const test::ScratchDirectory dir;
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 6}), 11);
  const fs::path file = dir / "random.oqcd";
  write_openqcd(file, u);
  const OpenQcdConfiguration read = read_openqcd(file);
  EXPECT_TRUE(bitwise_equal(read.field, u));
  EXPECT_EQ(read.plaquette, 3.0 * average_plaquette(u));
  EXPECT_EQ(read_openqcd(file, Coordinates{4, 4, 4, 6}).plaquette, read.plaquette);
}

TEST(OpenQcd, ReadsGoldenFiles) {
  const nlohmann::json golden = test::golden_json("ildg_openqcd_golden.json");
  const GaugeField nersc = read_nersc(kGoldenDirectory / "nersc_2x2x2x4_3x3_ieee64big.nersc").field;
  int files = 0;
  for (const auto& [name, expected] : golden["files"].items()) {
    if (expected["format"] != "openqcd") continue;
    SCOPED_TRACE(name);
    ++files;
    const OpenQcdConfiguration read = read_openqcd(kGoldenDirectory / name);
    EXPECT_EQ(read.field.geometry().extents(), expected["extents"].get<Coordinates>());
    EXPECT_NEAR(average_plaquette(read.field), expected["plaquette"].get<double>(), 1e-14);
    EXPECT_NEAR(read.plaquette, 3 * expected["plaquette"].get<double>(), 1e-14);
    EXPECT_NEAR(average_link_trace(read.field), expected["link_trace"].get<double>(), 1e-14);
    if (expected.contains("same_links_as")) {
      EXPECT_TRUE(bitwise_equal(read.field, nersc));
    }
  }
  EXPECT_EQ(files, 2);
}

TEST(OpenQcd, WriteMatchesGoldenFileByteForByte) {
  const test::ScratchDirectory dir;
  const fs::path golden =
      kGoldenDirectory /
      test::golden_json("ildg_openqcd_golden.json")["fpgauge_write"]["openqcd"].get<std::string>();
  write_openqcd(dir / "written.oqcd", read_openqcd(golden).field);
  EXPECT_EQ(file_bytes(dir / "written.oqcd"), file_bytes(golden));
}

class OpenQcdRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    u_ = random_gauge_field(Geometry::make({2, 2, 2, 4}), 5);
    write_openqcd(good_, u_);
    bytes_ = file_bytes(good_);
  }
  void expect_read_refusal(const fs::path& file, std::initializer_list<std::string> words) {
    expect_refusal([&] { read_openqcd(file); }, file, words);
  }
  fs::path with_bytes(const std::string& name, const std::string& bytes) {
    write_bytes(dir_ / name, bytes);
    return dir_ / name;
  }
  fs::path with_int(const std::string& name, std::size_t at, std::int32_t value) {
    std::string bytes = bytes_;
    store_word(static_cast<std::uint32_t>(value),
               reinterpret_cast<unsigned char*>(bytes.data()) + at, ByteOrder::little);
    return with_bytes(name, bytes);
  }

  const test::ScratchDirectory dir_;
  const fs::path good_ = dir_ / "good.oqcd";
  GaugeField u_;
  std::string bytes_;
};

TEST_F(OpenQcdRefusal, MissingOrTruncatedFile) {
  expect_read_refusal(dir_ / "absent.oqcd", {"cannot open"});
  expect_read_refusal(with_bytes("header.oqcd", bytes_.substr(0, 10)),
                      {"10 bytes, expected a header of 24", "truncated"});
  expect_read_refusal(with_bytes("short.oqcd", bytes_.substr(0, bytes_.size() - 100)),
                      {"18356 bytes, expected 18456 for N0 N1 N2 N3 = 4 2 2 2", "truncated"});
  expect_read_refusal(with_bytes("long.oqcd", bytes_ + "x"), {"18457 bytes, expected 18456"});
}

TEST_F(OpenQcdRefusal, WrongDimensions) {
  expect_read_refusal(with_int("odd.oqcd", 4, 3),
                      {"byte 4", "N0 N1 N2 N3 = 4 3 2 2", "N1 = 3, expected an even lattice size"});
  expect_read_refusal(with_int("zero.oqcd", 12, 0), {"byte 12", "N3 = 0"});
  expect_read_refusal(with_int("big.oqcd", 0, 6),
                      {"18456 bytes, expected 27672 for N0 N1 N2 N3 = 6 2 2 2"});
  expect_refusal(
      [&] {
        read_openqcd(good_, Coordinates{2, 2, 2, 6});
      },
      good_, {"byte 0", "N0 N1 N2 N3 = 4 2 2 2 (N0 = time), expected 6 2 2 2"});
}

TEST_F(OpenQcdRefusal, WrongPlaquetteOrLink) {
  std::string bytes = bytes_;
  store_real(1.5, reinterpret_cast<unsigned char*>(bytes.data()) + 16, kLittle64);
  expect_read_refusal(with_bytes("plaq.oqcd", bytes), {"byte 16: plaquette 1.5 in the header"});
  bytes = bytes_;
  bytes[24 + 144 * 2 + 7] ^= 0x10;  // exponent of U(x, 1)[0][0].re at the first odd site
  expect_read_refusal(
      with_bytes("link.oqcd", bytes),
      {"link U_0(x = (0, 0, 1, 0)) (openQCD U(x, 1) of odd site number 0) at byte 312",
       "not in SU(3)"});
}

TEST(OpenQcdWrite, RefusesOddExtentsAndOverwriting) {
  const test::ScratchDirectory dir;
  const auto odd = Geometry::make({2, 3, 2, 2});
  EXPECT_THROW(write_openqcd(dir / "odd.oqcd", unit_gauge_field(odd)), std::invalid_argument);
  const auto g = Geometry::make({2, 2, 2, 2});
  const fs::path file = dir / "config.oqcd";
  write_openqcd(file, unit_gauge_field(g));
  EXPECT_EQ(read_openqcd(file).plaquette, 3.0);
  EXPECT_THROW(write_openqcd(file, random_gauge_field(g, 1)), std::runtime_error);
  EXPECT_EQ(read_openqcd(file).plaquette, 3.0);
  write_openqcd(file, random_gauge_field(g, 1), /*overwrite=*/true);
  EXPECT_TRUE(bitwise_equal(read_openqcd(file).field, random_gauge_field(g, 1)));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace fpgauge
