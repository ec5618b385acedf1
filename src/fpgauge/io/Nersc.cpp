#include "fpgauge/io/Nersc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

struct PayloadFormat {
  int rows;  // stored rows per link: 2 or 3
  RealCoding coding;

  std::size_t link_bytes() const { return coding.link_bytes(rows); }
};

constexpr std::size_t kMaxHeaderBytes = 1 << 16;
constexpr SiteIndex kBlockSites = 1024;

[[noreturn]] void fail(const fs::path& file, std::string_view message) {
  throw std::runtime_error(fmt::format("NERSC file '{}': {}", file.string(), message));
}

struct Header {
  std::map<std::string, std::string> entries;
  std::uint64_t payload_offset;
};

Header read_header(const fs::path& file, std::ifstream& in) {
  std::string text(kMaxHeaderBytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  in.clear();

  if (text.empty()) fail(file, "the file is empty");
  Header header;
  std::size_t line_start = 0;
  int line_number = 0;
  bool begun = false;
  while (true) {
    const std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos)
      fail(file, fmt::format("no END_HEADER line within the first {} bytes (header starts with "
                             "'{}')",
                             text.size(), printable_excerpt(text)));
    const std::string_view line =
        trim_blanks(std::string_view(text).substr(line_start, line_end - line_start));
    ++line_number;
    const std::size_t offset = line_start;
    line_start = line_end + 1;
    if (line.empty()) continue;
    if (!begun) {
      if (line != "BEGIN_HEADER")
        fail(file, fmt::format("byte {}: expected BEGIN_HEADER, found '{}'", offset,
                               printable_excerpt(line)));
      begun = true;
      continue;
    }
    if (line == "END_HEADER") break;
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos)
      fail(file, fmt::format("header line {} (byte {}): expected KEY = VALUE, found '{}'",
                             line_number, offset, printable_excerpt(line)));
    const std::string key(trim_blanks(line.substr(0, equals)));
    const std::string value(trim_blanks(line.substr(equals + 1)));
    if (key.empty())
      fail(file, fmt::format("header line {} (byte {}): no key before '=' in '{}'", line_number,
                             offset, printable_excerpt(line)));
    if (!header.entries.emplace(key, value).second)
      fail(file, fmt::format("header key {} appears twice (again on line {}: '{}')", key,
                             line_number, printable_excerpt(value)));
  }
  header.payload_offset = line_start;
  return header;
}

const std::string& required(const fs::path& file, const Header& header, const std::string& key,
                            std::string_view expected) {
  const auto it = header.entries.find(key);
  if (it == header.entries.end())
    fail(file, fmt::format("the header has no {} (expected {})", key, expected));
  return it->second;
}

PayloadFormat payload_format(const fs::path& file, const Header& header) {
  PayloadFormat format{};
  const std::string& datatype =
      required(file, header, "DATATYPE", "4D_SU3_GAUGE or 4D_SU3_GAUGE_3x3");
  if (datatype == "4D_SU3_GAUGE")
    format.rows = 2;
  else if (datatype == "4D_SU3_GAUGE_3x3")
    format.rows = 3;
  else
    fail(file, fmt::format("DATATYPE = {}: expected 4D_SU3_GAUGE or 4D_SU3_GAUGE_3x3",
                           printable_excerpt(datatype)));

  const std::string known = "IEEE32, IEEE32BIG, IEEE32LITTLE, IEEE64, IEEE64BIG or IEEE64LITTLE";
  const std::string& fp = required(file, header, "FLOATING_POINT", known);
  if (fp == "IEEE32" || fp == "IEEE32BIG")
    format.coding = {4, ByteOrder::big};
  else if (fp == "IEEE32LITTLE")
    format.coding = {4, ByteOrder::little};
  else if (fp == "IEEE64" || fp == "IEEE64BIG")
    format.coding = {8, ByteOrder::big};
  else if (fp == "IEEE64LITTLE")
    format.coding = {8, ByteOrder::little};
  else
    fail(file, fmt::format("FLOATING_POINT = {}: expected {}", printable_excerpt(fp), known));
  return format;
}

Coordinates extents(const fs::path& file, const Header& header) {
  Coordinates l{};
  for (int mu = 0; mu < kDimensions; ++mu) {
    const std::string key = fmt::format("DIMENSION_{}", mu + 1);
    const std::string& value = required(file, header, key, "an integer >= 2");
    const auto n = parse_integer(value);
    if (!n || *n < 2 || *n > (1 << 20))
      fail(file, fmt::format("{} = {}: expected an integer >= 2 (every lattice extent)", key,
                             printable_excerpt(value)));
    l[mu] = static_cast<int>(*n);
  }
  return l;
}

std::uint32_t header_checksum(const fs::path& file, const Header& header) {
  const std::string& value = required(file, header, "CHECKSUM", "a 32-bit hexadecimal number");
  const auto x = parse_hex32(value);
  if (!x)
    fail(file, fmt::format("CHECKSUM = {}: expected a 32-bit hexadecimal number",
                           printable_excerpt(value)));
  return *x;
}

void check_header_value(const fs::path& file, const Header& header, const std::string& key,
                        double recomputed, int bits) {
  const std::string& printed = header.entries.at(key);
  const auto value = parse_finite_real(printed);
  if (!value)
    fail(file, fmt::format("{} = {}: expected a finite number", key, printable_excerpt(printed)));
  const double stated = *value;
  const double allowed = printed_value_allowance(printed, bits);
  if (!(std::abs(stated - recomputed) <= allowed))
    fail(file, fmt::format("{} = {} in the header, but the data give {:.12f} (difference {:.3g}, "
                           "allowed {:.3g})",
                           key, printed, recomputed, std::abs(stated - recomputed), allowed));
}

// The checksum (see Nersc.h): the sum of the payload's 32-bit words in the file's byte order,
// which for doubles adds their low and high halves, whatever the byte order.
std::uint32_t checksum_words(const unsigned char* p, std::size_t bytes, ByteOrder order) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 4 <= bytes; i += 4) sum += load_word<std::uint32_t>(p + i, order);
  return sum;
}

}  // namespace

NerscConfiguration read_nersc(const fs::path& file, const std::optional<Coordinates>& expected) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fmt::format("cannot open it: {}", std::strerror(errno)));
  const Header header = read_header(file, in);
  const PayloadFormat format = payload_format(file, header);
  const Coordinates l = extents(file, header);
  if (expected && *expected != l)
    fail(file, fmt::format("DIMENSION_1..4 give lattice {}, expected {}", extents_string(l),
                           extents_string(*expected)));
  const std::uint32_t stated_checksum = header_checksum(file, header);
  required(file, header, "PLAQUETTE", "the average plaquette");

  const auto volume = lattice_volume(l);
  if (!volume)
    fail(file, fmt::format("DIMENSION_1..4 give lattice {}: more sites than any file holds",
                           extents_string(l)));
  const std::uint64_t link_count = kDimensions * *volume;
  const std::uint64_t expected_bytes = link_count * format.link_bytes();
  std::error_code ec;
  const std::uint64_t file_bytes = fs::file_size(file, ec);
  if (ec) fail(file, fmt::format("cannot determine its size: {}", ec.message()));
  const std::uint64_t payload_bytes =
      file_bytes > header.payload_offset ? file_bytes - header.payload_offset : 0;
  if (payload_bytes != expected_bytes)
    fail(file, fmt::format("{} payload: {} bytes from byte {} to the end of the file, expected "
                           "{} for {} links of {} bytes ({} {})",
                           payload_bytes < expected_bytes ? "truncated" : "oversized",
                           payload_bytes, header.payload_offset, expected_bytes, link_count,
                           format.link_bytes(), header.entries.at("DATATYPE"),
                           header.entries.at("FLOATING_POINT")));

  const auto geometry = Geometry::make(l);
  GaugeField u(geometry);
  std::uint32_t checksum = 0;
  std::vector<unsigned char> buffer;
  in.seekg(static_cast<std::streamoff>(header.payload_offset));
  const int bits = format.coding.bits();
  for (SiteIndex first = 0; first < geometry->volume(); first += kBlockSites) {
    const SiteIndex links = kDimensions * std::min(kBlockSites, geometry->volume() - first);
    buffer.resize(links * format.link_bytes());
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    const std::uint64_t block_offset =
        header.payload_offset + kDimensions * first * format.link_bytes();
    if (!in)
      fail(file, fmt::format("cannot read the payload at byte {}: {}", block_offset,
                             std::strerror(errno)));
    checksum += checksum_words(buffer.data(), buffer.size(), format.coding.order);
    for (SiteIndex i = 0; i < links; ++i) {
      const SiteIndex link = kDimensions * first + i;
      const SU3 m =
          load_link(buffer.data() + i * format.link_bytes(), format.coding, format.rows);
      const std::string defect = link_defect(m, su3_tolerance(bits), format.rows);
      if (!defect.empty())
        fail(file, fmt::format("link {} at byte {} {}", describe_link(*geometry, link),
                               block_offset + i * format.link_bytes(), defect));
      u[link] = format.rows == 3 ? m : reunitarise(m);
    }
  }

  if (checksum != stated_checksum)
    fail(file, fmt::format("CHECKSUM = {} in the header, but the payload's 32-bit words sum to "
                           "{:x}",
                           header.entries.at("CHECKSUM"), checksum));
  check_header_value(file, header, "PLAQUETTE", average_plaquette(u), bits);
  if (header.entries.contains("LINK_TRACE"))
    check_header_value(file, header, "LINK_TRACE", average_link_trace(u), bits);
  return {std::move(u), header.entries};
}

void write_nersc(const fs::path& file, const GaugeField& u, const NerscMetadata& metadata,
                 bool overwrite, int precision) {
  if (precision != 32 && precision != 64)
    throw std::invalid_argument(fmt::format(
        "NERSC file '{}': precision {} bits, expected 32 or 64", file.string(), precision));
  for (const std::string* text : {&metadata.ensemble_id, &metadata.creator})
    if (text->find_first_of("\r\n") != std::string::npos)
      throw std::invalid_argument(fmt::format(
          "NERSC file '{}': header value '{}' contains a line break", file.string(),
          printable_excerpt(*text)));
  check_field_for_writing(u, fmt::format("NERSC file '{}'", file.string()));
  OutputFile out(file, overwrite);
  const PayloadFormat format{3, {precision / 8, ByteOrder::big}};
  const Geometry& g = u.geometry();
  // The header describes the numbers in the file: for 32 bits, the links rounded to float.
  const GaugeField rounded = precision == 32 ? as_stored(u, precision) : GaugeField();
  const GaugeField& written = precision == 32 ? rounded : u;

  std::vector<unsigned char> buffer;
  const auto pack = [&](SiteIndex first) {
    const SiteIndex links = kDimensions * std::min(kBlockSites, g.volume() - first);
    buffer.resize(links * format.link_bytes());
    for (SiteIndex i = 0; i < links; ++i)
      store_link(u[kDimensions * first + i], buffer.data() + i * format.link_bytes(),
                 format.coding);
  };
  std::uint32_t checksum = 0;
  for (SiteIndex first = 0; first < g.volume(); first += kBlockSites) {
    pack(first);
    checksum += checksum_words(buffer.data(), buffer.size(), format.coding.order);
  }

  std::string header = fmt::format(
      "BEGIN_HEADER\n"
      "HDR_VERSION = 1.0\n"
      "DATATYPE = 4D_SU3_GAUGE_3x3\n"
      "STORAGE_FORMAT = 1.0\n");
  for (int mu = 0; mu < kDimensions; ++mu)
    header += fmt::format("DIMENSION_{} = {}\n", mu + 1, g.extent(mu));
  for (int mu = 0; mu < kDimensions; ++mu) header += fmt::format("BOUNDARY_{} = PERIODIC\n", mu + 1);
  header += fmt::format(
      "CHECKSUM = {:x}\n"
      "LINK_TRACE = {:.12f}\n"
      "PLAQUETTE = {:.12f}\n"
      "FLOATING_POINT = IEEE{}BIG\n"
      "ENSEMBLE_ID = {}\n"
      "SEQUENCE_NUMBER = {}\n"
      "CREATOR = {}\n"
      "END_HEADER\n",
      checksum, average_link_trace(written), average_plaquette(written), precision,
      metadata.ensemble_id, metadata.sequence_number, metadata.creator);
  out.write(header);
  for (SiteIndex first = 0; first < g.volume(); first += kBlockSites) {
    pack(first);
    out.write(buffer.data(), buffer.size());
  }
  out.commit();
}

}  // namespace fpgauge
