#include "fpgauge/io/Ildg.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxMetadataBytes = 1 << 20;
constexpr SiteIndex kBlockSites = 1024;

[[noreturn]] void fail(const fs::path& file, std::string_view message) {
  throw std::runtime_error(fmt::format("ILDG file '{}': {}", file.string(), message));
}

// The trimmed text of the first element <name ...>text</name>; enough for the flat records of
// ILDG and SciDAC, which other writers fill with attributes and whitespace but no nesting of
// equal names.
std::optional<std::string> xml_element(std::string_view xml, std::string_view name) {
  const std::string open = fmt::format("<{}", name);
  const std::string close = fmt::format("</{}>", name);
  for (std::size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const std::size_t after = at + open.size();
    if (after >= xml.size()) break;
    const char next = xml[after];
    if (next != '>' && next != ' ' && next != '\t' && next != '\r' && next != '\n') continue;
    const std::size_t content = xml.find('>', after);
    if (content == std::string_view::npos || xml[content - 1] == '/') continue;
    const std::size_t end = xml.find(close, content + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(trim_blanks(xml.substr(content + 1, end - content - 1)));
  }
  return std::nullopt;
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

constexpr std::string_view kXmlDeclaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

// One record's parsed content, with the record named in every complaint.
struct RecordText {
  const fs::path& file;
  std::string where;  // "record 3 ('ildg-format', byte 432)"
  std::string xml;

  std::string required(std::string_view name, std::string_view expected) const {
    const auto value = xml_element(xml, name);
    if (!value)
      fail(file, fmt::format("{}: no <{}> element (expected {}) in '{}'", where, name, expected,
                             printable_excerpt(xml)));
    return *value;
  }
  int integer(std::string_view name, std::string_view expected, int minimum) const {
    const std::string value = required(name, expected);
    const auto n = parse_integer(value);
    if (!n || *n < minimum || *n > (1 << 20))
      fail(file, fmt::format("{}: <{}> is '{}', expected {}", where, name, printable_excerpt(value),
                             expected));
    return static_cast<int>(*n);
  }
  std::uint32_t hex32(std::string_view name) const {
    const std::string value = required(name, "a 32-bit hexadecimal number");
    const auto x = parse_hex32(value);
    if (!x)
      fail(file, fmt::format("{}: <{}> is '{}', expected a 32-bit hexadecimal number", where, name,
                             printable_excerpt(value)));
    return *x;
  }
};

struct IldgFormat {
  int precision;
  Coordinates extents;
};

IldgFormat parse_ildg_format(const RecordText& record) {
  const std::string field = record.required("field", "su3gauge");
  if (field != "su3gauge")
    fail(record.file, fmt::format("{}: <field> is '{}', expected su3gauge", record.where,
                                  printable_excerpt(field)));
  IldgFormat format{};
  format.precision = record.integer("precision", "32 or 64", 32);
  if (format.precision != 32 && format.precision != 64)
    fail(record.file,
         fmt::format("{}: <precision> is {}, expected 32 or 64", record.where, format.precision));
  const char* names[kDimensions] = {"lx", "ly", "lz", "lt"};
  for (int mu = 0; mu < kDimensions; ++mu)
    format.extents[mu] = record.integer(names[mu], "an integer >= 2 (a lattice extent)", 2);
  return format;
}

// usqcdInfo plaq or linktr against the recomputed value, as NERSC header values are checked.
void check_usqcd_value(const RecordText& record, std::string_view name, double recomputed, int bits,
                       std::map<std::string, std::string>& header) {
  const auto printed = xml_element(record.xml, name);
  if (!printed) return;
  header[fmt::format("usqcdInfo.{}", name)] = *printed;
  const auto value = parse_finite_real(*printed);
  if (!value)
    fail(record.file, fmt::format("{}: <{}> is '{}', expected a finite number", record.where, name,
                                  printable_excerpt(*printed)));
  const double stated = *value;
  const double allowed = printed_value_allowance(*printed, bits);
  if (!(std::abs(stated - recomputed) <= allowed))
    fail(record.file, fmt::format("{}: <{}> is {}, but the data give {:.12f} (difference {:.3g}, "
                                  "allowed {:.3g})",
                                  record.where, name, *printed, recomputed,
                                  std::abs(stated - recomputed), allowed));
}

std::string usqcd_info(const GaugeField& written, const IldgMetadata& metadata) {
  return fmt::format(
      "{}<usqcdInfo><version>1.0</version><plaq>{:.12f}</plaq><linktr>{:.12f}</linktr>"
      "<info>{}</info></usqcdInfo>",
      kXmlDeclaration, average_plaquette(written), average_link_trace(written),
      xml_escaped(metadata.info));
}

}  // namespace

ScidacChecksum scidac_checksum(const unsigned char* data, std::size_t site_bytes,
                               SiteIndex first_site, SiteIndex sites) {
  ScidacChecksum sum;
  for (SiteIndex i = 0; i < sites; ++i) {
    const auto rank = static_cast<std::uint64_t>(first_site + i);
    const auto crc =
        static_cast<std::uint32_t>(crc32(0, data + i * site_bytes, static_cast<uInt>(site_bytes)));
    sum.suma ^= std::rotl(crc, static_cast<int>(rank % 29));
    sum.sumb ^= std::rotl(crc, static_cast<int>(rank % 31));
  }
  return sum;
}

IldgConfiguration read_ildg(const fs::path& file, const std::optional<Coordinates>& expected) {
  IldgConfiguration result;
  result.records = read_lime_records(file);
  const std::vector<LimeRecord>& records = result.records;
  const auto record_text = [&](std::size_t i) {
    return RecordText{file, describe_record(records, i),
                      read_lime_data(file, records[i], kMaxMetadataBytes)};
  };
  const auto find = [&](std::string_view type, std::size_t from = 0) {
    for (std::size_t i = from; i < records.size(); ++i)
      if (records[i].type == type) return i;
    return records.size();
  };
  const auto types = [&] {
    std::string list;
    for (const LimeRecord& r : records)
      list += (list.empty() ? "" : ", ") + printable_excerpt(r.type);
    return list;
  };

  const std::size_t format_index = find("ildg-format");
  if (format_index == records.size())
    fail(file, fmt::format("no ildg-format record (records: {})", types()));
  const RecordText format_record = record_text(format_index);
  const IldgFormat format = parse_ildg_format(format_record);
  result.precision = format.precision;
  result.header["ildg-format.field"] = "su3gauge";
  result.header["ildg-format.precision"] = std::to_string(format.precision);
  const char* names[kDimensions] = {"lx", "ly", "lz", "lt"};
  for (int mu = 0; mu < kDimensions; ++mu)
    result.header[fmt::format("ildg-format.{}", names[mu])] = std::to_string(format.extents[mu]);
  if (expected && *expected != format.extents)
    fail(file, fmt::format("{}: lattice {}, expected {}", format_record.where,
                           extents_string(format.extents), extents_string(*expected)));
  if (const std::size_t lfn = find("ildg-data-lfn"); lfn != records.size())
    result.header["ildg-data-lfn"] = record_text(lfn).xml;

  const std::size_t binary_index = find("ildg-binary-data");
  if (binary_index == records.size())
    fail(file, fmt::format("no ildg-binary-data record (records: {})", types()));
  const LimeRecord& binary = records[binary_index];
  const RealCoding coding{format.precision / 8, ByteOrder::big};
  const std::size_t site_bytes = kDimensions * coding.link_bytes();
  const auto volume = lattice_volume(format.extents);
  if (!volume)
    fail(file, fmt::format("{}: lattice {}: more sites than any file holds", format_record.where,
                           extents_string(format.extents)));
  const std::uint64_t expected_bytes = *volume * site_bytes;
  if (binary.data_bytes != expected_bytes)
    fail(file,
         fmt::format("{}: {} bytes of data, expected {} for a {} lattice at {} bits ({})",
                     describe_record(records, binary_index), binary.data_bytes, expected_bytes,
                     extents_string(format.extents), format.precision, format_record.where));

  const auto geometry = Geometry::make(format.extents);
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(binary.data_offset));
  GaugeField u(geometry);
  ScidacChecksum computed;
  std::vector<unsigned char> buffer;
  for (SiteIndex first = 0; first < geometry->volume(); first += kBlockSites) {
    const SiteIndex sites = std::min(kBlockSites, geometry->volume() - first);
    const std::uint64_t block_offset = binary.data_offset + first * site_bytes;
    buffer.resize(sites * site_bytes);
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    if (!in)
      fail(file, fmt::format("cannot read the binary data at byte {}: {}", block_offset,
                             std::strerror(errno)));
    const ScidacChecksum block = scidac_checksum(buffer.data(), site_bytes, first, sites);
    computed.suma ^= block.suma;
    computed.sumb ^= block.sumb;
    for (SiteIndex i = 0; i < kDimensions * sites; ++i) {
      const SiteIndex link = kDimensions * first + i;
      const SU3 m = load_link(buffer.data() + i * coding.link_bytes(), coding);
      const std::string defect = link_defect(m, su3_tolerance(format.precision));
      if (!defect.empty())
        fail(file, fmt::format("link {} at byte {} {}", describe_link(*geometry, link),
                               block_offset + i * coding.link_bytes(), defect));
      u[link] = m;
    }
  }

  if (const std::size_t c = find("scidac-checksum", binary_index + 1); c != records.size()) {
    const RecordText checksum = record_text(c);
    const ScidacChecksum stated{checksum.hex32("suma"), checksum.hex32("sumb")};
    result.header["scidac-checksum.suma"] = fmt::format("{:x}", stated.suma);
    result.header["scidac-checksum.sumb"] = fmt::format("{:x}", stated.sumb);
    if (stated.suma != computed.suma || stated.sumb != computed.sumb)
      fail(file,
           fmt::format("{}: suma = {:x}, sumb = {:x}, but the binary data give suma = {:x}, "
                       "sumb = {:x}",
                       checksum.where, stated.suma, stated.sumb, computed.suma, computed.sumb));
    result.checksum = stated;
  }
  for (const std::string_view type : {"scidac-file-xml", "scidac-record-xml"})
    for (std::size_t i = find(type); i < records.size(); i = find(type, i + 1)) {
      const RecordText text = record_text(i);
      if (!xml_element(text.xml, "usqcdInfo")) continue;
      check_usqcd_value(text, "plaq", average_plaquette(u), format.precision, result.header);
      check_usqcd_value(text, "linktr", average_link_trace(u), format.precision, result.header);
    }
  result.header["lime-records"] = types();
  result.field = std::move(u);
  return result;
}

void write_ildg(const fs::path& file, const GaugeField& u, const IldgMetadata& metadata,
                bool overwrite, int precision) {
  if (precision != 32 && precision != 64)
    throw std::invalid_argument(fmt::format("ILDG file '{}': precision {} bits, expected 32 or 64",
                                            file.string(), precision));
  check_field_for_writing(u, fmt::format("ILDG file '{}'", file.string()));
  OutputFile out(file, overwrite);
  LimeWriter lime(out);
  const Geometry& g = u.geometry();
  const GaugeField rounded = precision == 32 ? as_stored(u, precision) : GaugeField();
  const GaugeField& written = precision == 32 ? rounded : u;
  const bool single = precision == 32;

  lime.write_record(
      "scidac-private-file-xml",
      fmt::format("{}<scidacFile><version>1.1</version><spacetime>4</spacetime>"
                  "<dims>{} {} {} {} </dims><volfmt>0</volfmt></scidacFile>",
                  kXmlDeclaration, g.extent(0), g.extent(1), g.extent(2), g.extent(3)),
      true, false);
  const std::string info = usqcd_info(written, metadata);
  lime.write_record("scidac-file-xml", info, false, true);
  lime.write_record(
      "scidac-private-record-xml",
      fmt::format("{}<scidacRecord><version>1.1</version><recordtype>0</recordtype>"
                  "<datatype>QDP_{}3_ColorMatrix</datatype><precision>{}</precision>"
                  "<colors>3</colors><spins>4</spins><typesize>{}</typesize>"
                  "<datacount>4</datacount></scidacRecord>",
                  kXmlDeclaration, single ? 'F' : 'D', single ? 'F' : 'D', single ? 72 : 144),
      true, false);
  lime.write_record("scidac-record-xml", info, false, false);
  lime.write_record(
      "ildg-format",
      fmt::format("{}<ildgFormat xmlns=\"http://www.lqcd.org/ildg\" "
                  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                  "xsi:schemaLocation=\"http://www.lqcd.org/ildg "
                  "http://www.lqcd.org/ildg/binary.xsd\"><version>1.0</version>"
                  "<field>su3gauge</field><precision>{}</precision><lx>{}</lx><ly>{}</ly>"
                  "<lz>{}</lz><lt>{}</lt></ildgFormat>",
                  kXmlDeclaration, precision, g.extent(0), g.extent(1), g.extent(2), g.extent(3)),
      false, false);
  lime.write_record("ildg-data-lfn", metadata.lfn, false, false);

  const RealCoding coding{precision / 8, ByteOrder::big};
  const std::size_t site_bytes = kDimensions * coding.link_bytes();
  lime.begin_record("ildg-binary-data", static_cast<std::uint64_t>(g.volume()) * site_bytes, false,
                    false);
  ScidacChecksum checksum;
  std::vector<unsigned char> buffer;
  for (SiteIndex first = 0; first < g.volume(); first += kBlockSites) {
    const SiteIndex sites = std::min(kBlockSites, g.volume() - first);
    buffer.resize(sites * site_bytes);
    for (SiteIndex i = 0; i < kDimensions * sites; ++i)
      store_link(u[kDimensions * first + i], buffer.data() + i * coding.link_bytes(), coding);
    const ScidacChecksum block = scidac_checksum(buffer.data(), site_bytes, first, sites);
    checksum.suma ^= block.suma;
    checksum.sumb ^= block.sumb;
    lime.write_data(buffer.data(), buffer.size());
  }
  lime.end_record();
  lime.write_record("scidac-checksum",
                    fmt::format("{}<scidacChecksum><version>1.0</version><suma>{:x}</suma>"
                                "<sumb>{:x}</sumb></scidacChecksum>",
                                kXmlDeclaration, checksum.suma, checksum.sumb),
                    false, true);
  out.commit();
}

}  // namespace fpgauge
