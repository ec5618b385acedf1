#include "fpgauge/io/ConfigurationFile.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/Ildg.h"
#include "fpgauge/io/Lime.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/io/OpenQcd.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr std::array<ConfigurationFormat, 3> kFormats = {
    ConfigurationFormat::nersc, ConfigurationFormat::ildg, ConfigurationFormat::openqcd};

}  // namespace

std::string_view format_name(ConfigurationFormat format) {
  switch (format) {
    case ConfigurationFormat::nersc:
      return "nersc";
    case ConfigurationFormat::ildg:
      return "ildg";
    case ConfigurationFormat::openqcd:
      return "openqcd";
  }
  throw std::logic_error("format_name: unknown ConfigurationFormat");
}

ConfigurationFormat parse_configuration_format(std::string_view name) {
  for (const ConfigurationFormat format : kFormats)
    if (format_name(format) == name) return format;
  throw std::invalid_argument(
      fmt::format("configuration format '{}': expected nersc, ildg or openqcd", name));
}

bool format_supports_precision(ConfigurationFormat format, int bits) {
  if (format == ConfigurationFormat::openqcd) return bits == 64;
  return bits == 32 || bits == 64;
}

std::string_view format_extension(ConfigurationFormat format) {
  switch (format) {
    case ConfigurationFormat::nersc:
      return ".nersc";
    case ConfigurationFormat::ildg:
      return ".lime";
    case ConfigurationFormat::openqcd:
      return ".oqcd";
  }
  throw std::logic_error("format_extension: unknown ConfigurationFormat");
}

ConfigurationFormat detect_format(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw std::runtime_error(fmt::format("configuration file '{}': cannot open it: {}",
                                         file.string(), std::strerror(errno)));
  std::string start(4096, '\0');
  in.read(start.data(), static_cast<std::streamsize>(start.size()));
  start.resize(static_cast<std::size_t>(in.gcount()));
  const auto* bytes = reinterpret_cast<const unsigned char*>(start.data());

  if (start.size() >= 4 && load_word<std::uint32_t>(bytes, ByteOrder::big) == kLimeMagic)
    return ConfigurationFormat::ildg;
  const std::size_t text = start.find_first_not_of(" \t\r\n");
  if (text != std::string::npos && start.compare(text, 12, "BEGIN_HEADER") == 0)
    return ConfigurationFormat::nersc;
  if (start.size() >= 16) {
    bool sizes = true;
    for (int i = 0; i < 4; ++i) {
      const auto n =
          static_cast<std::int32_t>(load_word<std::uint32_t>(bytes + 4 * i, ByteOrder::little));
      sizes = sizes && n >= 1 && n <= (1 << 16);
    }
    if (sizes) return ConfigurationFormat::openqcd;
  }
  std::string shown;
  for (std::size_t i = 0; i < std::min<std::size_t>(start.size(), 16); ++i)
    shown += fmt::format("{}{:02x}", i == 0 ? "" : " ", bytes[i]);
  throw std::runtime_error(fmt::format(
      "configuration file '{}': cannot tell its format from its first {} bytes ({}): expected a "
      "NERSC header (BEGIN_HEADER), a LIME record (magic number 0x456789ab) or an openQCD "
      "header (four little-endian int32 lattice sizes)",
      file.string(), std::min<std::size_t>(start.size(), 16), shown.empty() ? "empty" : shown));
}

ConfigurationFile read_configuration(const fs::path& file,
                                     const std::optional<Coordinates>& expected_extents) {
  ConfigurationFile result;
  result.format = detect_format(file);
  switch (result.format) {
    case ConfigurationFormat::nersc: {
      NerscConfiguration c = read_nersc(file, expected_extents);
      result.field = std::move(c.field);
      result.header = std::move(c.header);
      result.precision = result.header.at("FLOATING_POINT").starts_with("IEEE32") ? 32 : 64;
      result.checksum_verified = true;
      result.checksum = fmt::format("NERSC CHECKSUM {}", result.header.at("CHECKSUM"));
      break;
    }
    case ConfigurationFormat::ildg: {
      IldgConfiguration c = read_ildg(file, expected_extents);
      result.field = std::move(c.field);
      result.header = std::move(c.header);
      result.precision = c.precision;
      result.checksum_verified = c.checksum.has_value();
      result.checksum =
          c.checksum ? fmt::format("SciDAC suma {:x} sumb {:x}", c.checksum->suma, c.checksum->sumb)
                     : "no scidac-checksum record after the binary data";
      break;
    }
    case ConfigurationFormat::openqcd: {
      OpenQcdConfiguration c = read_openqcd(file, expected_extents);
      const Coordinates& l = c.field.geometry().extents();
      result.field = std::move(c.field);
      result.header = {{"N0", std::to_string(l[3])},
                       {"N1", std::to_string(l[0])},
                       {"N2", std::to_string(l[1])},
                       {"N3", std::to_string(l[2])},
                       {"plaquette", fmt::format("{:.17g}", c.plaquette)}};
      result.precision = 64;
      result.checksum_verified = false;
      result.checksum = "the openQCD export format has no checksum";
      break;
    }
  }
  return result;
}

void write_configuration(const fs::path& file, const GaugeField& u, ConfigurationFormat format,
                         int precision, bool overwrite, const EnsembleLabel& label) {
  if (!format_supports_precision(format, precision))
    throw std::invalid_argument(
        fmt::format("configuration file '{}': the {} format cannot store {}-bit numbers{}",
                    file.string(), format_name(format), precision,
                    format == ConfigurationFormat::openqcd ? " (openQCD stores 64-bit doubles only)"
                                                           : " (expected 32 or 64)"));
  switch (format) {
    case ConfigurationFormat::nersc:
      write_nersc(file, u, {.ensemble_id = label.ensemble_id,
                            .sequence_number = label.sequence_number},
                  overwrite, precision);
      return;
    case ConfigurationFormat::ildg:
      write_ildg(file, u,
                 {.lfn = fmt::format("lfn://{}/{}", label.ensemble_id, label.sequence_number)},
                 overwrite, precision);
      return;
    case ConfigurationFormat::openqcd:
      write_openqcd(file, u, overwrite);
      return;
  }
}

}  // namespace fpgauge
