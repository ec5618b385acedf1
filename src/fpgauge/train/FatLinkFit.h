#pragma once
// The baselines of the comparison (SPEC §2, §7): the fat-link ansatz (actions/FatLinkAction.h)
// fitted to FP labels, and the standard actions with their best overall rescale, both judged by
// the training loss of the L-CNN (SPEC §6), per configuration and averaged over the records:
//   L = (A − A_FP)²/A_FP² + λ Σ_{x,μ,a} (∂^a A − ∂^a A_FP)² / Σ (∂^a A_FP)²
// (train/TrainingLoss.h has the same L for the L-CNN, with its weight gradient; here for any
// Action and every dataset weight 1).
//
// Fit. For fixed smearing c the ansatz A = Σ_m p_m f_m is linear in p, so L is a linear
// least-squares problem: per record one row f_m/A_FP (target 1) and per link and colour one row
// sqrt(λ/N) ∂^a f_m (target sqrt(λ/N) ∂^a A_FP), N = Σ(∂A_FP)². It is solved by QR, never by
// the normal equations (they square the condition number, and the monomials u^k w^l are close to
// collinear for small c): the records' blocks are reduced one at a time onto the triangular
// factor of [rows | target] (a stacked, "tall-skinny" QR), so memory stays one record's rows.
// With `normalised` the fit keeps the classical continuum limit, A/A_W → 1 for long-wavelength
// fields (FatLinkAction::classical_normalisation(): p_10 + (1 + 24c) p_01 = 1/3): p = p⁰ + N q
// with p⁰ = (1/3, 0, …) and N spanning the null space of the constraint, least squares in q.
// Unconstrained, the fit to MC labels alone ends far from it (1.13 on the project's training
// sets, docs/results.md): nothing in rough fields fixes the smooth-field limit.
// c is then chosen on the validation loss: a scan of `scan_points` values over
// [c_min, c_max], refined by golden-section search in the bracket around the best.
#include <functional>
#include <string>
#include <vector>

#include "fpgauge/actions/Action.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/io/LabelDataset.h"

namespace fpgauge {

// The two terms of L averaged over the records, and their sum value + λ derivative.
struct LabelLoss {
  double value = 0.0;
  double derivative = 0.0;
  double total = 0.0;
};

// An action against the labels, per record: the moments from which L of s·A follows for any s,
//   ratio = A/A_FP,  overlap = Σ ∂A ∂A_FP / N,  norm = Σ (∂A)² / N,  N = Σ (∂A_FP)².
struct LabelComparison {
  double ratio = 0.0, overlap = 0.0, norm = 0.0;
  double weight = 1.0;  // the record's weight in the averages (its dataset's)
};

// Evaluates the action (value and force) on every record; `weights` (one per record, or empty
// for all 1) go into the comparisons. Throws std::invalid_argument naming
// the record's source for A_FP = 0, a zero or non-finite derivative label, or a derivative of
// the wrong size.
std::vector<LabelComparison> compare_with_labels(const Action& action,
                                                 const std::vector<LabelRecord>& records,
                                                 const std::vector<double>& weights = {});

// L of scale·A: mean (s·ratio − 1)² + λ mean (s² norm − 2 s overlap + 1), means weighted. The expanded
// derivative term carries an absolute rounding error of ~1e-16, far below any baseline's loss.
LabelLoss label_loss(const std::vector<LabelComparison>& comparisons, double lambda,
                     double scale = 1.0);

// The s minimising L of s·A (closed form: L is quadratic in s):
//   s = Σ w (ratio + λ overlap) / Σ w (ratio² + λ norm).
double best_rescale(const std::vector<LabelComparison>& comparisons, double lambda);

// The coefficients p minimising Σ_records weight·L for fixed c and degree on `records` (weights
// one per record, or empty for all 1; throws like compare_with_labels), with the classical
// normalisation imposed if `normalised`. Where the basis is degenerate (c = 0: w = u) the
// minimum-norm solution.
std::vector<double> fit_fat_link_coefficients(const std::vector<LabelRecord>& records,
                                              const std::vector<double>& weights, double c,
                                              int degree, double lambda, bool normalised);

struct FatLinkFitOptions {
  int degree = 4;
  double lambda = 1.0;
  bool normalised = true;     // A/A_W → 1 for long-wavelength fields
  double c_min = 0.0, c_max = 1.0 / 6.0;
  int scan_points = 9;        // ≥ 2, including both ends
  double c_tolerance = 1e-4;  // width of the final golden-section bracket
};

// One value of c tried: the fitted coefficients and the losses of the result.
struct FatLinkFitPoint {
  double c = 0.0;
  std::vector<double> p;
  LabelLoss training, validation;
};

struct FatLinkFitResult {
  FatLinkFitPoint best;                // smallest validation loss
  std::vector<FatLinkFitPoint> tried;  // in the order tried
};

// The number of values of c that fit_fat_link tries (for progress reports).
int fat_link_fit_evaluations(const FatLinkFitOptions& options);

// Scan + golden section over c (see above); the training loss weighted, the validation loss not. `on_point` (optional) is called after every c with
// the point and how many have been tried. Throws std::invalid_argument for options out of range
// or an empty record set.
using FatLinkFitObserver = std::function<void(const FatLinkFitPoint&, int)>;
FatLinkFitResult fit_fat_link(const std::vector<LabelRecord>& training,
                              const std::vector<double>& training_weights,
                              const std::vector<LabelRecord>& validation,
                              const FatLinkFitOptions& options,
                              const FatLinkFitObserver& on_point = {});

}  // namespace fpgauge
