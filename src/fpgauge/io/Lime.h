#pragma once
// LIME containers ("Lattice QCD Interchange Message Encapsulation"), the envelope of ILDG and
// SciDAC files, implemented natively (c-lime is not packaged for Debian).
//
// Layout (USQCD c-lime, include/lime_defs.h and lib/lime_header.h; LIME 1.2 document): a file
// is a sequence of records, each a 144-byte header, its data, and zero bytes padding the data to
// a multiple of 8. Header fields, integers big-endian:
//   bytes   0-3    magic number 0x456789ab
//   bytes   4-5    LIME version, 1
//   byte    6      flags: 0x80 MB (message begin), 0x40 ME (message end); byte 7 reserved, 0
//   bytes   8-15   length of the data in bytes, without the padding
//   bytes  16-143  record type, ASCII, NUL-padded (at most 127 characters)
// Records form messages: MB on the first record of a message, ME on its last.
//
// Reading lists every record's header without reading its data. Refused, with an
// std::runtime_error naming the file, the record number and byte offset, the value found and
// the one expected: an empty file, a header cut short, a wrong magic number, a version other
// than 1, data reaching beyond the end of the file. Irregular MB/ME flags are reported in the
// records, not refused (readers of other codes do not enforce them either), and the padding of
// the last record may be missing.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fpgauge {

class OutputFile;

inline constexpr std::uint32_t kLimeMagic = 0x456789ab;
inline constexpr std::uint64_t kLimeHeaderBytes = 144;

struct LimeRecord {
  std::string type;
  bool message_begin = false;
  bool message_end = false;
  std::uint64_t header_offset = 0;  // byte of the 144-byte header in the file
  std::uint64_t data_offset = 0;    // header_offset + 144
  std::uint64_t data_bytes = 0;     // without the padding
};

std::vector<LimeRecord> read_lime_records(const std::filesystem::path& file);

// The data of `record`, which must be at most `max_bytes` long (metadata records are small; a
// corrupted length must not make a reader allocate gigabytes).
std::string read_lime_data(const std::filesystem::path& file, const LimeRecord& record,
                           std::uint64_t max_bytes);

// "record 3 ('ildg-binary-data', byte 1234)" for messages.
std::string describe_record(const std::vector<LimeRecord>& records, std::size_t index);

// Writes records into an OutputFile: begin_record, write_data until exactly the announced
// number of bytes, end_record (which pads). write_record does all three.
class LimeWriter {
 public:
  explicit LimeWriter(OutputFile& out) : out_(out) {}

  void begin_record(std::string_view type, std::uint64_t data_bytes, bool message_begin,
                    bool message_end);
  void write_data(const void* data, std::size_t bytes);
  void end_record();
  void write_record(std::string_view type, std::string_view data, bool message_begin,
                    bool message_end);

 private:
  OutputFile& out_;
  bool open_ = false;
  std::uint64_t announced_ = 0;
  std::uint64_t written_ = 0;
};

}  // namespace fpgauge
