#include "fpgauge/io/Nersc.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

enum class ByteOrder { big, little };

struct PayloadFormat {
  int rows;        // stored rows per link: 2 or 3
  int word_bytes;  // 4 or 8
  ByteOrder order;

  std::size_t link_bytes() const { return static_cast<std::size_t>(rows) * 6 * word_bytes; }
  // Links far from SU(3) are refused; float data are ~1e-7 off by their rounding alone.
  double su3_tolerance() const { return word_bytes == 8 ? 1e-6 : 1e-5; }
  // PLAQUETTE and LINK_TRACE (both 1 on the unit field) against the recomputed values.
  double observable_tolerance() const { return word_bytes == 8 ? 1e-10 : 1e-6; }
};

constexpr std::size_t kMaxHeaderBytes = 1 << 16;
constexpr SiteIndex kBlockSites = 1024;

[[noreturn]] void fail(const fs::path& file, std::string_view message) {
  throw std::runtime_error(fmt::format("NERSC file '{}': {}", file.string(), message));
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Header text as it may appear in a message: printable, at most 60 characters.
std::string shown(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 60)) out += (c >= 32 && c < 127) ? c : '?';
  if (s.size() > 60) out += "...";
  return out;
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
                             text.size(), shown(text)));
    const std::string_view line =
        trim(std::string_view(text).substr(line_start, line_end - line_start));
    ++line_number;
    const std::size_t offset = line_start;
    line_start = line_end + 1;
    if (line.empty()) continue;
    if (!begun) {
      if (line != "BEGIN_HEADER")
        fail(file, fmt::format("byte {}: expected BEGIN_HEADER, found '{}'", offset,
                               shown(line)));
      begun = true;
      continue;
    }
    if (line == "END_HEADER") break;
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos)
      fail(file, fmt::format("header line {} (byte {}): expected KEY = VALUE, found '{}'",
                             line_number, offset, shown(line)));
    const std::string key(trim(line.substr(0, equals)));
    const std::string value(trim(line.substr(equals + 1)));
    if (key.empty())
      fail(file, fmt::format("header line {} (byte {}): no key before '=' in '{}'", line_number,
                             offset, shown(line)));
    if (!header.entries.emplace(key, value).second)
      fail(file, fmt::format("header key {} appears twice (again on line {}: '{}')", key,
                             line_number, shown(value)));
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
                           shown(datatype)));

  const std::string known = "IEEE32, IEEE32BIG, IEEE32LITTLE, IEEE64, IEEE64BIG or IEEE64LITTLE";
  const std::string& fp = required(file, header, "FLOATING_POINT", known);
  if (fp == "IEEE32" || fp == "IEEE32BIG")
    format.word_bytes = 4, format.order = ByteOrder::big;
  else if (fp == "IEEE32LITTLE")
    format.word_bytes = 4, format.order = ByteOrder::little;
  else if (fp == "IEEE64" || fp == "IEEE64BIG")
    format.word_bytes = 8, format.order = ByteOrder::big;
  else if (fp == "IEEE64LITTLE")
    format.word_bytes = 8, format.order = ByteOrder::little;
  else
    fail(file, fmt::format("FLOATING_POINT = {}: expected {}", shown(fp), known));
  return format;
}

Coordinates extents(const fs::path& file, const Header& header) {
  Coordinates l{};
  for (int mu = 0; mu < kDimensions; ++mu) {
    const std::string key = fmt::format("DIMENSION_{}", mu + 1);
    const std::string& value = required(file, header, key, "an integer >= 2");
    int n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 2 || n > (1 << 20))
      fail(file, fmt::format("{} = {}: expected an integer >= 2 (every lattice extent)", key,
                             shown(value)));
    l[mu] = n;
  }
  return l;
}

double header_real(const fs::path& file, const std::string& key, const std::string& value) {
  double x = 0.0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(x))
    fail(file, fmt::format("{} = {}: expected a finite number", key, shown(value)));
  return x;
}

std::uint32_t header_checksum(const fs::path& file, const Header& header) {
  const std::string& value = required(file, header, "CHECKSUM", "a 32-bit hexadecimal number");
  std::string_view digits = value;
  if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
  std::uint64_t x = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), x, 16);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      x > 0xffffffffu)
    fail(file, fmt::format("CHECKSUM = {}: expected a 32-bit hexadecimal number", shown(value)));
  return static_cast<std::uint32_t>(x);
}

// Half a unit of the last printed digit of a number: "0.5937" → 5e-5, "5.9e-1" → 5e-3.
double half_last_digit(std::string_view printed) {
  int exponent = 0;
  const std::size_t e = printed.find_first_of("eE");
  if (e != std::string_view::npos) {
    const std::string_view digits = printed.substr(e + 1);
    std::from_chars(digits.data() + digits.starts_with('+'), digits.data() + digits.size(),
                    exponent);
    printed = printed.substr(0, e);
  }
  const std::size_t point = printed.find('.');
  const int decimals = point == std::string_view::npos ? 0 : int(printed.size() - point - 1);
  return 0.5 * std::pow(10.0, exponent - decimals);
}

void check_header_value(const fs::path& file, const Header& header, const std::string& key,
                        double recomputed, double tolerance) {
  const std::string& printed = header.entries.at(key);
  const double stated = header_real(file, key, printed);
  const double allowed = tolerance + half_last_digit(printed);
  if (!(std::abs(stated - recomputed) <= allowed))
    fail(file, fmt::format("{} = {} in the header, but the data give {:.12f} (difference {:.3g}, "
                           "allowed {:.3g})",
                           key, printed, recomputed, std::abs(stated - recomputed), allowed));
}

// The bytes of an IEEE word assembled explicitly, so the code is the same on every host.
template <class Word>
Word load_word(const unsigned char* p, ByteOrder order) {
  Word w = 0;
  for (std::size_t i = 0; i < sizeof(Word); ++i)
    w = (w << 8) | p[order == ByteOrder::big ? i : sizeof(Word) - 1 - i];
  return w;
}

template <class Word>
void store_big_endian(Word w, unsigned char* p) {
  for (std::size_t i = 0; i < sizeof(Word); ++i) p[sizeof(Word) - 1 - i] = (w >> (8 * i)) & 0xff;
}

// The checksum contribution of one stored number (see Nersc.h).
std::uint32_t checksum_words(std::uint64_t bits) {
  return static_cast<std::uint32_t>(bits) + static_cast<std::uint32_t>(bits >> 32);
}

double load_real(const unsigned char* p, const PayloadFormat& format, std::uint32_t& checksum) {
  if (format.word_bytes == 4) {
    const auto w = load_word<std::uint32_t>(p, format.order);
    checksum += w;
    return std::bit_cast<float>(w);
  }
  const auto w = load_word<std::uint64_t>(p, format.order);
  checksum += checksum_words(w);
  return std::bit_cast<double>(w);
}

// |reunitarise(U) − U| over the first `rows` rows: zero exactly when U ∈ SU(3).
double su3_deviation(const SU3& u, const SU3& projected, int rows) {
  double d = 0.0;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < 3; ++j) d += norm2(projected.e[i][j] - u.e[i][j]);
  return std::sqrt(d);
}

std::string describe_link(const Geometry& g, SiteIndex link) {
  const Coordinates x = g.coordinates(link / kDimensions);
  return fmt::format("U_{}(x = ({}, {}, {}, {}))", link % kDimensions, x[0], x[1], x[2], x[3]);
}

}  // namespace

NerscConfiguration read_nersc(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fmt::format("cannot open it: {}", std::strerror(errno)));
  const Header header = read_header(file, in);
  const PayloadFormat format = payload_format(file, header);
  const auto geometry = Geometry::make(extents(file, header));
  const std::uint32_t stated_checksum = header_checksum(file, header);
  required(file, header, "PLAQUETTE", "the average plaquette");

  const std::uint64_t expected_bytes = geometry->link_count() * format.link_bytes();
  std::error_code ec;
  const std::uint64_t file_bytes = fs::file_size(file, ec);
  if (ec) fail(file, fmt::format("cannot determine its size: {}", ec.message()));
  const std::uint64_t payload_bytes =
      file_bytes > header.payload_offset ? file_bytes - header.payload_offset : 0;
  if (payload_bytes != expected_bytes)
    fail(file, fmt::format("{} payload: {} bytes from byte {} to the end of the file, expected "
                           "{} for {} links of {} bytes ({} {})",
                           payload_bytes < expected_bytes ? "truncated" : "oversized",
                           payload_bytes, header.payload_offset, expected_bytes,
                           geometry->link_count(), format.link_bytes(),
                           header.entries.at("DATATYPE"), header.entries.at("FLOATING_POINT")));

  GaugeField u(geometry);
  std::uint32_t checksum = 0;
  std::vector<unsigned char> buffer;
  in.seekg(static_cast<std::streamoff>(header.payload_offset));
  const std::size_t real_bytes = format.word_bytes;
  for (SiteIndex first = 0; first < geometry->volume(); first += kBlockSites) {
    const SiteIndex links = kDimensions * std::min(kBlockSites, geometry->volume() - first);
    buffer.resize(links * format.link_bytes());
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    const std::uint64_t block_offset =
        header.payload_offset + kDimensions * first * format.link_bytes();
    if (!in)
      fail(file, fmt::format("cannot read the payload at byte {}: {}", block_offset,
                             std::strerror(errno)));
    for (SiteIndex i = 0; i < links; ++i) {
      const SiteIndex link = kDimensions * first + i;
      const unsigned char* p = buffer.data() + i * format.link_bytes();
      SU3 m = SU3::zero();
      for (int row = 0; row < format.rows; ++row)
        for (int col = 0; col < 3; ++col)
          for (double* part : {&m.e[row][col].re, &m.e[row][col].im}) {
            *part = load_real(p, format, checksum);
            if (!std::isfinite(*part))
              fail(file, fmt::format("byte {} (in link {}): {} is not a finite number",
                                     block_offset + (p - buffer.data()),
                                     describe_link(*geometry, link), *part));
            p += real_bytes;
          }
      const SU3 projected = reunitarise(m);
      const double deviation = su3_deviation(m, projected, format.rows);
      if (!(deviation <= format.su3_tolerance()))
        fail(file, fmt::format("link {} at byte {} is not in SU(3): |reunitarise(U) - U| = "
                               "{:.3g}, expected at most {:g}",
                               describe_link(*geometry, link),
                               block_offset + i * format.link_bytes(), deviation,
                               format.su3_tolerance()));
      u[link] = format.rows == 3 ? m : projected;
    }
  }

  if (checksum != stated_checksum)
    fail(file, fmt::format("CHECKSUM = {} in the header, but the payload's 32-bit words sum to "
                           "{:x}",
                           header.entries.at("CHECKSUM"), checksum));
  check_header_value(file, header, "PLAQUETTE", average_plaquette(u),
                     format.observable_tolerance());
  if (header.entries.contains("LINK_TRACE"))
    check_header_value(file, header, "LINK_TRACE", average_link_trace(u),
                       format.observable_tolerance());
  return {std::move(u), header.entries};
}

void write_nersc(const fs::path& file, const GaugeField& u, const NerscMetadata& metadata,
                 bool overwrite) {
  for (const std::string* text : {&metadata.ensemble_id, &metadata.creator})
    if (text->find_first_of("\r\n") != std::string::npos)
      throw std::invalid_argument(fmt::format(
          "NERSC file '{}': header value '{}' contains a line break", file.string(),
          shown(*text)));
  OutputFile out(file, overwrite);
  const PayloadFormat format{3, 8, ByteOrder::big};
  const Geometry& g = u.geometry();

  std::uint32_t checksum = 0;
  for (SiteIndex link = 0; link < u.size(); ++link) {
    const SU3& m = u[link];
    const double deviation = su3_deviation(m, reunitarise(m), 3);
    if (!(deviation <= format.su3_tolerance()))
      throw std::runtime_error(fmt::format(
          "refusing to write NERSC file '{}': link {} is not in SU(3): |reunitarise(U) - U| = "
          "{:.3g}, expected at most {:g}",
          file.string(), describe_link(g, link), deviation, format.su3_tolerance()));
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        checksum += checksum_words(std::bit_cast<std::uint64_t>(m.e[i][j].re)) +
                    checksum_words(std::bit_cast<std::uint64_t>(m.e[i][j].im));
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
      "FLOATING_POINT = IEEE64BIG\n"
      "ENSEMBLE_ID = {}\n"
      "SEQUENCE_NUMBER = {}\n"
      "CREATOR = {}\n"
      "END_HEADER\n",
      checksum, average_link_trace(u), average_plaquette(u), metadata.ensemble_id,
      metadata.sequence_number, metadata.creator);
  out.write(header);

  std::vector<unsigned char> buffer;
  for (SiteIndex first = 0; first < g.volume(); first += kBlockSites) {
    const SiteIndex links = kDimensions * std::min(kBlockSites, g.volume() - first);
    buffer.resize(links * format.link_bytes());
    unsigned char* p = buffer.data();
    for (SiteIndex link = kDimensions * first; link < kDimensions * first + links; ++link)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          for (const double part : {u[link].e[i][j].re, u[link].e[i][j].im}) {
            store_big_endian(std::bit_cast<std::uint64_t>(part), p);
            p += 8;
          }
    out.write(buffer.data(), buffer.size());
  }
  out.commit();
}

}  // namespace fpgauge
