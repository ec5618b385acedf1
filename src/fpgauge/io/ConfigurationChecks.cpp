#include "fpgauge/io/ConfigurationChecks.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/io/ByteOrder.h"

namespace fpgauge {

double su3_tolerance(int bits) { return bits == 64 ? 1e-6 : 1e-5; }

double observable_tolerance(int bits) { return bits == 64 ? 1e-10 : 1e-6; }

double su3_deviation(const SU3& u, int rows) {
  const SU3 projected = reunitarise(u);
  double d = 0.0;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < 3; ++j) d += norm2(projected.e[i][j] - u.e[i][j]);
  return std::sqrt(d);
}

std::string link_defect(const SU3& u, double tolerance, int rows) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < 3; ++j)
      if (!std::isfinite(u.e[i][j].re) || !std::isfinite(u.e[i][j].im))
        return fmt::format("has U[{}][{}] = ({}, {}): not a finite number", i, j, u.e[i][j].re,
                           u.e[i][j].im);
  const double deviation = su3_deviation(u, rows);
  if (!(deviation <= tolerance))
    return fmt::format("is not in SU(3): |reunitarise(U) - U| = {:.3g}, expected at most {:g}",
                       deviation, tolerance);
  return "";
}

std::string describe_link(const Geometry& g, SiteIndex link) {
  const Coordinates x = g.coordinates(link / kDimensions);
  return fmt::format("U_{}(x = ({}, {}, {}, {}))", link % kDimensions, x[0], x[1], x[2], x[3]);
}

void check_field_for_writing(const GaugeField& u, std::string_view what) {
  for (SiteIndex link = 0; link < u.size(); ++link) {
    const std::string defect = link_defect(u[link], su3_tolerance(64));
    if (!defect.empty())
      throw std::runtime_error(fmt::format("refusing to write {}: link {} {}", what,
                                           describe_link(u.geometry(), link), defect));
  }
}

std::optional<std::uint64_t> lattice_volume(const Coordinates& extents) {
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 48;
  std::uint64_t volume = 1;
  for (const int n : extents) {
    if (n < 1 || static_cast<std::uint64_t>(n) > kLimit / volume) return std::nullopt;
    volume *= static_cast<std::uint64_t>(n);
  }
  return volume;
}

std::string extents_string(const Coordinates& l) {
  return fmt::format("{}x{}x{}x{}", l[0], l[1], l[2], l[3]);
}

GaugeField as_stored(const GaugeField& u, int bits) {
  GaugeField r = u;
  if (bits == 32)
    for (SiteIndex l = 0; l < r.size(); ++l) r[l] = stored_link(u[l], {4, ByteOrder::big});
  return r;
}

std::string_view trim_blanks(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<long long> parse_integer(std::string_view text) {
  long long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

std::optional<double> parse_finite_real(std::string_view text) {
  double x = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(x))
    return std::nullopt;
  return x;
}

std::optional<std::uint32_t> parse_hex32(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  std::uint64_t x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x, 16);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || x > 0xffffffffu)
    return std::nullopt;
  return static_cast<std::uint32_t>(x);
}

double printed_value_allowance(std::string_view printed, int bits) {
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
  return observable_tolerance(bits) + 0.5 * std::pow(10.0, exponent - decimals);
}

std::string printable_excerpt(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 60)) out += (c >= 32 && c < 127) ? c : '?';
  if (text.size() > 60) out += "...";
  return out;
}

}  // namespace fpgauge
