#pragma once
// The RG blocking kernel of the FP equation (SPEC §3). A coarse link V_μ(n) (coarse spacing 2a)
// is tied to the fine links U by the blocked link
//     Q_μ(n) = Σ_p c_p · (product of fine links along p from 2n to 2n + 2μ̂),   Σ_p c_p = 1,
// and the kernel
//     T(U,V) = (κ/3) Σ_{n,μ} [ max_{W∈SU(3)} Re tr(W Q_μ(n)†) − Re tr(V_μ(n) Q_μ(n)†) ] ≥ 0.
//
// Path tables. A path is written with the tokens "mu" (one fine step along the blocked
// direction μ), and transverse letters "nu", "rho", "sigma", each preceded by "-" for the
// reverse step. Every letter runs independently over the six signed directions ±ν̂, ν ≠ μ
// (letters may coincide), so "nu mu mu -nu" is the six staples around the double link. The
// coefficient is that of every path of the expansion; the expansion must end at 2μ̂ and its
// coefficients sum to 1, so that Q(1) = 1 and T(1,1) = 0.
//
// Derivatives (SPEC §1 convention, D = Σ_a t^a ∂^a). With W* the maximiser (fixed by the envelope
// theorem) and M = (κ/3)(W* − V), T varies like Re tr(δQ M†). Coarse links:
//     D_{n,μ}^V T = −(κ/3) lie_gradient(V Q†),
// which at the minimiser U* of A(U) + T(U,V) is the FP action's derivative. Fine links: for a
// path L_1 ⋯ L_m with prefix products P_k = L_1⋯L_k and suffixes S_k = L_{k+1}⋯L_m,
//     forward link  L_k = U_l:   ∂^a = c Re tr(i t^a S_{k−1} M† P_{k−1}),
//     backward link L_k = U_l†:  ∂^a = −c Re tr(i t^a S_k M† P_k).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/PathProduct.h"

namespace fpgauge {

struct KernelPath {
  std::string path;  // e.g. "nu mu mu -nu"
  double coefficient;
};

class BlockingKernel {
 public:
  // Throws std::invalid_argument naming the path for an unknown token, a path that does not
  // end at 2μ̂, a non-finite coefficient or κ ≤ 0, and for coefficients that do not sum to 1.
  BlockingKernel(std::string name, std::vector<KernelPath> paths, double kappa);

  // DeGrand et al. type: the double link with weight 1 − 6c and the six staples around it,
  // weight c each.
  static BlockingKernel degrand(double c, double kappa);
  // The product of two locally smeared links S_μ(x) S_μ(x+μ̂), with
  // S_μ(x) = (1 − 6c) U_μ(x) + c Σ_{±ν} U_ν(x) U_μ(x+ν̂) U_ν(x+μ̂)†, expanded into paths.
  static BlockingKernel smeared(double c, double kappa);

  const std::string& name() const { return name_; }
  double kappa() const { return kappa_; }
  const std::vector<KernelPath>& paths() const { return paths_; }
  nlohmann::json description() const;

  // The coarse geometry of a fine one: every extent halved (fine extents must be even and at
  // least 4; std::invalid_argument otherwise).
  static std::shared_ptr<const Geometry> coarse_geometry(const Geometry& fine);
  // The fine site 2n of the coarse site n.
  static SiteIndex block_site(const Geometry& fine, const Geometry& coarse, SiteIndex n);

  // Q_μ(n) for every coarse link; `coarse` is the coarse geometry of u's.
  AlgebraField blocked_links(const GaugeField& u, std::shared_ptr<const Geometry> coarse) const;

  // T(U,V).
  double value(const GaugeField& u, const GaugeField& v) const;
  // T(U,V) and its gradient with respect to the fine links, d_l = D_l T.
  double value_and_fine_force(const GaugeField& u, const GaugeField& v, AlgebraField& d) const;
  // D_{n,μ}^V T(U,V) for every coarse link.
  void coarse_force(const GaugeField& u, const GaugeField& v, AlgebraField& d) const;

 private:
  struct ExpandedPath {
    std::vector<Step> steps;
    double coefficient;
  };
  // Q and M = (κ/3)(W* − V) of one coarse link, and its contribution to T.
  struct CoarseLinkTerms;

  void check_geometries(const GaugeField& u, const GaugeField& v) const;

  std::string name_;
  std::vector<KernelPath> paths_;
  double kappa_;
  std::array<std::vector<ExpandedPath>, kDimensions> expanded_;  // per blocked direction μ
  // How far the paths of one coarse link reach from 2n, per direction: fine link base sites lie
  // in [2n − reach_below, 2n + reach_above]; coarse links whose ranges do not overlap can
  // accumulate their fine-link derivatives concurrently.
  Coordinates reach_below_{}, reach_above_{};
};

}  // namespace fpgauge
