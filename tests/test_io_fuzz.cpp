// Fuzz test of the configuration readers (io/ConfigurationFile.h: NERSC, ILDG/LIME, openQCD):
// thousands of mutations of valid small files, each read through read_configuration. A read
// either succeeds, and then every link is an SU(3) matrix to the tolerance of the file's
// precision and the plaquette is finite, or throws an std::exception whose message names the
// file. Never a crash, a hang, an unbounded allocation (a huge lattice in a header must be
// refused before anything is allocated for it) or a sanitizer report: tests/README.md gives the
// command that runs this test under AddressSanitizer and UndefinedBehaviorSanitizer.
//
// Mutations, chosen by a keyed counter-based stream (lattice/Rng.h, fixed seed), so every run
// tries the same files: bit flips, byte overwrites, edits of a header value (NERSC "KEY =
// VALUE" lines, the XML values of LIME records) to hostile text, edits of a binary header word
// (openQCD lattice sizes and plaquette, LIME magic, version and record lengths) to hostile
// numbers, truncations and extensions.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ConfigurationTestSupport.h"
#include "ScratchDirectory.h"
#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kFuzzSeed = 20261126;

// 300 per file keeps the test near 2 s; FPGAUGE_FUZZ_MUTATIONS=N runs a longer campaign (the
// first 300 are the same mutations).
int mutations_per_file() {
  const char* n = std::getenv("FPGAUGE_FUZZ_MUTATIONS");
  return n ? std::max(1, std::atoi(n)) : 300;
}

struct Span {
  std::size_t begin, end;  // [begin, end)
};

std::size_t below(RngStream& rng, std::size_t n) {
  return static_cast<std::size_t>(rng.bits() % n);
}

// The values of the text headers: NERSC "KEY = VALUE" lines up to END_HEADER and the XML element
// values ">VALUE<" of LIME metadata records (the first 4 kB hold all of them in these files).
std::vector<Span> header_values(const std::string& bytes) {
  std::vector<Span> spans;
  const std::size_t limit = std::min<std::size_t>(bytes.size(), 4096);
  const std::size_t header_end = bytes.find("END_HEADER");
  for (std::size_t i = 0; i < limit; ++i) {
    if (bytes[i] == '=' && header_end != std::string::npos && i < header_end) {
      const std::size_t end = bytes.find('\n', i);
      if (end != std::string::npos) spans.push_back({i + 1, end});
    } else if (bytes[i] == '>') {
      const std::size_t end = bytes.find('<', i);
      if (end != std::string::npos && end < limit && end > i + 1) spans.push_back({i + 1, end});
    }
  }
  return spans;
}

// Offsets of binary header words worth corrupting, with their sizes: the openQCD header (four
// int32 sizes, the plaquette), or every LIME record header's magic, version and data length.
std::vector<Span> binary_header_words(const std::string& bytes, ConfigurationFormat format) {
  std::vector<Span> words;
  if (format == ConfigurationFormat::openqcd) {
    for (std::size_t i = 0; i < 16; i += 4) words.push_back({i, i + 4});
    words.push_back({16, 24});
  } else if (format == ConfigurationFormat::ildg) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    for (std::uint64_t offset = 0; offset + 144 <= bytes.size();) {
      words.push_back({offset, offset + 4});
      words.push_back({offset + 4, offset + 6});
      words.push_back({offset + 8, offset + 16});
      const auto length = load_word<std::uint64_t>(p + offset + 8, ByteOrder::big);
      offset += 144 + (length + 7) / 8 * 8;
    }
  }
  return words;
}

// One mutation of `bytes`, number `k` of file `file_index`.
std::string mutate(std::string bytes, ConfigurationFormat format, std::uint64_t file_index,
                   std::uint64_t k) {
  RngStream rng(kFuzzSeed, RngPurpose::test, file_index, k);
  static const std::vector<std::string> hostile_text = {"",
                                                        " ",
                                                        "-1",
                                                        "0",
                                                        "1",
                                                        "2",
                                                        "3",
                                                        "65536",
                                                        "2147483648",
                                                        "4294967297",
                                                        "99999999999999999999",
                                                        "1e308",
                                                        "-1e308",
                                                        "nan",
                                                        "inf",
                                                        "0x",
                                                        "0xffffffffffffffff",
                                                        "abc",
                                                        "12abc",
                                                        "4 4 4",
                                                        "\t",
                                                        "\n",
                                                        "=",
                                                        "<",
                                                        ">",
                                                        "IEEE16BIG",
                                                        "4D_SU3_GAUGE"};
  static const std::vector<std::uint64_t> hostile_words = {0,
                                                           1,
                                                           2,
                                                           3,
                                                           4,
                                                           0x7f,
                                                           0x80,
                                                           0xff,
                                                           0xffff,
                                                           0x10000,
                                                           0x7fffffff,
                                                           0x80000000,
                                                           0xffffffff,
                                                           0x100000000,
                                                           0x7fffffffffffffff,
                                                           0xffffffffffffffff,
                                                           0x456789ab};
  const std::size_t size = bytes.size();
  switch (below(rng, 6)) {
    case 0:  // bit flips
      for (std::size_t n = 1 + below(rng, 4); n > 0; --n)
        bytes[below(rng, size)] ^= static_cast<char>(1u << below(rng, 8));
      return bytes;
    case 1: {  // a run of random bytes
      const std::size_t at = below(rng, size);
      const std::size_t length = std::min(size - at, 1 + below(rng, 16));
      for (std::size_t i = at; i < at + length; ++i) bytes[i] = static_cast<char>(rng.bits());
      return bytes;
    }
    case 2: {  // a header value replaced by hostile text
      const std::vector<Span> spans = header_values(bytes);
      if (spans.empty()) break;
      const Span span = spans[below(rng, spans.size())];
      bytes.replace(span.begin, span.end - span.begin,
                    hostile_text[below(rng, hostile_text.size())]);
      return bytes;
    }
    case 3: {  // a binary header word set to a hostile number in either byte order
      const std::vector<Span> words = binary_header_words(bytes, format);
      if (words.empty()) break;
      const Span word = words[below(rng, words.size())];
      const std::uint64_t value = hostile_words[below(rng, hostile_words.size())];
      const ByteOrder order = below(rng, 2) == 0 ? ByteOrder::big : ByteOrder::little;
      std::vector<unsigned char> stored(8);
      store_word(value, stored.data(), order);
      const std::size_t offset = order == ByteOrder::big ? 8 - (word.end - word.begin) : 0;
      for (std::size_t i = word.begin; i < word.end; ++i)
        bytes[i] = static_cast<char>(stored[offset + i - word.begin]);
      return bytes;
    }
    case 4:  // truncation
      bytes.resize(below(rng, size));
      return bytes;
    case 5: {  // extension by random bytes
      for (std::size_t n = 1 + below(rng, 300); n > 0; --n)
        bytes.push_back(static_cast<char>(rng.bits()));
      return bytes;
    }
  }
  bytes[below(rng, size)] ^= 1;  // no header of that kind: one bit flip
  return bytes;
}

// The valid inputs: every golden configuration, and freshly written files in every format and
// precision.
std::vector<fs::path> valid_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(test::kGoldenDirectory)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".nersc" || extension == ".lime" || extension == ".oqcd")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const GaugeField u = random_gauge_field(Geometry::make({2, 2, 2, 4}), 7);
  const struct {
    ConfigurationFormat format;
    int precision;
  } written[] = {{ConfigurationFormat::nersc, 64},
                 {ConfigurationFormat::nersc, 32},
                 {ConfigurationFormat::ildg, 64},
                 {ConfigurationFormat::ildg, 32},
                 {ConfigurationFormat::openqcd, 64}};
  for (const auto& w : written) {
    const fs::path file = dir / fmt::format("fresh_{}{}", w.precision, format_extension(w.format));
    write_configuration(file, u, w.format, w.precision);
    files.push_back(file);
  }
  return files;
}

TEST(IoFuzz, EveryMutationIsReadCorrectlyOrRefusedNamingTheFile) {
  const test::ScratchDirectory dir;
  const std::vector<fs::path> files = valid_files(dir.path());
  ASSERT_GE(files.size(), 15u);
  const int mutations = mutations_per_file();
  int accepted = 0, refused = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const std::string original = test::file_bytes(files[f]);
    const ConfigurationFormat format = read_configuration(files[f]).format;
    for (int k = 0; k < mutations; ++k) {
      const std::string mutated = mutate(original, format, f, static_cast<std::uint64_t>(k));
      const fs::path file =
          dir / fmt::format("mutant_{}_{}{}", f, k, files[f].extension().string());
      test::write_bytes(file, mutated);
      const std::string what = fmt::format("{} mutation {}", files[f].filename().string(), k);
      try {
        const ConfigurationFile read = read_configuration(file);
        const double tolerance = su3_tolerance(read.precision);
        for (SiteIndex l = 0; l < read.field.size(); ++l) {
          const std::string defect = link_defect(read.field[l], tolerance);
          ASSERT_TRUE(defect.empty()) << what << ": link " << l << " " << defect;
        }
        ASSERT_TRUE(std::isfinite(average_plaquette(read.field))) << what;
        ++accepted;
      } catch (const std::exception& e) {
        ASSERT_NE(std::string(e.what()).find(file.string()), std::string::npos)
            << what << ": the message does not name the file: " << e.what();
        ++refused;
      } catch (...) {
        FAIL() << what << ": threw something that is not an std::exception";
      }
      fs::remove(file);
    }
  }
  RecordProperty("accepted", accepted);
  RecordProperty("refused", refused);
  EXPECT_EQ(accepted + refused, static_cast<int>(files.size()) * mutations);
  // Most mutations must be caught (checksums, sizes, SU(3) checks); some are harmless (a flip in
  // an unused header value, a truncated padding of the last LIME record).
  EXPECT_GT(refused, 8 * accepted) << accepted << " accepted, " << refused << " refused";
}

}  // namespace
}  // namespace fpgauge
