#pragma once
// The BPST SU(2) instanton (Belavin, Polyakov, Schwarz, Tyupkin 1975) embedded in the upper-left
// 2×2 block of SU(3), as lattice links (SPEC §4).
//
// Conventions: D = ∂ − iA, A_μ = A^a_μ σ^a/2 (the generators t^1..t^3 of SU(3)),
// F^a_μν = ∂_μA^a_ν − ∂_νA^a_μ + ε^{abc} A^b_μ A^c_ν; directions 0,1,2,3 = x,y,z,t with
// ε_xyzt = +1; y = x − centre, in lattice units. The two gauges of Schäfer & Shuryak,
// Rev. Mod. Phys. 70 (1998) 323, eqs. (13), (15):
//   regular   A^a_μ = 2 η_aμν y_ν / (y² + ρ²)             (pure gauge ~ 1/|y| far away)
//   singular  A^a_μ = 2 η̄_aμν y_ν ρ² / (y² (y² + ρ²))     (decays ~ ρ²/|y|³; singular at y = 0)
// with the 't Hooft symbols η_aμν = ε_aμν (μ,ν spatial), η_aμt = δ_aμ, η_atν = −δ_aν, and η̄
// the same with the δ terms negated. Both are the same self-dual solution, Q = +1 and
// action 8π²/g² (reduced action 8π²/6), F^a_μν = −4 η_aμν ρ²/(y² + ρ²)² in the regular gauge.
//
// Links: U_μ(x) = P exp(−i ∫_0^1 A_μ(x + s μ̂) ds), the factor nearest x on the left: the
// parallel transporter from x+μ̂ to x for D = ∂ − iA, so that U_μ(x) → Ω(x) U_μ(x) Ω(x+μ̂)† when
// A → Ω A Ω† − i(∂Ω)Ω†. Then every plaquette is exp(−i a² F_μν + O(a³)) with the F above
// (SPEC §4 writes exp(iF); the sign of F drops out of q and of the action, which are quadratic
// in it). With the other sign, P exp(+i∫A), the links are those of the potential −A, whose field
// strength −(∂A − ∂A) + εAA is no solution: 6.4 × 8π²/6 at ρ = 2 (docs/instantons.md).
//
// Along a straight line y(s) = y + s μ̂ both gauges have A_μ(y(s)) = f(|y(s)|²) n^a σ^a with the
// constant n^a = η_aμν y_ν (η_aμμ = 0), so the path ordering is trivial and the integral of f is
// elementary: instanton links are exact to round-off. path_ordered_exponential() is the
// general quadrature (for potentials whose direction turns along a link); the tests check that
// it converges to the exact links.
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

// The reduced action of one continuum instanton: S = 8π²/g² = β · 8π²/6 (SPEC §4).
inline constexpr double kInstantonAction = 8.0 * M_PI * M_PI / 6.0;

// A point of continuum space-time in lattice units; lattice site n sits at the point n.
using SpacetimePoint = std::array<double, 4>;

enum class InstantonGauge { regular, singular };

// "regular" or "singular"; throws std::invalid_argument naming the value otherwise.
InstantonGauge parse_instanton_gauge(std::string_view name);
std::string to_string(InstantonGauge gauge);

class BpstInstanton {
 public:
  // Throws std::invalid_argument for ρ not positive and finite, a non-finite centre, or, in the
  // singular gauge, a centre on a lattice line (three integer coordinates): the links through
  // it would be undefined.
  BpstInstanton(double rho, const SpacetimePoint& centre,
                InstantonGauge gauge = InstantonGauge::singular);

  double rho() const { return rho_; }
  const SpacetimePoint& centre() const { return centre_; }
  InstantonGauge gauge() const { return gauge_; }

  // A_μ(x) (Hermitian, traceless, upper-left 2×2 block).
  Matrix3d potential(const SpacetimePoint& x, int mu) const;
  // U_μ(x) = P exp(−i ∫_0^1 A_μ(x + s μ̂) ds), exact.
  SU3 link(const SpacetimePoint& x, int mu) const;

 private:
  double rho_;
  SpacetimePoint centre_;
  InstantonGauge gauge_;
};

// The hypercube centre nearest the middle of the lattice, c_μ = ⌊(L_μ − 1)/2⌋ + ½ (the middle
// itself for even L_μ): no link passes through it, and the faces are as far away as possible.
SpacetimePoint lattice_middle(const Geometry& g);

// U_μ(n) = instanton.link(n, μ) on every link, site n at the point n (0 <= n_μ <= L_μ − 1). The
// links that leave the box (n_μ = L_μ − 1) hold the continuum transporter to the point n + μ̂
// outside it: read periodically this is the periodically glued instanton, read with open
// boundaries (observables/Boundary.h) they are ignored.
GaugeField instanton_field(std::shared_ptr<const Geometry> geometry,
                           const BpstInstanton& instanton);

// The size ρ of one (anti-)instanton centred at `centre`, fitted to the clover charge density
// of the field: |q(x)| = N ρ⁴/(|y|² + ρ²)⁴ (BPST: N = 6/π², observables/Topology.h), y = x −
// centre by the minimum image, over the sites with |y| ≤ 2 (a window that stays inside a
// shrinking instanton and away from the box). Least squares in ln|q| with N free: the fit reads
// the shape, not the normalisation, which lattice artefacts and a flow change. Throws
// std::runtime_error if fewer than three sites in the window have q ≠ 0.
double fitted_instanton_size(const GaugeField& u, const SpacetimePoint& centre);

// A continuum gauge potential: (x, μ) ↦ A_μ(x), Hermitian traceless.
using GaugePotential = std::function<Matrix3d(const SpacetimePoint&, int)>;

// P exp(−i ∫_0^1 A_μ(x + s μ̂) ds) by the fourth-order Magnus integrator with two Gauss–Legendre
// nodes on each of `subdivisions` equal steps (Blanes, Casas, Oteo, Ros, Phys. Rep. 470 (2009)
// 151, sec. 5.2): a step of length h from s is exp(Ω) with
//   Ω = −i (h/2) (A(s₁) + A(s₂)) + (√3/12) h² [A(s₂), A(s₁)],  s₁,₂ = s + h (½ ∓ √3/6),
// the sign of the commutator being that of Y' = Y B (factors at larger s to the right). The
// global error falls like subdivisions⁻⁴. Throws std::invalid_argument for subdivisions < 1.
SU3 path_ordered_exponential(const GaugePotential& a, const SpacetimePoint& x, int mu,
                             int subdivisions);

}  // namespace fpgauge
