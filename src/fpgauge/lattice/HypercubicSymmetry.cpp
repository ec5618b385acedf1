#include "fpgauge/lattice/HypercubicSymmetry.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

HypercubicElement::HypercubicElement()
    : permutation_{0, 1, 2, 3}, inverse_permutation_{0, 1, 2, 3}, reflected_{} {}

HypercubicElement::HypercubicElement(const Permutation& permutation, const Reflections& reflected)
    : permutation_(permutation), inverse_permutation_{-1, -1, -1, -1}, reflected_(reflected) {
  for (int mu = 0; mu < kDimensions; ++mu) {
    const int nu = permutation[mu];
    if (nu < 0 || nu >= kDimensions || inverse_permutation_[nu] != -1)
      throw std::invalid_argument(
          fmt::format("hypercubic element: ({}, {}, {}, {}) is not a permutation of the axes 0..3",
                      permutation[0], permutation[1], permutation[2], permutation[3]));
    inverse_permutation_[nu] = mu;
  }
}

bool HypercubicElement::is_identity() const { return *this == HypercubicElement(); }

Coordinates HypercubicElement::apply(const Coordinates& x, const Coordinates& extents) const {
  Coordinates y{};
  for (int mu = 0; mu < kDimensions; ++mu) {
    const int nu = permutation_[mu];
    const int l = extents[nu];
    const int v = reflected_[nu] ? -x[mu] : x[mu];
    y[nu] = ((v % l) + l) % l;
  }
  return y;
}

HypercubicElement HypercubicElement::inverse() const {
  // x_μ = s_{π(μ)} (g x)_{π(μ)}: permutation π⁻¹, and axis μ of the image of g⁻¹ is reflected
  // when axis π(μ) of the image of g is.
  Reflections reflected{};
  for (int mu = 0; mu < kDimensions; ++mu) reflected[mu] = reflected_[permutation_[mu]];
  return HypercubicElement(inverse_permutation_, reflected);
}

HypercubicElement operator*(const HypercubicElement& a, const HypercubicElement& b) {
  // (a b x)_{π_a π_b μ} = s^a_{π_a π_b μ} s^b_{π_b μ} x_μ.
  HypercubicElement::Permutation permutation{};
  HypercubicElement::Reflections reflected{};
  for (int mu = 0; mu < kDimensions; ++mu) permutation[mu] = a.image_axis(b.image_axis(mu));
  for (int nu = 0; nu < kDimensions; ++nu)
    reflected[nu] = a.reflects(nu) != b.reflects(a.source_axis(nu));
  return HypercubicElement(permutation, reflected);
}

std::string HypercubicElement::name() const {
  std::string s = "perm ";
  for (const int nu : permutation_) s += static_cast<char>('0' + nu);
  s += " refl ";
  for (const bool r : reflected_) s += r ? '1' : '0';
  return s;
}

std::vector<HypercubicElement> hypercubic_group() {
  std::vector<HypercubicElement> group;
  group.reserve(384);
  HypercubicElement::Permutation permutation{0, 1, 2, 3};
  do {
    for (int mask = 0; mask < (1 << kDimensions); ++mask) {
      HypercubicElement::Reflections reflected{};
      for (int nu = 0; nu < kDimensions; ++nu) reflected[nu] = (mask >> nu) & 1;
      group.emplace_back(permutation, reflected);
    }
  } while (std::next_permutation(permutation.begin(), permutation.end()));
  return group;
}

bool preserves_extents(const HypercubicElement& g, const Coordinates& extents) {
  for (int mu = 0; mu < kDimensions; ++mu)
    if (extents[g.image_axis(mu)] != extents[mu]) return false;
  return true;
}

std::vector<HypercubicElement> lattice_symmetry_group(const Coordinates& extents) {
  std::vector<HypercubicElement> group = hypercubic_group();
  std::erase_if(group, [&](const HypercubicElement& g) { return !preserves_extents(g, extents); });
  return group;
}

namespace {

void require_extents_preserved(const HypercubicElement& g, const Geometry& geometry) {
  const Coordinates& extents = geometry.extents();
  for (int mu = 0; mu < kDimensions; ++mu) {
    const int nu = g.image_axis(mu);
    if (extents[nu] != extents[mu])
      throw std::invalid_argument(fmt::format(
          "hypercubic element '{}' maps axis {} (extent {}) onto axis {} (extent {}): on a {} "
          "lattice only permutations between axes of equal extent are symmetries",
          g.name(), mu, extents[mu], nu, extents[nu], geometry.to_string()));
  }
}

// The image of U_μ(x) given y = g x (as a site).
LinkImage link_image_from(const HypercubicElement& g, const Geometry& geometry, SiteIndex y,
                          int mu) {
  const int nu = g.image_axis(mu);
  if (!g.reflects(nu)) return {y, nu, false};
  return {geometry.backward(y, nu), nu, true};  // U'_ν(g x − ν̂) = U_μ(x)†
}

}  // namespace

LinkImage link_image(const HypercubicElement& g, const Geometry& geometry, SiteIndex s, int mu) {
  require_extents_preserved(g, geometry);
  const SiteIndex y = geometry.site(g.apply(geometry.coordinates(s), geometry.extents()));
  return link_image_from(g, geometry, y, mu);
}

GaugeField hypercubic_transformed(const GaugeField& u, const HypercubicElement& g) {
  const Geometry& geometry = u.geometry();
  const Coordinates& extents = geometry.extents();
  require_extents_preserved(g, geometry);
  // g is a bijection of the links, so every link of v is written exactly once.
  GaugeField v(u.geometry_ptr());
  parallel_for(geometry.volume(), [&](SiteIndex s) {
    const SiteIndex y = geometry.site(g.apply(geometry.coordinates(s), extents));
    for (int mu = 0; mu < kDimensions; ++mu) {
      const LinkImage image = link_image_from(g, geometry, y, mu);
      v(image.site, image.mu) = image.reversed ? adj(u(s, mu)) : u(s, mu);
    }
  });
  return v;
}

}  // namespace fpgauge
