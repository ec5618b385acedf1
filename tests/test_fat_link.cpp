// The fat-link FP ansatz (actions/FatLinkAction.h): force against finite differences, gauge
// invariance, A(1) = 0, the Wilson limit, the basis, the coefficients file; and its fit and the
// rescaled standard actions (train/FatLinkFit.h).
#include <gtest/gtest.h>

#include <cmath>

#include "LabelTestSupport.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/train/FatLinkFit.h"

namespace fpgauge {
namespace {

// Degree 4, every coefficient nonzero, the higher powers smaller (u and w reach ~6 on rough
// fields): every term of the force is exercised.
FatLinkAction full_test_action(double c = 0.11) {
  std::vector<double> p;
  for (const auto& [k, l] : FatLinkAction::monomials(4))
    p.push_back((0.3 + 0.07 * k - 0.05 * l) / std::pow(3.0, k + l - 1));
  return FatLinkAction(c, 4, p);
}

double max_norm(const AlgebraField& d) {
  double worst = 0;
  for (SiteIndex l = 0; l < d.size(); ++l) worst = std::max(worst, std::sqrt(norm2(d[l])));
  return worst;
}

TEST(FatLinkAction, MonomialsInOrder) {
  const auto m = FatLinkAction::monomials(2);
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0].k, 1);
  EXPECT_EQ(m[0].l, 0);
  EXPECT_EQ(m[1].k, 0);
  EXPECT_EQ(m[1].l, 1);
  EXPECT_EQ(m[4].k, 0);
  EXPECT_EQ(m[4].l, 2);
  EXPECT_EQ(FatLinkAction::monomials(4).size(), 14u);
  EXPECT_THROW(FatLinkAction::monomials(5), std::invalid_argument);
  EXPECT_THROW(FatLinkAction(0.2, 1, {1.0, 1.0}), std::invalid_argument);   // c > 1/6
  EXPECT_THROW(FatLinkAction(0.1, 1, {1.0}), std::invalid_argument);        // too few p
  EXPECT_THROW(FatLinkAction(0.1, 1, {1.0, NAN}), std::invalid_argument);  // not finite
}

TEST(FatLinkAction, UnitFieldHasZeroActionAndForce) {
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = unit_gauge_field(geometry);
  const FatLinkAction action = full_test_action();
  EXPECT_EQ(action.value(u), 0.0);
  AlgebraField d;
  action.force(u, d);
  EXPECT_EQ(max_norm(d), 0.0);
}

TEST(FatLinkAction, ForceMatchesFiniteDifferences) {
  const auto geometry = Geometry::make({3, 4, 3, 4});
  const FatLinkAction action = full_test_action();
  // near-unit (weak coupling) and fully random (strong coupling) fields
  for (const double amplitude : {0.2, 3.0}) {
    const GaugeField u = test::near_unit_gauge_field(geometry, 31, amplitude);
    AlgebraField d;
    action.force(u, d);
    const double scale = max_norm(d);
    ASSERT_GT(scale, 0.0);
    auto f = [&](const GaugeField& v) { return action.value(v); };
    double worst = 0;
    for (const SiteIndex link : {SiteIndex(0), SiteIndex(6), SiteIndex(77), SiteIndex(230),
                                 u.size() - 1}) {
      const Algebra<double> analytic = matrix_to_algebra(d[link]);
      for (int a = 0; a < 8; ++a) {
        const double numeric = test::finite_difference_lie_derivative(f, u, link, a, 5e-4);
        worst = std::max(worst, std::abs(analytic[a] - numeric));
      }
    }
    EXPECT_LT(worst / scale, 1e-9) << "amplitude " << amplitude;
  }
}

TEST(FatLinkAction, GaugeInvariantAndForceCovariant) {
  const auto geometry = Geometry::make({4, 4, 4, 6});
  const FatLinkAction action = full_test_action();
  const GaugeField u = random_gauge_field(geometry, 41);
  const GaugeTransformation omega = random_gauge_transformation(geometry, 42);
  const GaugeField v = gauge_transformed(u, omega);
  const double a = action.value(u), b = action.value(v);
  EXPECT_NEAR(b, a, 1e-12 * std::abs(a));
  // D(ΩU)_μ(x) = Ω(x) D(U)_μ(x) Ω(x)†, checked matrix by matrix.
  AlgebraField du, dv;
  action.force(u, du);
  action.force(v, dv);
  const double scale = max_norm(du);
  double worst = 0;
  for (SiteIndex s = 0; s < geometry->volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu) {
      const Matrix3d rotated = mul_adj(omega[s] * du(s, mu), omega[s]);
      worst = std::max(worst, std::sqrt(norm2(dv(s, mu) - rotated)));
    }
  EXPECT_LT(worst, 1e-12 * scale);
}

TEST(FatLinkAction, WithoutSmearingAndOnlyP10ItIsWilson) {
  const auto geometry = Geometry::make({4, 4, 3, 4});
  const GaugeField u = test::near_unit_gauge_field(geometry, 51, 1.0);
  std::vector<double> p(FatLinkAction::monomials(3).size(), 0.0);
  p[0] = 1.0 / 3.0;  // p_10
  const FatLinkAction fat(0.0, 3, p);
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const double expected = wilson.value(u);
  EXPECT_NEAR(fat.value(u), expected, 1e-13 * expected);
  AlgebraField df, dw;
  fat.force(u, df);
  wilson.force(u, dw);
  double worst = 0;
  for (SiteIndex l = 0; l < df.size(); ++l)
    worst = std::max(worst, std::sqrt(norm2(df[l] - dw[l])));
  EXPECT_LT(worst, 1e-13 * max_norm(dw));
  // With c = 0 the fat links are the thin ones: p_01 = 1/3 is Wilson as well.
  std::vector<double> q(p.size(), 0.0);
  q[1] = 1.0 / 3.0;
  EXPECT_NEAR(FatLinkAction(0.0, 3, q).value(u), expected, 1e-13 * expected);
}

TEST(FatLinkAction, BasisReproducesValueAndForce) {
  const auto geometry = Geometry::make({4, 3, 4, 3});
  const GaugeField u = test::near_unit_gauge_field(geometry, 61, 1.5);
  const FatLinkAction action = full_test_action(0.07);
  const FatLinkAction::Basis basis = action.basis(u);
  const auto& p = action.coefficients();
  ASSERT_EQ(basis.values.size(), p.size());
  ASSERT_EQ(basis.forces.size(), p.size());
  double value = 0;
  for (std::size_t m = 0; m < p.size(); ++m) value += p[m] * basis.values[m];
  const double expected = action.value(u);
  EXPECT_NEAR(value, expected, 1e-12 * std::abs(expected));
  AlgebraField d;
  action.force(u, d);
  double worst = 0;
  for (SiteIndex l = 0; l < d.size(); ++l) {
    Matrix3d sum = Matrix3d::zero();
    for (std::size_t m = 0; m < p.size(); ++m) sum += p[m] * basis.forces[m][l];
    worst = std::max(worst, std::sqrt(norm2(sum - d[l])));
  }
  EXPECT_LT(worst, 1e-12 * max_norm(d));
  // f_10 is Σ u = 3 A_W whatever c is.
  EXPECT_NEAR(basis.values[0], 3.0 * GaugeLoopAction::wilson().value(u), 1e-12 * basis.values[0]);
}

// The classical normalisation 3 [p_10 + (1 + 24c) p_01] is the long-wavelength limit of A/A_W:
// measured on plane waves (p² artefacts extrapolated away). Without the fat links' loss of norm
// (the 24c) the prediction would be off by 40% here.
TEST(FatLinkAction, ClassicalNormalisationIsTheLongWavelengthLimit) {
  for (const double c : {0.0, 0.05, 0.11}) {
    const FatLinkAction action = full_test_action(c);
    const evaluation::ClassicalNormalisation n = evaluation::classical_normalisation(action);
    EXPECT_NEAR(n.extrapolated, action.classical_normalisation(),
                1e-4 * std::abs(action.classical_normalisation()))
        << "c = " << c;
    // the p² law: the shorter wave is about 4 times as far from the limit
    if (c > 0) {
      EXPECT_NEAR((n.ratio_short - n.extrapolated) / (n.ratio_long - n.extrapolated), 4.0, 0.1);
    }
  }
  // Wilson is its own limit
  const FatLinkAction wilson(0.0, 1, {1.0 / 3.0, 0.0});
  EXPECT_NEAR(wilson.classical_normalisation(), 1.0, 1e-15);
  EXPECT_NEAR(evaluation::classical_normalisation(wilson).ratio_short, 1.0, 1e-9);
}

TEST(FatLinkAction, CoefficientsFileRoundTripAndFactory) {
  test::ScratchDirectory scratch;
  const auto file = scratch.path() / "fatlink.json";
  const FatLinkAction plain = full_test_action();
  const FatLinkAction action(plain.c(), plain.degree(), plain.coefficients(),
                             {{"data", "labels.h5"}});
  action.save(file, false);
  EXPECT_THROW(action.save(file, false), std::runtime_error);  // never overwrites unasked
  const auto loaded = make_action("fatlink:" + file.string());
  const auto geometry = Geometry::make({3, 3, 3, 3});
  const GaugeField u = test::near_unit_gauge_field(geometry, 71, 1.0);
  EXPECT_EQ(loaded->value(u), action.value(u));
  EXPECT_EQ(loaded->name(), "fatlink");
  EXPECT_EQ(FatLinkAction::load(file).fit(), action.fit());
  // the description fixes the action; the fit's provenance stays in the file
  EXPECT_EQ(loaded->description()["c"], plain.c());
  EXPECT_EQ(loaded->description()["coefficients"].size(), 14u);
  EXPECT_FALSE(loaded->description().contains("fit"));

  test::write_bytes(file, R"({"format": "fpgauge-fatlink", "format_version": 1, "c": 0.1,
    "degree": 1, "coefficients": [{"k": 1, "l": 0, "p": 0.3}]})");
  try {
    FatLinkAction::load(file);
    FAIL() << "a missing coefficient was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("p_01 is missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  for (const char* broken : {"{not json", R"({"format": 5})", "[1, 2]",
                             R"({"format": "fpgauge-fatlink", "format_version": "1"})"}) {
    test::write_bytes(file, broken);
    EXPECT_THROW(FatLinkAction::load(file), std::runtime_error) << broken;
  }
  EXPECT_THROW(make_action("fatlink:"), std::invalid_argument);
}

// Labels made by an action instead of an FP minimisation: A_FP = scale·A, ∂A_FP = scale·∂A.
std::vector<LabelRecord> labels_of(const Action& action, std::shared_ptr<const Geometry> geometry,
                                   std::uint64_t seed, std::initializer_list<double> amplitudes,
                                   double scale = 1.0) {
  std::vector<LabelRecord> records;
  for (const double amplitude : amplitudes) {
    const std::string source =
        "seed " + std::to_string(seed) + " amplitude " + std::to_string(amplitude);
    records.push_back(test::action_label(
        action, test::near_unit_gauge_field(geometry, seed++, amplitude), source, scale));
  }
  return records;
}

TEST(FatLinkFit, RecoversTheCoefficientsOfKnownLabels) {
  const auto geometry = Geometry::make({3, 3, 3, 3});
  const FatLinkAction truth = full_test_action(0.09);
  // rough fields, where every power of u and w matters
  const auto records = labels_of(truth, geometry, 81, {0.8, 1.5, 3.0});
  const std::vector<double> p = fit_fat_link_coefficients(records, {}, 0.09, 4, 0.7, false);
  ASSERT_EQ(p.size(), truth.coefficients().size());
  double largest = 0;
  for (const double x : truth.coefficients()) largest = std::max(largest, std::abs(x));
  for (std::size_t m = 0; m < p.size(); ++m)
    EXPECT_NEAR(p[m], truth.coefficients()[m], 1e-8 * largest) << "monomial " << m;
}

// The normalised fit keeps A/A_W → 1 exactly, whatever the labels; on labels of a normalised
// truth it recovers the truth, on labels of another it is the best normalised approximation
// (its loss above the free fit's, which recovers the truth; on these rough fields only by 4e-11:
// the higher monomials make up for the normalisation, which rough fields hardly see).
TEST(FatLinkFit, NormalisedFitKeepsTheClassicalContinuumLimit) {
  const auto geometry = Geometry::make({3, 3, 3, 3});
  const double c = 0.09;
  FatLinkAction free_truth = full_test_action(c);
  std::vector<double> p = free_truth.coefficients();
  ASSERT_GT(std::abs(free_truth.classical_normalisation() - 1.0), 0.1);
  p[0] = 1.0 / 3.0 - FatLinkAction::long_wavelength_fat_plaquette_ratio(c) * p[1];
  const FatLinkAction normalised_truth(c, 4, p);
  ASSERT_NEAR(normalised_truth.classical_normalisation(), 1.0, 1e-14);

  const auto records = labels_of(normalised_truth, geometry, 83, {0.8, 1.5, 3.0});
  const std::vector<double> fitted = fit_fat_link_coefficients(records, {}, c, 4, 0.7, true);
  for (std::size_t m = 0; m < p.size(); ++m) EXPECT_NEAR(fitted[m], p[m], 1e-8) << "monomial " << m;

  const auto other = labels_of(free_truth, geometry, 85, {0.8, 1.5, 3.0});
  const FatLinkAction constrained(c, 4, fit_fat_link_coefficients(other, {}, c, 4, 0.7, true));
  const FatLinkAction unconstrained(c, 4, fit_fat_link_coefficients(other, {}, c, 4, 0.7, false));
  EXPECT_NEAR(constrained.classical_normalisation(), 1.0, 1e-12);
  EXPECT_NEAR(unconstrained.classical_normalisation(), free_truth.classical_normalisation(), 1e-8);
  const double loss_constrained = label_loss(compare_with_labels(constrained, other), 0.7).total;
  const double loss_free = label_loss(compare_with_labels(unconstrained, other), 0.7).total;
  EXPECT_LT(loss_free, 1e-16);
  EXPECT_GT(loss_constrained, loss_free);
}

// A dataset weight w counts a record w times: weight 2 is the record listed twice, in the fit,
// the loss and the rescale.
TEST(FatLinkFit, WeightsCountRecordsMoreOften) {
  const auto geometry = Geometry::make({3, 3, 3, 3});
  const auto records = labels_of(full_test_action(0.07), geometry, 87, {0.9, 2.0});
  auto twice = records;
  twice.push_back(records[1]);
  const std::vector<double> weights = {1.0, 2.0};
  const auto weighted = fit_fat_link_coefficients(records, weights, 0.1, 2, 0.5, true);
  const auto repeated = fit_fat_link_coefficients(twice, {}, 0.1, 2, 0.5, true);
  const auto plain = fit_fat_link_coefficients(records, {}, 0.1, 2, 0.5, true);
  double difference = 0;
  for (std::size_t m = 0; m < weighted.size(); ++m) {
    EXPECT_NEAR(weighted[m], repeated[m], 1e-10 * std::abs(repeated[m]) + 1e-14) << m;
    difference = std::max(difference, std::abs(weighted[m] - plain[m]));
  }
  EXPECT_GT(difference, 1e-6);  // the weight matters
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const auto on_weighted = compare_with_labels(wilson, records, weights);
  const auto on_repeated = compare_with_labels(wilson, twice);
  EXPECT_NEAR(label_loss(on_weighted, 0.5).total, label_loss(on_repeated, 0.5).total, 1e-14);
  EXPECT_NEAR(best_rescale(on_weighted, 0.5), best_rescale(on_repeated, 0.5), 1e-14);
  EXPECT_THROW(compare_with_labels(wilson, records, {1.0}), std::invalid_argument);
  EXPECT_THROW(compare_with_labels(wilson, records, {1.0, 0.0}), std::invalid_argument);
}

TEST(FatLinkFit, FindsTheSmearingOnValidationLabels) {
  const auto geometry = Geometry::make({3, 3, 3, 3});
  const double c = 0.0713;
  std::vector<double> p(FatLinkAction::monomials(2).size());
  for (std::size_t m = 0; m < p.size(); ++m) p[m] = 0.2 - 0.03 * m;
  const FatLinkAction truth(c, 2, p);
  const auto training = labels_of(truth, geometry, 91, {0.8, 2.0});
  const auto validation = labels_of(truth, geometry, 95, {1.2});
  FatLinkFitOptions options;
  options.degree = 2;
  options.normalised = false;  // the truth is not normalised
  options.c_min = 0.02;
  options.c_max = 0.16;
  options.scan_points = 8;
  options.c_tolerance = 1e-5;
  int calls = 0;
  const FatLinkFitResult fit =
      fit_fat_link(training, {}, validation, options, [&](const FatLinkFitPoint&, int done) {
        EXPECT_EQ(done, ++calls);
      });
  EXPECT_EQ(calls, fat_link_fit_evaluations(options));
  EXPECT_EQ(static_cast<int>(fit.tried.size()), calls);
  EXPECT_NEAR(fit.best.c, c, 1e-4);
  EXPECT_LT(fit.best.validation.total, 1e-8);
  for (const FatLinkFitPoint& point : fit.tried)
    EXPECT_GE(point.validation.total, fit.best.validation.total);
}

TEST(FatLinkFit, LossMomentsEqualTheLossByDefinition) {
  const auto geometry = Geometry::make({3, 4, 3, 3});
  const auto records = labels_of(GaugeLoopAction::wilson(), geometry, 101, {0.5, 1.0, 2.0});
  const GaugeLoopAction symanzik = GaugeLoopAction::symanzik();
  const double lambda = 0.3, s = 0.8;
  double value = 0, derivative = 0;  // SPEC §6, term by term, for s·A_Symanzik
  for (const LabelRecord& r : records) {
    const double a = s * symanzik.value(r.configuration);
    value += (a - r.action) * (a - r.action) / (r.action * r.action);
    AlgebraField d;
    symanzik.force(r.configuration, d);
    double residual = 0, norm = 0;
    for (SiteIndex l = 0; l < d.size(); ++l) {
      const Algebra<double> h = matrix_to_algebra(d[l]);
      for (int a = 0; a < 8; ++a) {
        residual += std::pow(s * h[a] - r.derivative[l][a], 2);
        norm += r.derivative[l][a] * r.derivative[l][a];
      }
    }
    derivative += residual / norm;
  }
  value /= records.size();
  derivative /= records.size();
  const LabelLoss loss = label_loss(compare_with_labels(symanzik, records), lambda, s);
  EXPECT_NEAR(loss.value, value, 1e-14);
  EXPECT_NEAR(loss.derivative, derivative, 1e-14);
  EXPECT_NEAR(loss.total, value + lambda * derivative, 1e-14);
}

TEST(FatLinkFit, BestRescale) {
  const auto geometry = Geometry::make({3, 3, 4, 3});
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  // Labels 2 A_W: s A_W matches them for s = 2; labels A_W/2: s = 1/2. Exactly: every scaling
  // by a power of two is exact in binary floating point, so ratio, overlap and norm are exactly
  // 1/s, 1/s and 1/s².
  for (const double scale : {2.0, 0.5}) {
    const auto comparisons =
        compare_with_labels(wilson, labels_of(wilson, geometry, 111, {0.4, 1.1}, scale));
    const double s = best_rescale(comparisons, 1.0);
    EXPECT_EQ(s, scale);
    EXPECT_EQ(label_loss(comparisons, 1.0, s).value, 0.0);
    EXPECT_GT(label_loss(comparisons, 1.0).total, 0.1);
  }
  // Another action: s is the minimum of the quadratic L(s).
  const auto comparisons = compare_with_labels(
      GaugeLoopAction::iwasaki(), labels_of(wilson, geometry, 121, {0.4, 1.1, 2.5}));
  const double s = best_rescale(comparisons, 0.5);
  const double at = label_loss(comparisons, 0.5, s).total;
  EXPECT_LT(at, label_loss(comparisons, 0.5, s * (1 + 1e-4)).total);
  EXPECT_LT(at, label_loss(comparisons, 0.5, s * (1 - 1e-4)).total);
}

TEST(FatLinkFit, RejectsUnusableLabels) {
  const auto geometry = Geometry::make({3, 3, 3, 3});
  auto records = labels_of(GaugeLoopAction::wilson(), geometry, 131, {1.0});
  records[0].action = 0.0;
  try {
    compare_with_labels(GaugeLoopAction::wilson(), records);
    FAIL() << "A_FP = 0 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(records[0].source), std::string::npos) << e.what();
  }
  records = labels_of(GaugeLoopAction::wilson(), geometry, 131, {1.0});
  records[0].derivative.pop_back();
  EXPECT_THROW(fit_fat_link_coefficients(records, {}, 0.1, 2, 1.0, true), std::invalid_argument);
  EXPECT_THROW(fit_fat_link_coefficients({}, {}, 0.1, 2, 1.0, true), std::invalid_argument);
}

}  // namespace
}  // namespace fpgauge
