#pragma once
// openQCD export format (SPEC §9), as written by export_cnfg() and read by import_cnfg() in
// openQCD's modules/archive/archive.c, layout in main/README.io ("universal" order):
//   bytes 0-15   N0 N1 N2 N3, little-endian int32: the lattice sizes, N0 = time extent
//   bytes 16-23  the average plaquette, little-endian double, (1/(6 N0 N1 N2 N3)) Σ_p Re tr U_p
//                (openQCD's plaq_sum_dble: no 1/3, so 3 on the unit field)
//   then, for every odd site x (x0+x1+x2+x3 odd) in lexicographic order of (x0, x1, x2, x3)
//   with x3 fastest, the 8 links U(x,0), U(x−0̂,0), U(x,1), U(x−1̂,1), ..., U(x,3), U(x−3̂,3),
//   each 3x3 row-major (re, im), little-endian doubles.
// openQCD direction 0 is time, directions 1, 2, 3 are space, so openQCD (x0; x1, x2, x3) =
// fpgauge (t; x, y, z) and openQCD direction ν ↔ fpgauge μ = 3, 0, 1, 2 for ν = 0, 1, 2, 3.
// Every link joins an even and an odd site only if all extents are even, which the format
// therefore requires.
//
// Checks on read, each an std::runtime_error naming the file, the byte offset, the value found
// and the one expected: sizes even and >= 2; a file of exactly 24 + (V/2)·8·144 bytes; links in
// SU(3) as for 64-bit NERSC data (io/ConfigurationChecks.h); the header plaquette against
// 3·average_plaquette within openQCD's own import_cnfg tolerance, which on the sum over the
// 6V plaquettes is sqrt(64·6V)·ε + 64·(|stated| + |recomputed|)·ε, ε = DBL_EPSILON.
// Only periodic fields are meaningful here: files written with open or SF boundary conditions
// (zero or fixed boundary links) are refused by the SU(3) check or the plaquette comparison.
#include <filesystem>
#include <optional>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct OpenQcdConfiguration {
  GaugeField field;
  double plaquette = 0.0;  // as stated in the header: 3 on the unit field
};

// `expected_extents` (fpgauge order x, y, z, t), if given, is compared with the header before
// the links are read.
OpenQcdConfiguration read_openqcd(
    const std::filesystem::path& file,
    const std::optional<Coordinates>& expected_extents = std::nullopt);

// Writes the header plaquette as 3·average_plaquette(u). Refuses odd extents, what read_openqcd
// would refuse, and an existing file unless `overwrite`; the file appears only when complete.
void write_openqcd(const std::filesystem::path& file, const GaugeField& u, bool overwrite = false);

}  // namespace fpgauge
