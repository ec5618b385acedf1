#include "fpgauge/io/Lime.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/OutputFile.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr unsigned char kMessageBegin = 0x80;
constexpr unsigned char kMessageEnd = 0x40;
constexpr std::size_t kTypeBytes = 128;

[[noreturn]] void fail(const fs::path& file, std::string_view message) {
  throw std::runtime_error(fmt::format("LIME file '{}': {}", file.string(), message));
}

std::uint64_t padding(std::uint64_t bytes) { return (8 - bytes % 8) % 8; }

}  // namespace

std::vector<LimeRecord> read_lime_records(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fmt::format("cannot open it: {}", std::strerror(errno)));
  std::error_code ec;
  const std::uint64_t file_bytes = fs::file_size(file, ec);
  if (ec) fail(file, fmt::format("cannot determine its size: {}", ec.message()));
  if (file_bytes == 0) fail(file, "the file is empty (expected LIME records)");

  std::vector<LimeRecord> records;
  std::uint64_t offset = 0;
  while (offset < file_bytes) {
    const std::size_t number = records.size() + 1;
    if (file_bytes - offset < kLimeHeaderBytes)
      fail(file, fmt::format("record {} at byte {}: only {} bytes before the end of the file, "
                             "expected a {}-byte record header (truncated)",
                             number, offset, file_bytes - offset, kLimeHeaderBytes));
    std::array<unsigned char, kLimeHeaderBytes> h{};
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(h.data()), h.size());
    if (!in)
      fail(file, fmt::format("record {} at byte {}: cannot read its header: {}", number, offset,
                             std::strerror(errno)));
    const auto magic = load_word<std::uint32_t>(h.data(), ByteOrder::big);
    if (magic != kLimeMagic)
      fail(file, fmt::format("record {} at byte {}: magic number 0x{:08x}, expected 0x{:08x}",
                             number, offset, magic, kLimeMagic));
    const auto version = load_word<std::uint16_t>(h.data() + 4, ByteOrder::big);
    if (version != 1)
      fail(file, fmt::format("record {} at byte {}: LIME version {}, expected 1", number, offset,
                             version));
    LimeRecord r;
    r.message_begin = (h[6] & kMessageBegin) != 0;
    r.message_end = (h[6] & kMessageEnd) != 0;
    r.header_offset = offset;
    r.data_offset = offset + kLimeHeaderBytes;
    r.data_bytes = load_word<std::uint64_t>(h.data() + 8, ByteOrder::big);
    const char* type = reinterpret_cast<const char*>(h.data() + 16);
    r.type.assign(type, strnlen(type, kTypeBytes));
    const std::uint64_t available = file_bytes - r.data_offset;
    if (r.data_bytes > available)
      fail(file, fmt::format("record {} ('{}') at byte {}: {} bytes of data announced, but only "
                             "{} follow the header (truncated)",
                             number, printable_excerpt(r.type), offset, r.data_bytes, available));
    // The padding of the last record may be missing: the data end the file.
    offset = r.data_bytes + padding(r.data_bytes) <= available
                 ? r.data_offset + r.data_bytes + padding(r.data_bytes)
                 : file_bytes;
    records.push_back(std::move(r));
  }
  return records;
}

std::string read_lime_data(const fs::path& file, const LimeRecord& record,
                           std::uint64_t max_bytes) {
  if (record.data_bytes > max_bytes)
    fail(file, fmt::format("record '{}' at byte {}: {} bytes of data, expected at most {}",
                           printable_excerpt(record.type), record.header_offset, record.data_bytes,
                           max_bytes));
  std::ifstream in(file, std::ios::binary);
  std::string data(record.data_bytes, '\0');
  in.seekg(static_cast<std::streamoff>(record.data_offset));
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (!in)
    fail(file,
         fmt::format("record '{}' at byte {}: cannot read its data: {}",
                     printable_excerpt(record.type), record.header_offset, std::strerror(errno)));
  return data;
}

std::string describe_record(const std::vector<LimeRecord>& records, std::size_t index) {
  return fmt::format("record {} ('{}', byte {})", index + 1, printable_excerpt(records[index].type),
                     records[index].header_offset);
}

void LimeWriter::begin_record(std::string_view type, std::uint64_t data_bytes, bool message_begin,
                              bool message_end) {
  if (open_) throw std::logic_error("LimeWriter: begin_record inside an open record");
  if (type.empty() || type.size() >= kTypeBytes || type.find('\0') != std::string_view::npos)
    throw std::invalid_argument(
        fmt::format("LIME record type '{}': expected 1 to {} characters", type, kTypeBytes - 1));
  std::array<unsigned char, kLimeHeaderBytes> h{};
  store_word(kLimeMagic, h.data(), ByteOrder::big);
  store_word(std::uint16_t{1}, h.data() + 4, ByteOrder::big);
  h[6] = (message_begin ? kMessageBegin : 0) | (message_end ? kMessageEnd : 0);
  store_word(data_bytes, h.data() + 8, ByteOrder::big);
  std::memcpy(h.data() + 16, type.data(), type.size());
  out_.write(h.data(), h.size());
  open_ = true;
  announced_ = data_bytes;
  written_ = 0;
}

void LimeWriter::write_data(const void* data, std::size_t bytes) {
  if (!open_ || written_ + bytes > announced_)
    throw std::logic_error(fmt::format("LimeWriter: {} bytes of data beyond the {} announced",
                                       written_ + bytes, announced_));
  out_.write(data, bytes);
  written_ += bytes;
}

void LimeWriter::end_record() {
  if (!open_ || written_ != announced_)
    throw std::logic_error(
        fmt::format("LimeWriter: record closed after {} of {} bytes", written_, announced_));
  static constexpr std::array<unsigned char, 8> zeros{};
  out_.write(zeros.data(), padding(announced_));
  open_ = false;
}

void LimeWriter::write_record(std::string_view type, std::string_view data, bool message_begin,
                              bool message_end) {
  begin_record(type, data.size(), message_begin, message_end);
  write_data(data.data(), data.size());
  end_record();
}

}  // namespace fpgauge
