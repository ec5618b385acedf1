#pragma once
// The "fat-link" parametrization of the FP action (SPEC §2; Niedermayer, Rüfenacht, Wenger,
// Nucl. Phys. B 597 (2001) 413, hep-lat/0007007), the paper's "old parametrization":
//
//   A(U) = Σ_x Σ_{μ<ν} Σ_{1 ≤ k+l ≤ degree} p_kl u_μν(x)^k w_μν(x)^l,
//   u_μν(x) = Re tr(1 − P_μν(x))      the thin plaquette,
//   w_μν(x) = Re tr(1 − W_μν(x))      the plaquette of the fat links
//   W_μ(x)  = (1 − 6c) U_μ(x) + c Σ_{ν≠μ} [U_ν(x) U_μ(x+ν̂) U_ν(x+μ̂)† + (the one below)]
//           = (1 − 6c) U_μ(x) + c Σ_μ(x)†   (Σ_μ the staple sum of lattice/GaugeLoops.h),
//
// APE-type smearing without projection back to SU(3), so that A is a polynomial in the links
// and its force follows by the chain rule. W(1) = 1, hence u = w = 0 and A(1) = 0 exactly.
// What we take from NRW and what we choose [choice, SPEC §2]; the details of NRW's smearing
// are recalled, not checked against the paper's text (only its abstract was at hand) [verify]:
// * NRW's form: a polynomial in u and w without constant term, 0 < k + l ≤ 4 in their fits.
//   Their overall 1/N_c is absorbed into p_kl here (Wilson is c = 0, p_10 = 1/3).
// * NRW let the smearing weights depend on the local plaquette (polynomials in it) and weight
//   the staples of different orientations separately. We keep one constant c: A is linear in p for
//   fixed c, the fit is a linear least-squares problem plus a 1-D search in c
//   (train/FatLinkFit.h), and the coefficients file stays small. This is a restriction of
//   their ansatz; the comparison with the L-CNN states it.
//
// Coefficients file (JSON, written by save(), read by load() and make_action("fatlink:FILE")):
//   {"format": "fpgauge-fatlink", "format_version": 1, "c": C, "degree": D,
//    "coefficients": [{"k": K, "l": L, "p": P}, ...],   every monomial 1 ≤ k+l ≤ D once
//    "fit": {...}}                                        provenance: data, loss, c search
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "fpgauge/actions/Action.h"

namespace fpgauge {

class FatLinkAction final : public Action {
 public:
  struct Monomial {
    int k, l;  // the powers of u and w
  };
  static constexpr int kMaxDegree = 4;

  // The monomials of total degree 1..degree, ordered by total degree, then by decreasing k:
  // (1,0), (0,1), (2,0), (1,1), (0,2), ... Throws std::invalid_argument for degree outside
  // 1..kMaxDegree.
  static std::vector<Monomial> monomials(int degree);

  // `p` holds p_kl in the order of monomials(degree). Throws std::invalid_argument for a
  // degree outside 1..4, a c outside [0, 1/6] (beyond it the thin link enters the fat one with
  // a negative weight), a wrong number of coefficients or a non-finite value.
  FatLinkAction(double c, int degree, std::vector<double> p, nlohmann::json fit = {});

  // The action of a coefficients file's JSON (to_json()); throws std::invalid_argument naming
  // the key that is missing or malformed.
  static FatLinkAction from_json(const nlohmann::json& j);
  // Reads a coefficients file; throws std::runtime_error naming the file and the key that is
  // missing or malformed.
  static FatLinkAction load(const std::filesystem::path& file);
  // Writes the coefficients file (io/OutputFile.h: complete or not at all).
  void save(const std::filesystem::path& file, bool overwrite) const;
  nlohmann::json to_json() const;

  std::string name() const override { return "fatlink"; }
  nlohmann::json description() const override;
  double value(const GaugeField& u) const override;
  void force(const GaugeField& u, AlgebraField& d) const override;

  // The basis in which A is linear: f_m(U) = Σ_x Σ_{μ<ν} u^k w^l and D f_m(U) for every
  // monomial m of monomials(degree()), so A = Σ_m p_m f_m and D A = Σ_m p_m D f_m. The fat
  // links are computed once for all of them.
  struct Basis {
    std::vector<double> values;
    std::vector<AlgebraField> forces;
  };
  Basis basis(const GaugeField& u) const;

  // A/A_W for long-wavelength fields, the classical continuum limit (1 for the continuum's
  // normalisation, which every FP action has: A_FP/A_W → 1, docs/labels.md). For a slowly
  // varying field, per plaquette u ≈ ½ tr φ² with φ = a²F, and the unprojected fat links lose
  // norm, W_μ ≈ U_μ (1 − c Σ_{ν≠μ} φ_μν²) (up and down staple: e^{∓iφ} summed, the linear terms
  // cancel to O(a³)), so summed over the lattice Σ w = (1 + 24c) Σ u + O(a²); the monomials of
  // degree ≥ 2 are O(a⁸). Hence A/A_W → 3 [p_10 + (1 + 24c) p_01].
  double classical_normalisation() const;
  static double long_wavelength_fat_plaquette_ratio(double c) { return 1.0 + 24.0 * c; }

  double c() const { return c_; }
  int degree() const { return degree_; }
  const std::vector<double>& coefficients() const { return p_; }
  const nlohmann::json& fit() const { return fit_; }

 private:
  double c_;
  int degree_;
  std::vector<Monomial> monomials_;
  std::vector<double> p_;
  nlohmann::json fit_;
};

}  // namespace fpgauge
