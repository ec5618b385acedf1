#pragma once
// ILDG gauge configurations: SU(3) links in a LIME container (io/Lime.h), with the SciDAC
// records that QIO (MILC, Chroma) and Grid write around them (SPEC §9).
//
// Records written, in two messages as QIO and Grid (Grid/parallelIO/IldgIO.h, IldgWriter) do:
//   scidac-private-file-xml    <scidacFile>: version 1.1, spacetime 4, dims "Lx Ly Lz Lt ",
//                              volfmt 0 (single file)                          [MB]
//   scidac-file-xml            <usqcdInfo>: version 1.0, plaq, linktr, info    [ME]
//   scidac-private-record-xml  <scidacRecord>: version 1.1, recordtype 0, datatype
//                              QDP_D3_ColorMatrix (F3 for 32 bits), precision D (F), colors 3,
//                              spins 4, typesize 144 (72), datacount 4         [MB]
//   scidac-record-xml          <usqcdInfo>, as above
//   ildg-format                <ildgFormat>: version 1.0, field su3gauge, precision 32|64, lx,
//                              ly, lz, lt
//   ildg-data-lfn              the logical file name, plain text
//   ildg-binary-data           per site (x fastest, SPEC §1) the links μ = 0..3 = x,y,z,t, each
//                              3x3 row-major (re, im), big-endian IEEE floats or doubles: the
//                              NERSC 3x3 IEEE{32,64}BIG payload
//   scidac-checksum            <scidacChecksum>: version 1.0, suma, sumb (hexadecimal)  [ME]
// usqcdInfo plaq and linktr are QIO's "Re Tr U_P/3" and "Re Tr U_mu/3" (qio/include/qioxml.h):
// average_plaquette and average_link_trace, 1 on the unit field. No date is written, so equal
// fields give equal files.
//
// SciDAC checksum (QIO lib/dml/dml.c, DML_checksum_accum; Grid BinaryIO::ScidacChecksum): for
// every site with lexicographic rank r (x fastest: the fpgauge site index), c = zlib crc32 (from
// 0) of the site's 4 links as stored in the file, and
//   suma ^= rotl32(c, r mod 29),   sumb ^= rotl32(c, r mod 31).
//
// Reading takes the records in any order and skips those it does not use (xlf-info,
// scidac-file-xml of other writers, ...). It needs one ildg-format (field su3gauge, precision
// 32 or 64, lx..lt integers >= 2) and an ildg-binary-data record of exactly V·4·18·precision/8
// bytes (the first one, if several). Verified when present: the first scidac-checksum record
// after the binary data; plaq and linktr of a usqcdInfo in scidac-file-xml or scidac-record-xml,
// as NERSC's PLAQUETTE and LINK_TRACE (io/Nersc.h: 1e-10 for 64-bit, 1e-6 for 32-bit data, plus
// half a unit of the printed last digit). Links are checked and kept as NERSC 3x3 links are.
// Every refusal is an std::runtime_error naming the file, the record and its byte offset, the
// value found and the one expected.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fpgauge/io/Lime.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct ScidacChecksum {
  std::uint32_t suma = 0;
  std::uint32_t sumb = 0;
};

struct IldgConfiguration {
  GaugeField field;
  int precision = 64;  // bits per real in the file
  std::vector<LimeRecord> records;
  // "ildg-format.lx", "ildg-data-lfn", "scidac-checksum.suma", "usqcdInfo.plaq", ... as found
  std::map<std::string, std::string> header;
  std::optional<ScidacChecksum> checksum;  // the verified checksum, if the file has one
};

// `expected_extents`, if given, is compared with the ildg-format record before the data are read.
IldgConfiguration read_ildg(const std::filesystem::path& file,
                            const std::optional<Coordinates>& expected_extents = std::nullopt);

struct IldgMetadata {
  std::string lfn;                                // ildg-data-lfn
  std::string info = "fpgauge " FPGAUGE_VERSION;  // usqcdInfo info
};

// The records above with the data at `precision` = 32 or 64 bits (32: every number rounded to
// float; plaq and linktr are those of the rounded field). Refuses what read_ildg would refuse
// and an existing file unless `overwrite`; the file appears only when complete.
void write_ildg(const std::filesystem::path& file, const GaugeField& u,
                const IldgMetadata& metadata = {}, bool overwrite = false, int precision = 64);

// The SciDAC checksum of `sites` consecutive sites from site `first_site`, whose stored bytes
// (site_bytes each) start at `data`; combine partial results with ^=.
ScidacChecksum scidac_checksum(const unsigned char* data, std::size_t site_bytes,
                               SiteIndex first_site, SiteIndex sites);

}  // namespace fpgauge
