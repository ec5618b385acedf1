#pragma once
// The hypercubic group W(B4) (4! axis permutations × 2^4 reflections = 384 elements) acting on
// gauge fields: the lattice symmetries that the actions and observables must respect, and that
// an equivariant network (nn/) must commute with.
//
// Convention. An element g is a signed permutation of the axes, applied as "permute, then
// reflect": with π the axis permutation and s_ν = −1 if axis ν of the image is reflected,
//   (g x)_{π(μ)} = s_{π(μ)} x_μ   (mod L_{π(μ)}),
// which fixes the origin. Links are oriented segments and follow the sites: U_μ(x), the segment
// x → x+μ̂, becomes the segment g x → g(x+μ̂) = g x + s_ν ν̂ with ν = π(μ), so that
//   s_ν = +1:  U'_ν(g x)      = U_μ(x),
//   s_ν = −1:  U'_ν(g x − ν̂)  = U_μ(x)†    (the segment g x → g x − ν̂ read forward).
// Links transverse to a reflection keep their matrix. Every closed loop goes to a closed loop
// with the same trace or, if reversed, its complex conjugate: the actions, Re tr of every
// plaquette and |Polyakov loop| per direction are invariant. Forces (Action.h convention,
// D = Σ_a t^a ∂^a with ∂^a acting by left multiplication) transform as D'_{l'} = D_l on an
// unreversed image link and D'_{l'} = −U_l† D_l U_l on a reversed one.
//
// Composition: (a * b) applies b first, then a; then transformed(transformed(U, b), a) equals
// transformed(U, a * b) link by link.
#include <array>
#include <string>
#include <vector>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

class HypercubicElement {
 public:
  using Permutation = std::array<int, kDimensions>;
  using Reflections = std::array<bool, kDimensions>;

  // The identity.
  HypercubicElement();
  // permutation[μ] = π(μ), the image axis of axis μ; reflected[ν]: axis ν of the image is
  // reversed (after the permutation). Throws std::invalid_argument unless `permutation` is a
  // permutation of 0..3.
  HypercubicElement(const Permutation& permutation, const Reflections& reflected);

  // π(μ).
  int image_axis(int mu) const { return permutation_[mu]; }
  // π⁻¹(ν): the axis whose links become the links along ν.
  int source_axis(int nu) const { return inverse_permutation_[nu]; }
  bool reflects(int nu) const { return reflected_[nu]; }
  const Permutation& permutation() const { return permutation_; }
  const Reflections& reflections() const { return reflected_; }
  bool is_identity() const;

  // g x, wrapped into 0 ≤ (g x)_ν < extents[ν].
  Coordinates apply(const Coordinates& x, const Coordinates& extents) const;
  HypercubicElement inverse() const;
  // a * b: b first, then a.
  friend HypercubicElement operator*(const HypercubicElement& a, const HypercubicElement& b);
  bool operator==(const HypercubicElement& other) const {
    return permutation_ == other.permutation_ && reflected_ == other.reflected_;
  }

  // "perm 1023 refl 0100": the digits π(0)π(1)π(2)π(3), then reflected[ν] for ν = 0..3.
  std::string name() const;

 private:
  Permutation permutation_;
  Permutation inverse_permutation_;
  Reflections reflected_;
};

// All 384 elements, the identity first: permutations in lexicographic order of
// (π(0), π(1), π(2), π(3)), for each the 16 reflection sets with bit ν of the index = axis ν.
std::vector<HypercubicElement> hypercubic_group();
// The elements that are symmetries of a lattice with these extents: those whose permutation
// maps every axis onto one of equal extent (all 384 on an L^4 lattice).
std::vector<HypercubicElement> lattice_symmetry_group(const Coordinates& extents);
// Whether g maps every axis onto an axis of equal extent.
bool preserves_extents(const HypercubicElement& g, const Coordinates& extents);

// Where the link U_μ(x) (site s) lands in the transformed field: U'_{mu}(site) holds U_μ(x), or
// U_μ(x)† if `reversed` (the image axis is reflected). Throws like hypercubic_transformed.
struct LinkImage {
  SiteIndex site;
  int mu;
  bool reversed;
};
LinkImage link_image(const HypercubicElement& g, const Geometry& geometry, SiteIndex s, int mu);

// U' = g U (convention above), on the same geometry. Throws std::invalid_argument naming the
// extents if g maps an axis onto one of different extent.
GaugeField hypercubic_transformed(const GaugeField& u, const HypercubicElement& g);

}  // namespace fpgauge
