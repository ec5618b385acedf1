#include "fpgauge/io/EnsembleCheckpoint.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/OutputFile.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagicLine = "FPGAUGE_ENSEMBLE_CHECKPOINT 1";
constexpr RealCoding kCoding{8, ByteOrder::little};
constexpr std::size_t kMaxHeaderBytes = 1 << 20;  // the run card is a few kB

[[noreturn]] void fail(const fs::path& file, std::string_view message) {
  throw std::runtime_error(fmt::format("ensemble checkpoint '{}': {}", file.string(), message));
}

std::uint32_t payload_crc32(const std::vector<unsigned char>& payload) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0, nullptr, 0), payload.data(), payload.size()));
}

// Long doubles as hexadecimal floating point: exact in both directions.
std::string exact_text(long double x) { return fmt::format("{:a}", x); }

long double exact_value(const fs::path& file, const nlohmann::json& header, const char* key) {
  const nlohmann::json& value = header.at(key);
  if (!value.is_string()) fail(file, fmt::format("{} = {}: expected a string", key, value.dump()));
  const std::string text = value.get<std::string>();
  char* end = nullptr;
  const long double x = std::strtold(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    fail(file, fmt::format("{} = '{}': expected a hexadecimal floating-point number", key,
                           printable_excerpt(text)));
  return x;
}

}  // namespace

void write_ensemble_checkpoint(const fs::path& file, const EnsembleCheckpoint& checkpoint) {
  const GaugeField& u = checkpoint.field;
  std::vector<unsigned char> payload(static_cast<std::size_t>(u.size()) * kCoding.link_bytes());
  for (SiteIndex l = 0; l < u.size(); ++l)
    store_link(u[l], payload.data() + static_cast<std::size_t>(l) * kCoding.link_bytes(), kCoding);
  const nlohmann::json header = {
      {"update", checkpoint.update},
      {"log_bytes", checkpoint.log_bytes},
      {"accepted", checkpoint.accepted},
      {"acceptance_sum", exact_text(checkpoint.acceptance_sum)},
      {"production_plaquette_sum", exact_text(checkpoint.production_plaquette_sum)},
      {"extents", u.geometry().extents()},
      {"payload_bytes", payload.size()},
      {"payload_crc32", payload_crc32(payload)},
      {"run_card", checkpoint.run_card},
      {"actions", checkpoint.actions}};
  OutputFile out(file, true);
  out.write(fmt::format("{}\n{}\n", kMagicLine, header.dump()));
  out.write(payload.data(), payload.size());
  out.commit();
}

EnsembleCheckpoint read_ensemble_checkpoint(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fmt::format("cannot open it: {}", std::strerror(errno)));
  std::string magic;
  std::getline(in, magic);
  if (!in || magic != kMagicLine)
    fail(file, fmt::format("first line '{}', expected '{}'", printable_excerpt(magic), kMagicLine));

  std::string header_text;
  for (char c; header_text.size() <= kMaxHeaderBytes && in.get(c) && c != '\n';)
    header_text.push_back(c);
  if (!in || header_text.size() > kMaxHeaderBytes)
    fail(file,
         fmt::format("the JSON header line is cut short or longer than {} bytes", kMaxHeaderBytes));
  const std::uint64_t payload_offset = kMagicLine.size() + 1 + header_text.size() + 1;

  EnsembleCheckpoint checkpoint;
  std::uint64_t payload_bytes = 0;
  std::uint32_t stated_crc = 0;
  Coordinates extents{};
  try {
    const nlohmann::json header = nlohmann::json::parse(header_text);
    checkpoint.update = header.at("update").get<std::int64_t>();
    checkpoint.log_bytes = header.at("log_bytes").get<std::uint64_t>();
    checkpoint.accepted = header.at("accepted").get<std::int64_t>();
    checkpoint.acceptance_sum = exact_value(file, header, "acceptance_sum");
    checkpoint.production_plaquette_sum = exact_value(file, header, "production_plaquette_sum");
    checkpoint.run_card = header.at("run_card").get<std::string>();
    checkpoint.actions = header.value("actions", nlohmann::json());
    const auto stated_extents = header.at("extents").get<std::vector<std::int64_t>>();
    if (stated_extents.size() != kDimensions)
      fail(file,
           fmt::format("extents {}: expected four lattice extents", header.at("extents").dump()));
    for (int mu = 0; mu < kDimensions; ++mu) {
      if (stated_extents[mu] < 2 || stated_extents[mu] > 4096)
        fail(file, fmt::format("extents {}: expected extents between 2 and 4096",
                               header.at("extents").dump()));
      extents[mu] = static_cast<int>(stated_extents[mu]);
    }
    payload_bytes = header.at("payload_bytes").get<std::uint64_t>();
    stated_crc = header.at("payload_crc32").get<std::uint32_t>();
  } catch (const nlohmann::json::exception& e) {
    fail(file, fmt::format("malformed JSON header line: {}", e.what()));
  }
  if (checkpoint.update < 0 || checkpoint.accepted < 0 || checkpoint.accepted > checkpoint.update)
    fail(file, fmt::format("update {} with {} accepted trajectories: expected 0 <= accepted <= "
                           "update",
                           checkpoint.update, checkpoint.accepted));

  // Sizes are compared before anything is allocated for the field.
  // Extents up to 4096 keep the volume within lattice_volume's 2^48.
  const std::uint64_t expected_bytes =
      lattice_volume(extents).value() * kDimensions * kCoding.link_bytes();
  std::error_code ec;
  const std::uint64_t file_bytes = fs::file_size(file, ec);
  if (ec) fail(file, fmt::format("cannot determine its size: {}", ec.message()));
  if (payload_bytes != expected_bytes || file_bytes != payload_offset + expected_bytes)
    fail(file, fmt::format("{} bytes with payload_bytes = {}: expected a payload of {} bytes for "
                           "a {} lattice, {} bytes in all",
                           file_bytes, payload_bytes, expected_bytes, extents_string(extents),
                           payload_offset + expected_bytes));

  std::vector<unsigned char> payload(expected_bytes);
  in.read(reinterpret_cast<char*>(payload.data()), static_cast<std::streamsize>(payload.size()));
  if (!in) fail(file, "cannot read the field");
  if (const std::uint32_t crc = payload_crc32(payload); crc != stated_crc)
    fail(file, fmt::format("payload crc32 {:08x}, the header states {:08x}", crc, stated_crc));

  checkpoint.field = GaugeField(Geometry::make(extents));
  GaugeField& u = checkpoint.field;
  for (SiteIndex l = 0; l < u.size(); ++l) {
    u[l] = load_link(payload.data() + static_cast<std::size_t>(l) * kCoding.link_bytes(), kCoding);
    if (const std::string defect = link_defect(u[l], su3_tolerance(64)); !defect.empty())
      fail(file, fmt::format("link {} {}", describe_link(u.geometry(), l), defect));
  }
  return checkpoint;
}

}  // namespace fpgauge
