#include "fpgauge/io/OpenQcd.h"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/ConfigurationChecks.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr RealCoding kCoding{8, ByteOrder::little};
constexpr std::uint64_t kHeaderBytes = 4 * 4 + 8;
constexpr std::size_t kOddSiteBytes = 8 * 3 * 3 * 2 * 8;  // 8 links of 18 doubles
constexpr SiteIndex kBlockSites = 512;
// fpgauge direction μ of openQCD direction ν = 0 (time), 1, 2, 3.
constexpr std::array<int, kDimensions> kDirection = {3, 0, 1, 2};

[[noreturn]] void fail(const fs::path& file, std::string_view message) {
  throw std::runtime_error(fmt::format("openQCD file '{}': {}", file.string(), message));
}

// Calls visit(n, s) for the odd sites in file order: n = 0, 1, ... and s the fpgauge site of
// openQCD (x0, x1, x2, x3) = (t, x, y, z), x3 fastest.
template <class Visit>
void for_each_odd_site(const Geometry& g, Visit&& visit) {
  const Coordinates& l = g.extents();
  SiteIndex n = 0;
  for (int t = 0; t < l[3]; ++t)
    for (int x = 0; x < l[0]; ++x)
      for (int y = 0; y < l[1]; ++y)
        for (int z = 0; z < l[2]; ++z)
          if ((t + x + y + z) % 2 == 1) visit(n++, g.site({x, y, z, t}));
}

// The two links of odd site s in openQCD direction ν: U(x, ν) and U(x − ν̂, ν).
std::array<SiteIndex, 2> links_of(const Geometry& g, SiteIndex s, int nu) {
  const int mu = kDirection[nu];
  return {kDimensions * s + mu, kDimensions * g.backward(s, mu) + mu};
}

std::string sizes_string(const std::array<std::int32_t, 4>& n) {
  return fmt::format("N0 N1 N2 N3 = {} {} {} {}", n[0], n[1], n[2], n[3]);
}

}  // namespace

OpenQcdConfiguration read_openqcd(const fs::path& file,
                                  const std::optional<Coordinates>& expected) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, fmt::format("cannot open it: {}", std::strerror(errno)));
  std::error_code ec;
  const std::uint64_t file_bytes = fs::file_size(file, ec);
  if (ec) fail(file, fmt::format("cannot determine its size: {}", ec.message()));
  std::array<unsigned char, kHeaderBytes> header{};
  in.read(reinterpret_cast<char*>(header.data()), header.size());
  if (!in)
    fail(file, fmt::format("{} bytes, expected a header of {} (4 int32 lattice sizes and the "
                           "plaquette; truncated)",
                           file_bytes, kHeaderBytes));
  std::array<std::int32_t, 4> n{};
  for (int i = 0; i < 4; ++i)
    n[i] = static_cast<std::int32_t>(
        load_word<std::uint32_t>(header.data() + 4 * i, ByteOrder::little));
  for (int i = 0; i < 4; ++i)
    if (n[i] < 2 || n[i] % 2 != 0 || n[i] > (1 << 16))
      fail(file, fmt::format("byte {}: {}: N{} = {}, expected an even lattice size >= 2", 4 * i,
                             sizes_string(n), i, n[i]));
  const Coordinates extents = {n[1], n[2], n[3], n[0]};
  if (expected && *expected != extents)
    fail(file, fmt::format("byte 0: {} (N0 = time), expected {} {} {} {}", sizes_string(n),
                           (*expected)[3], (*expected)[0], (*expected)[1], (*expected)[2]));
  const double stated = load_real(header.data() + 16, kCoding);
  if (!std::isfinite(stated))
    fail(file, fmt::format("byte 16: plaquette {}, expected a finite number", stated));

  // the size check comes before any allocation for the announced lattice
  const auto volume = lattice_volume(extents);
  if (!volume)
    fail(file, fmt::format("byte 0: {}: more sites than any file holds", sizes_string(n)));
  const std::uint64_t odd_sites = *volume / 2;
  const std::uint64_t expected_bytes = kHeaderBytes + odd_sites * kOddSiteBytes;
  if (file_bytes != expected_bytes)
    fail(file, fmt::format("{} bytes, expected {} for {} (a {}-byte header and 8 links of {} "
                           "bytes on each of {} odd sites){}",
                           file_bytes, expected_bytes, sizes_string(n), kHeaderBytes,
                           kCoding.link_bytes(), odd_sites,
                           file_bytes < expected_bytes ? " (truncated)" : ""));

  const auto geometry = Geometry::make(extents);
  const Geometry& g = *geometry;
  GaugeField u(geometry);
  std::vector<unsigned char> buffer;
  for_each_odd_site(g, [&](SiteIndex i, SiteIndex s) {
    const SiteIndex in_block = i % kBlockSites;
    if (in_block == 0) {
      buffer.resize(
          std::min<std::uint64_t>(kBlockSites, odd_sites - static_cast<std::uint64_t>(i)) *
          kOddSiteBytes);
      in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
      if (!in)
        fail(file, fmt::format("cannot read the links at byte {}: {}",
                               kHeaderBytes + i * kOddSiteBytes, std::strerror(errno)));
    }
    for (int nu = 0; nu < kDimensions; ++nu)
      for (int backward = 0; backward < 2; ++backward) {
        const std::size_t at =
            in_block * kOddSiteBytes + (2 * nu + backward) * kCoding.link_bytes();
        const SiteIndex link = links_of(g, s, nu)[backward];
        const SU3 m = load_link(buffer.data() + at, kCoding);
        const std::string defect = link_defect(m, su3_tolerance(64));
        if (!defect.empty())
          fail(file, fmt::format("link {} (openQCD {} of odd site number {}) at byte {} {}",
                                 describe_link(g, link),
                                 backward ? fmt::format("U(x-{}^, {})", nu, nu)
                                          : fmt::format("U(x, {})", nu),
                                 i, kHeaderBytes + (i - in_block) * kOddSiteBytes + at, defect));
        u[link] = m;
      }
  });

  // openQCD import_cnfg: |P1 − P0| <= sqrt(64 nplaq) ε + 64 (|P0| + |P1|) ε on plaquette sums.
  const double plaquettes = 6.0 * static_cast<double>(g.volume());
  const double recomputed = 3.0 * average_plaquette(u);
  const double allowed = std::sqrt(64.0 * plaquettes) * DBL_EPSILON / plaquettes +
                         64.0 * (std::abs(stated) + std::abs(recomputed)) * DBL_EPSILON;
  if (!(std::abs(stated - recomputed) <= allowed))
    fail(file, fmt::format("byte 16: plaquette {:.17g} in the header, but the links give {:.17g} "
                           "(difference {:.3g}, allowed {:.3g})",
                           stated, recomputed, std::abs(stated - recomputed), allowed));
  return {std::move(u), stated};
}

void write_openqcd(const fs::path& file, const GaugeField& u, bool overwrite) {
  const Geometry& g = u.geometry();
  for (int mu = 0; mu < kDimensions; ++mu)
    if (g.extent(mu) % 2 != 0)
      throw std::invalid_argument(fmt::format(
          "openQCD file '{}': lattice {}: the export format needs even extents (it stores the "
          "8 links of every odd site)",
          file.string(), g.to_string()));
  check_field_for_writing(u, fmt::format("openQCD file '{}'", file.string()));
  OutputFile out(file, overwrite);

  std::array<unsigned char, kHeaderBytes> header{};
  const std::array<int, 4> n = {g.extent(3), g.extent(0), g.extent(1), g.extent(2)};
  for (int i = 0; i < 4; ++i)
    store_word(static_cast<std::uint32_t>(n[i]), header.data() + 4 * i, ByteOrder::little);
  store_real(3.0 * average_plaquette(u), header.data() + 16, kCoding);
  out.write(header.data(), header.size());

  const SiteIndex odd_sites = g.volume() / 2;
  std::vector<unsigned char> buffer;
  for_each_odd_site(g, [&](SiteIndex i, SiteIndex s) {
    const SiteIndex in_block = i % kBlockSites;
    if (in_block == 0) buffer.resize(std::min(kBlockSites, odd_sites - i) * kOddSiteBytes);
    for (int nu = 0; nu < kDimensions; ++nu)
      for (int backward = 0; backward < 2; ++backward)
        store_link(
            u[links_of(g, s, nu)[backward]],
            buffer.data() + in_block * kOddSiteBytes + (2 * nu + backward) * kCoding.link_bytes(),
            kCoding);
    if (in_block + 1 == static_cast<SiteIndex>(buffer.size() / kOddSiteBytes))
      out.write(buffer.data(), buffer.size());
  });
  out.commit();
}

}  // namespace fpgauge
