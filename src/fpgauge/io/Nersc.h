#pragma once
// NERSC gauge configuration files (SPEC §9).
//
// Layout: an ASCII header "BEGIN_HEADER", lines "KEY = VALUE" (any whitespace around key, '='
// and value; unknown keys are kept but not interpreted), "END_HEADER", then the binary payload
// from the byte after END_HEADER's newline. Payload order: site index x fastest (SPEC §1), then
// μ = 0..3, then the link row-major, each complex number as (re, im):
//   DATATYPE = 4D_SU3_GAUGE_3x3  all three rows;
//   DATATYPE = 4D_SU3_GAUGE      rows 0 and 1, row 2 = conj(row0 × row1) rebuilt on read.
// FLOATING_POINT = IEEE32BIG, IEEE32LITTLE, IEEE64BIG, IEEE64LITTLE. Bare IEEE32 and IEEE64
// are read as big-endian, as the original NERSC archive (big-endian machines), MILC, CPS and
// Qlua do; Grid reads them as little-endian. A wrong guess cannot go unnoticed: the checksum
// below then fails.
//
// CHECKSUM (hex) is the 32-bit unsigned sum, modulo 2^32, of the payload's 32-bit words taken
// as numbers after conversion to the declared values, i.e. of the bit patterns of the stored
// floats, and of the low and high 32-bit halves of the stored doubles; for 4D_SU3_GAUGE only
// the two stored rows count. It therefore does not depend on the byte order of the file or of
// the host. Source: Grid, BinaryIO::IOobject (byte-swaps the file words to host order, then
// NerscChecksum sums the uint32 words of the file-precision 2×3 or 3×3 objects) and MILC,
// generic/nersc_cksum.c (sum of the uint32 images of the two stored rows' floats).
//
// Checks on read (tolerances shared with ILDG and openQCD, io/ConfigurationChecks.h), each an
// std::runtime_error naming the file, the key or byte offset, the value found and the one
// expected: a well-formed header with DATATYPE, FLOATING_POINT, DIMENSION_1..4
// (integers >= 2), CHECKSUM and PLAQUETTE; a payload of exactly the declared size; finite
// numbers; every link in SU(3): |reunitarise(U) − U| (Frobenius, over the stored rows; zero
// exactly on SU(3)) at most 1e-6 for 64-bit and 1e-5 for 32-bit data; the checksum; PLAQUETTE
// and, if present, LINK_TRACE against average_plaquette and average_link_trace of the field
// read, within 1e-10 (64-bit) or 1e-6 (32-bit) plus half a unit of the header value's last
// printed digit. Both quantities are 1 on the unit field, so the tolerances are relative to
// that scale. Nothing is silently repaired: 3×3 links are kept exactly as stored (32-bit links
// keep their float rounding, ~1e-7 off SU(3)); two-row links are completed by reunitarise()
// (core/Su3Projection.h), which moves the stored rows by no more than the checked tolerance.
// BOUNDARY_i is not interpreted: fpgauge fields are periodic.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct NerscConfiguration {
  GaugeField field;
  std::map<std::string, std::string> header;  // every KEY = VALUE, both trimmed
};

// `expected_extents`, if given, is compared with DIMENSION_1..4 before the payload is read.
NerscConfiguration read_nersc(const std::filesystem::path& file,
                              const std::optional<Coordinates>& expected_extents = std::nullopt);

struct NerscMetadata {
  std::string ensemble_id = "fpgauge";
  std::int64_t sequence_number = 0;
  std::string creator = "fpgauge " FPGAUGE_VERSION;
};

// Writes DATATYPE 4D_SU3_GAUGE_3x3, FLOATING_POINT IEEE64BIG (or IEEE32BIG for precision 32,
// every number rounded to float) with the header HDR_VERSION, DATATYPE, STORAGE_FORMAT,
// DIMENSION_1..4, BOUNDARY_1..4 = PERIODIC, CHECKSUM, LINK_TRACE, PLAQUETTE (12 decimals),
// FLOATING_POINT, ENSEMBLE_ID, SEQUENCE_NUMBER, CREATOR, all computed from the numbers in the
// file; nothing machine- or time-dependent, so equal fields give equal files. Refuses a field
// that read_nersc would refuse (a link off SU(3), a non-finite number) and an existing file
// unless `overwrite`; the file appears only when complete (OutputFile).
void write_nersc(const std::filesystem::path& file, const GaugeField& u,
                 const NerscMetadata& metadata = {}, bool overwrite = false, int precision = 64);

}  // namespace fpgauge
