#pragma once
// The checks every configuration reader and writer applies (NERSC, ILDG, openQCD), with one set
// of tolerances. A reader refuses links that are not SU(3) matrices to the precision of the
// file; a writer refuses to write what a reader would refuse. Observables stated in a header
// (plaquette, link trace; both 1 on the unit field) are compared with the recomputed ones.
// Also the header-text parsing and message helpers the readers share.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

// |reunitarise(U) − U| (Frobenius) allowed for a link stored with `bits` = 32 or 64 bits per
// real: float data are ~1e-7 off SU(3) by their rounding alone.
double su3_tolerance(int bits);
// Allowed |stated − recomputed| for an observable normalised to 1 on the unit field, on top of
// the rounding of the stated value itself.
double observable_tolerance(int bits);

// |reunitarise(U) − U| over the first `rows` rows: zero exactly when U ∈ SU(3) (rows = 3), or
// when rows 0 and 1 are orthonormal (rows = 2, NERSC two-row data).
double su3_deviation(const SU3& u, int rows = 3);

// Why a link is not an SU(3) matrix within `tolerance`, as the end of a sentence that starts
// with the link ("has ... not a finite number" / "is not in SU(3): ..."), or "" if it is one.
// Only the first `rows` rows are looked at.
std::string link_defect(const SU3& u, double tolerance, int rows = 3);

// "U_1(x = (1, 0, 0, 0))" for link number l = 4 s + μ.
std::string describe_link(const Geometry& g, SiteIndex link);

// Throws std::runtime_error "refusing to write <what>: link ... is not in SU(3) ..." if a link
// of `u` has a defect at the 64-bit tolerance.
void check_field_for_writing(const GaugeField& u, std::string_view what);

// The number of sites of a lattice with these extents (each >= 1), or nothing if it exceeds
// 2^48, more than any file holds: readers compare the size a header announces with the file's
// before allocating anything for it.
std::optional<std::uint64_t> lattice_volume(const Coordinates& extents);

// "8x8x8x16", as Geometry::to_string, for extents not (yet) trusted to build a Geometry.
std::string extents_string(const Coordinates& extents);

// The field a file with `bits` = 32 or 64 bits per real holds: for 32, every entry rounded to
// float (what the writers store and what their headers describe); for 64, a copy of `u`.
GaugeField as_stored(const GaugeField& u, int bits);

// Header text (NERSC KEY = VALUE, ILDG/SciDAC XML): parsing that accepts the whole text or
// nothing, so "12abc" is not 12.

// `text` without leading and trailing blanks (space, tab, CR, LF).
std::string_view trim_blanks(std::string_view text);
// A decimal integer, or nothing.
std::optional<long long> parse_integer(std::string_view text);
// A finite real number, or nothing.
std::optional<double> parse_finite_real(std::string_view text);
// A hexadecimal number < 2^32 with or without 0x, as checksums are printed, or nothing.
std::optional<std::uint32_t> parse_hex32(std::string_view text);

// Allowed |stated − recomputed| for an observable (plaquette, link trace) printed as `printed`
// in the header of a file with `bits`-bit data: observable_tolerance(bits) plus half a unit of
// the last printed digit ("0.5937" → 5e-5, "5.9e-1" → 5e-3), so that a value printed with few
// digits is not refused for its rounding.
double printed_value_allowance(std::string_view printed, int bits);

// File text as it may appear in an error message: printable ASCII (others shown as '?'), at
// most 60 characters.
std::string printable_excerpt(std::string_view text);

}  // namespace fpgauge
