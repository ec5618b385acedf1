#pragma once
// Shared helpers of the configuration-file tests (ILDG, openQCD, format dispatch, CLI): edited
// copies of files, the message of a refusal, link-by-link comparisons, the golden files of
// tests/golden/make_ildg_openqcd_golden.py. Whole-file reads and writes: ScratchDirectory.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "ScratchDirectory.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge::test {

inline const std::filesystem::path kGoldenDirectory =
    std::filesystem::path(FPGAUGE_SOURCE_DIR) / "tests" / "golden";

// A copy of `source` with the first occurrence of `from` replaced by `to`.
inline std::filesystem::path edited_copy(const std::filesystem::path& source,
                                         const std::filesystem::path& target,
                                         const std::string& from, const std::string& to) {
  std::string bytes = file_bytes(source);
  const std::size_t at = bytes.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) bytes.replace(at, from.size(), to);
  write_bytes(target, bytes);
  return target;
}

// The message of the std::runtime_error `read` throws, or "" if it returns.
inline std::string refusal_message(const std::function<void()>& read) {
  try {
    read();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// Expects `read` to throw an std::runtime_error whose message names `file` and every one of
// `words`.
inline void expect_refusal(const std::function<void()>& read, const std::filesystem::path& file,
                           std::initializer_list<std::string> words) {
  const std::string message = refusal_message(read);
  ASSERT_FALSE(message.empty()) << file << " was read";
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  for (const std::string& word : words)
    EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' not in: " << message;
}

inline bool bitwise_equal_link(const SU3& a, const SU3& b) {
  return std::memcmp(&a, &b, sizeof(SU3)) == 0;
}

inline bool bitwise_equal(const GaugeField& a, const GaugeField& b) {
  return a.size() == b.size() && a.geometry() == b.geometry() &&
         std::memcmp(a.data(), b.data(), sizeof(SU3) * static_cast<std::size_t>(a.size())) == 0;
}

inline double max_link_difference(const GaugeField& a, const GaugeField& b) {
  double worst = 0.0;
  for (SiteIndex l = 0; l < a.size(); ++l) worst = std::max(worst, std::sqrt(norm2(a[l] - b[l])));
  return worst;
}

inline nlohmann::json golden_json(const std::string& name) {
  std::ifstream in(kGoldenDirectory / name);
  return nlohmann::json::parse(in);
}

}  // namespace fpgauge::test
