// L-CNN engine: the architecture text, exact symmetries (gauge, translation, volume), A_θ(1) = 0,
// and every derivative (link force, weight gradient, Hessian-vector product) against central
// finite differences, layer type by layer type and for a whole model; the training pass
// (LcnnTrainingPass) against the model's separate calls and finite differences; model files.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <functional>
#include <tuple>

#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/core/Dual.h"
#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/nn/LcnnEvaluation.h"
#include "fpgauge/nn/LcnnModel.h"
#include "fpgauge/nn/LcnnTrainingPass.h"

namespace fpgauge::nn {
namespace {

// max_k |analytic_k − numeric_k| / max_k |numeric_k| over the components compared.
class RelativeError {
 public:
  void add(double analytic, double numeric) {
    worst_ = std::max(worst_, std::abs(analytic - numeric));
    scale_ = std::max(scale_, std::abs(numeric));
  }
  double value() const { return worst_ / scale_; }

 private:
  double worst_ = 0.0, scale_ = 0.0;
};

double central_difference(const std::function<double(double)>& f, double h) {
  return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h);
}

AlgebraField random_algebra_field(std::shared_ptr<const Geometry> geometry, std::uint64_t seed) {
  AlgebraField r(std::move(geometry));
  for (SiteIndex l = 0; l < r.size(); ++l) {
    RngStream rng(seed, RngPurpose::test, 1, static_cast<std::uint64_t>(l));
    Algebra<double> h;
    for (double& x : h) x = rng.normal();
    r[l] = algebra_to_matrix(h);
  }
  return r;
}

// Σ_{x,μ,a} r^a ∂^a A from the force D = Σ_a t^a ∂^a A.
double projected_derivative(const AlgebraField& r, const AlgebraField& d) {
  double sum = 0.0;
  for (SiteIndex l = 0; l < r.size(); ++l) {
    const Algebra<double> ra = matrix_to_algebra(r[l]), da = matrix_to_algebra(d[l]);
    for (int a = 0; a < kAlgebraDim; ++a) sum += ra[a] * da[a];
  }
  return sum;
}

// Weights to check: the first, middle and last of every layer's block and of the head.
std::vector<std::size_t> sample_weights(const Architecture& arch) {
  std::vector<std::size_t> picks;
  std::size_t begin = 0;
  auto block = [&](std::int64_t count) {
    if (count == 0) return;
    for (const std::int64_t k : {std::int64_t(0), count / 2, count - 1})
      picks.push_back(begin + static_cast<std::size_t>(k));
    begin += static_cast<std::size_t>(count);
  };
  for (std::size_t i = 0; i < arch.layers.size(); ++i) block(arch.layer_parameter_count(i));
  block(arch.head_parameter_count());
  return picks;
}

GaugeField shifted_field(const GaugeField& u, const Coordinates& shift) {
  const Geometry& g = u.geometry();
  GaugeField v(u.geometry_ptr());
  for (SiteIndex s = 0; s < g.volume(); ++s) {
    Coordinates x = g.coordinates(s);
    for (int mu = 0; mu < kDimensions; ++mu) x[mu] += shift[mu];
    for (int mu = 0; mu < kDimensions; ++mu) v(g.site(x), mu) = u(s, mu);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Architecture text

TEST(LcnnArchitecture, ParsesAndPrintsTheCanonicalForm) {
  const Architecture arch = Architecture::parse(
      "input plaquettes   # the six planes\n"
      "lcb 12\n"
      "act tanh; lcb 8 dilation=2 reach=3 ; act sigmoid\n"
      "trace; mlp 16 16");
  EXPECT_EQ(arch.to_string(),
            "input plaquettes; lcb 12 reach=1 dilation=1; act tanh; lcb 8 reach=3 dilation=2; "
            "act sigmoid; trace; mlp 16 16 act=tanh");
  EXPECT_EQ(Architecture::parse(arch.to_string()), arch);
  EXPECT_EQ(arch.output_channels(), 8);
  const Architecture centred =
      Architecture::parse("input plaquettes centred rectangles; trace; mlp");
  EXPECT_EQ(centred.to_string(), "input plaquettes rectangles centred; trace; mlp act=tanh");
  EXPECT_TRUE(centred.input.centred && centred.input.rectangles);
  EXPECT_EQ(Architecture::parse(centred.to_string()), centred);
}

TEST(LcnnArchitecture, ParameterCountAndReceptiveField) {
  const Architecture arch =
      Architecture::parse("input plaquettes; lcb 12; act tanh; lcb 12 reach=2; trace; mlp 16");
  // L-CB: N (2C+1) (2 C (1+8R) + 1); MLP: (24+1)·16 + (16+1)·1.
  const std::int64_t lcb1 = 12 * 13 * (2 * 6 * 9 + 1), lcb2 = 12 * 25 * (2 * 12 * 17 + 1);
  EXPECT_EQ(arch.layer_parameter_count(0), lcb1);
  EXPECT_EQ(arch.layer_parameter_count(1), 0);
  EXPECT_EQ(arch.layer_parameter_count(2), lcb2);
  EXPECT_EQ(arch.parameter_count(), lcb1 + lcb2 + 25 * 16 + 17);
  EXPECT_EQ(arch.max_transport_length(), 2);
  EXPECT_EQ(arch.receptive_field(), (ReceptiveField{3, 4}));
  EXPECT_EQ(Architecture::parse("input plaquettes rectangles; trace; mlp").receptive_field(),
            (ReceptiveField{0, 2}));
}

TEST(LcnnArchitecture, DiagonalOffsets) {
  const Architecture arch =
      Architecture::parse("input plaquettes; lcb 4 reach=0 diagonals; lcb 2 diagonals; trace; mlp");
  EXPECT_EQ(arch.to_string(),
            "input plaquettes; lcb 4 reach=0 dilation=1 diagonals; "
            "lcb 2 reach=1 dilation=1 diagonals; trace; mlp act=tanh");
  EXPECT_EQ(Architecture::parse(arch.to_string()), arch);
  EXPECT_TRUE(arch.uses_diagonals());
  // offsets: 1 + 24, then 1 + 8 + 24
  EXPECT_EQ(arch.layer_parameter_count(0), 4 * 13 * (2 * 6 * 25 + 1));
  EXPECT_EQ(arch.layer_parameter_count(1), 2 * 9 * (2 * 4 * 33 + 1));
  EXPECT_EQ(arch.receptive_field(), (ReceptiveField{2, 3}));
  EXPECT_FALSE(Architecture::parse("input plaquettes; lcb 4; trace; mlp").uses_diagonals());
  EXPECT_THROW(Architecture::parse("input plaquettes; lcb 4 diagonals diagonals; trace; mlp"),
               std::invalid_argument);
}

TEST(LcnnArchitecture, RejectsMalformedTextNamingTheItem) {
  auto message = [](const std::string& text) {
    try {
      Architecture::parse(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("").find("empty"), std::string::npos);
  EXPECT_NE(message("lcb 3; trace; mlp").find("item 1"), std::string::npos);
  EXPECT_NE(message("input plaquettes; lcb x; trace; mlp").find("item 2 'lcb x'"),
            std::string::npos);
  EXPECT_NE(message("input plaquettes; lcb 3 reach=-1; trace; mlp").find("reach"),
            std::string::npos);
  EXPECT_NE(message("input plaquettes; lcb 3 size=2; trace; mlp").find("unknown option 'size'"),
            std::string::npos);
  EXPECT_NE(message("input plaquettes; act relu; trace; mlp").find("unknown activation"),
            std::string::npos);
  EXPECT_NE(message("input plaquettes; lcb 3").find("incomplete"), std::string::npos);
  EXPECT_NE(message("input plaquettes; trace; mlp; lcb 2").find("nothing may follow"),
            std::string::npos);
  EXPECT_NE(message("input hexagons; trace; mlp").find("item 1"), std::string::npos);
  EXPECT_NE(message("input plaquettes circles; trace; mlp").find("unknown input option 'circles'"),
            std::string::npos);
  EXPECT_NE(message("input plaquettes centred centred; trace; mlp").find("given twice"),
            std::string::npos);
}

TEST(WilsonLines, DiagonalTransportIsTheMeanOfTheTwoShortestPaths) {
  // Against lattice/PathProduct.h: D_d(x) = ½ [path a then b + path b then a], both ending at
  // x + d; the 24 offsets reach 24 different sites, and the opposite offset leads back.
  const auto geometry = Geometry::make({3, 4, 5, 3});
  const GaugeField u = random_gauge_field(geometry, 23);
  const WilsonLines<double> lines(u, 1, true);
  constexpr auto offsets = diagonal_offsets();
  double worst = 0.0;
  for (const SiteIndex s : {SiteIndex(0), SiteIndex(37), geometry->volume() - 1}) {
    std::vector<SiteIndex> ends;
    for (int d = 0; d < kDiagonals; ++d) {
      const auto [a, b] = offsets[d];
      SiteIndex end_ab = 0, end_ba = 0;
      const SU3 mean =
          0.5 * (path_product(u, s, {a, b}, &end_ab) + path_product(u, s, {b, a}, &end_ba));
      ASSERT_EQ(end_ab, end_ba);
      EXPECT_EQ(lines.diagonal_shifted(d, s), end_ab) << d;
      EXPECT_EQ(lines.diagonal_shifted(opposite_diagonal(d), end_ab), s) << d;
      worst = std::max(worst, norm2(lines.diagonal_line(d, s) - mean));
      ends.push_back(end_ab);
    }
    std::ranges::sort(ends);
    EXPECT_EQ(std::ranges::adjacent_find(ends), ends.end());
  }
  EXPECT_LT(std::sqrt(worst), 1e-14);
}

// ---------------------------------------------------------------------------------------------
// Dual numbers

TEST(Dual, TangentIsTheDerivative) {
  auto f = [](auto x) { return tanh(x) * exp(x) / (x * x + 1.0) - 3.0 * x; };
  const double x0 = 0.7;
  const Dual y = f(Dual(x0, 1.0));
  const double t = std::tanh(x0), e = std::exp(x0), q = x0 * x0 + 1;
  const double derivative = ((1 - t * t) * e + t * e) / q - t * e * 2 * x0 / (q * q) - 3.0;
  EXPECT_NEAR(y.value, f(x0), 1e-15);
  EXPECT_NEAR(y.tangent, derivative, 1e-14);
}

// ---------------------------------------------------------------------------------------------
// Every layer type alone, then a multi-layer model: symmetries and derivatives.

class LcnnLayers : public ::testing::TestWithParam<const char*> {
 protected:
  LcnnModel model_ = LcnnModel::random(Architecture::parse(GetParam()), 7);
};

TEST_P(LcnnLayers, EveryLayerIsGaugeEquivariant) {
  const auto geometry = Geometry::make({3, 4, 3, 4});
  const GaugeField u = random_gauge_field(geometry, 31);
  const GaugeTransformation omega = random_gauge_transformation(geometry, 32);
  const GaugeField v = gauge_transformed(u, omega);
  const Architecture& arch = model_.architecture();
  const LcnnEvaluation<double> eu(arch, model_.weights(), u), ev(arch, model_.weights(), v);
  for (std::size_t k = 0; k <= arch.layers.size(); ++k) {
    double worst = 0.0, scale = 0.0;
    for (int c = 0; c < eu.features(k).channels(); ++c)
      for (SiteIndex s = 0; s < geometry->volume(); ++s) {
        const Matrix3d expected = omega[s] * mul_adj(eu.features(k)(c, s), omega[s]);
        worst = std::max(worst, norm2(ev.features(k)(c, s) - expected));
        scale = std::max(scale, norm2(expected));
      }
    EXPECT_LT(std::sqrt(worst / scale), 1e-12) << "features after layer " << k;
  }
  double density_scale = 0.0;
  for (const double a : eu.density()) density_scale = std::max(density_scale, std::abs(a));
  for (SiteIndex s = 0; s < geometry->volume(); ++s)
    EXPECT_NEAR(ev.density()[s], eu.density()[s], 1e-12 * density_scale);
  AlgebraField du, dv;
  const double au = model_.evaluate(u, &du, nullptr), av = model_.evaluate(v, &dv, nullptr);
  EXPECT_NEAR(av, au, 1e-12 * std::abs(au));
  // The force is covariant: D(ΩU)_μ(x) = Ω(x) D(U)_μ(x) Ω(x)†.
  double worst = 0.0, scale = 0.0;
  for (SiteIndex s = 0; s < geometry->volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu) {
      const Matrix3d expected = omega[s] * mul_adj(du(s, mu), omega[s]);
      worst = std::max(worst, norm2(dv(s, mu) - expected));
      scale = std::max(scale, norm2(expected));
    }
  EXPECT_LT(std::sqrt(worst / scale), 1e-12);
}

TEST_P(LcnnLayers, LinkForceMatchesFiniteDifferences) {
  const auto geometry = Geometry::make({2, 3, 2, 3});
  const GaugeField u = test::near_unit_gauge_field(geometry, 41, 0.8);
  AlgebraField d;
  model_.evaluate(u, &d, nullptr);
  auto action = [&](const GaugeField& v) { return model_.value(v); };
  RelativeError error;
  for (const SiteIndex link : {SiteIndex(0), SiteIndex(45), SiteIndex(98), u.size() - 1}) {
    const Algebra<double> analytic = matrix_to_algebra(d[link]);
    for (int a = 0; a < kAlgebraDim; ++a)
      error.add(analytic[a], test::finite_difference_lie_derivative(action, u, link, a));
  }
  std::printf("[ force   ] %-60s relative error %.2e\n", GetParam(), error.value());
  EXPECT_LT(error.value(), 1e-7);
}

TEST_P(LcnnLayers, WeightGradientMatchesFiniteDifferences) {
  const auto geometry = Geometry::make({2, 3, 2, 3});
  const GaugeField u = test::near_unit_gauge_field(geometry, 42, 0.8);
  std::vector<double> gradient;
  model_.evaluate(u, nullptr, &gradient);
  RelativeError error;
  for (const std::size_t k : sample_weights(model_.architecture())) {
    const double numeric = central_difference(
        [&](double h) {
          std::vector<double> w = model_.weights();
          w[k] += h;
          return LcnnModel(model_.architecture(), w).value(u);
        },
        1e-3);
    error.add(gradient[k], numeric);
  }
  std::printf("[ weights ] %-60s relative error %.2e\n", GetParam(), error.value());
  EXPECT_LT(error.value(), 1e-7);
}

TEST_P(LcnnLayers, HessianVectorProductMatchesFiniteDifferences) {
  const auto geometry = Geometry::make({2, 3, 2, 3});
  const GaugeField u = test::near_unit_gauge_field(geometry, 43, 0.8);
  const AlgebraField r = random_algebra_field(geometry, 44);
  std::vector<double> gradient, dual_gradient;
  model_.evaluate(u, nullptr, &gradient);
  const std::vector<double> product = model_.hessian_vector_product(u, r, &dual_gradient);
  // The values of the dual pass are the plain weight gradient.
  ASSERT_EQ(dual_gradient.size(), gradient.size());
  for (std::size_t k = 0; k < gradient.size(); ++k)
    EXPECT_NEAR(dual_gradient[k], gradient[k], 1e-12 * (1 + std::abs(gradient[k])));
  RelativeError error;
  for (const std::size_t k : sample_weights(model_.architecture())) {
    const double numeric = central_difference(
        [&](double h) {
          std::vector<double> w = model_.weights();
          w[k] += h;
          AlgebraField d;
          LcnnModel(model_.architecture(), w).evaluate(u, &d, nullptr);
          return projected_derivative(r, d);
        },
        1e-3);
    error.add(product[k], numeric);
  }
  std::printf("[ hvp     ] %-60s relative error %.2e\n", GetParam(), error.value());
  EXPECT_LT(error.value(), 1e-7);

  // The tangent of the value in the same dual pass is Σ r·∂A itself.
  AlgebraField d;
  model_.evaluate(u, &d, nullptr);
  LinkField<Matrix3<Dual>> u_dual(geometry);
  for (SiteIndex l = 0; l < u.size(); ++l) {
    const Matrix3d tangent = Complex<double>(0, 1) * (r[l] * u[l]);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        u_dual[l].e[i][j] = {Dual(u[l].e[i][j].re, tangent.e[i][j].re),
                             Dual(u[l].e[i][j].im, tangent.e[i][j].im)};
  }
  const LcnnEvaluation<Dual> pass(model_.architecture(), model_.weights(), u_dual);
  double tangent = 0.0;
  for (const Dual& a : pass.density()) tangent += a.tangent;
  const double expected = projected_derivative(r, d);
  EXPECT_NEAR(tangent, expected, 1e-12 * std::abs(expected));
}

TEST_P(LcnnLayers, TrainingPassAgreesWithTheModelAndItsLossGradientWithFiniteDifferences) {
  const auto geometry = Geometry::make({2, 3, 2, 3});
  const GaugeField u = test::near_unit_gauge_field(geometry, 45, 0.8);
  const AlgebraField r = random_algebra_field(geometry, 46);
  const LcnnTrainingPass pass(model_, u);
  // The kept forward pass gives the model's value and force; its products are the same.
  AlgebraField d, expected_d;
  std::vector<double> gradient;
  const double value = model_.evaluate(u, &expected_d, &gradient);
  EXPECT_NEAR(pass.value(), value, 1e-14 * std::abs(value));
  pass.force(d);
  double worst = 0.0, scale = 0.0;
  for (SiteIndex l = 0; l < d.size(); ++l) {
    worst = std::max(worst, norm2(d[l] - expected_d[l]));
    scale = std::max(scale, norm2(expected_d[l]));
  }
  EXPECT_LE(std::sqrt(worst / scale), 1e-14);
  std::vector<double> pass_gradient;
  const std::vector<double> product = pass.hessian_vector_product(r, &pass_gradient);
  ASSERT_EQ(pass_gradient.size(), gradient.size());
  for (std::size_t k = 0; k < gradient.size(); ++k)
    EXPECT_NEAR(pass_gradient[k], gradient[k], 1e-12 * (1 + std::abs(gradient[k])));

  // ∇_θ [α A_θ + β Σ r·∂A_θ] from one dual pass: against the two parts, and against central
  // differences of α A_θ + β Σ r·∂A_θ in the weights.
  const double alpha = 0.7, beta = -1.3;
  const std::vector<double> combined = pass.loss_gradient(alpha, r, beta);
  ASSERT_EQ(combined.size(), gradient.size());
  for (std::size_t k = 0; k < gradient.size(); ++k) {
    const double parts = alpha * gradient[k] + beta * product[k];
    EXPECT_NEAR(combined[k], parts, 1e-12 * (1 + std::abs(parts))) << "weight " << k;
  }
  RelativeError error;
  for (const std::size_t k : sample_weights(model_.architecture())) {
    const double numeric = central_difference(
        [&](double h) {
          std::vector<double> w = model_.weights();
          w[k] += h;
          AlgebraField dh;
          const double a = LcnnModel(model_.architecture(), w).evaluate(u, &dh, nullptr);
          return alpha * a + beta * projected_derivative(r, dh);
        },
        1e-3);
    error.add(combined[k], numeric);
  }
  std::printf("[ loss    ] %-60s relative error %.2e\n", GetParam(), error.value());
  EXPECT_LT(error.value(), 1e-7);
}

INSTANTIATE_TEST_SUITE_P(
    EachLayerTypeAndAModel, LcnnLayers,
    ::testing::Values("input plaquettes; trace; mlp",
                      "input plaquettes rectangles; trace; mlp 3 act=sigmoid",
                      "input plaquettes; lcb 2 reach=0; trace; mlp",
                      "input plaquettes; lcb 2 reach=2; trace; mlp",
                      "input plaquettes; lcb 2 reach=1 dilation=2; trace; mlp",
                      "input plaquettes; lcb 2 reach=0 diagonals; trace; mlp",
                      "input plaquettes centred; lcb 2 diagonals; act tanh; lcb 2 diagonals; "
                      "trace; mlp",
                      "input plaquettes; act tanh; trace; mlp",
                      "input plaquettes; act sigmoid; trace; mlp",
                      "input plaquettes; lcb 4; act tanh; lcb 4; trace; mlp 8",
                      "input plaquettes centred; lcb 3; act tanh; lcb 2; trace; mlp 4"));

// ---------------------------------------------------------------------------------------------
// Whole-model properties

const char* const kModel =
    "input plaquettes rectangles; lcb 3; act tanh; lcb 3 reach=1 dilation=2; "
    "act sigmoid; trace; mlp 6";

TEST(LcnnModel, UnitFieldHasZeroActionAndForce) {
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 3);
  for (const Coordinates extents : {Coordinates{4, 4, 4, 4}, Coordinates{3, 2, 5, 2}}) {
    const GaugeField unit = unit_gauge_field(Geometry::make(extents));
    AlgebraField d;
    EXPECT_EQ(model.evaluate(unit, &d, nullptr), 0.0);
    double worst = 0.0;
    for (SiteIndex l = 0; l < d.size(); ++l) worst = std::max(worst, norm2(d[l]));
    EXPECT_LT(std::sqrt(worst), 1e-13);
  }
}

TEST(LcnnModel, LinearHeadOnLoopTracesIsThePlaquetteRectangleAction) {
  // a(x) = Σ_loops w_loop Re tr(loop) + b with w = −c0/3 on plaquettes and −c1/3 on rectangles
  // gives a(x) − a_1 = the density of A = Σ c0 (1 − ⅓ Re tr P) + c1 (1 − ⅓ Re tr R) (SPEC §2):
  // an exact value with an independent implementation, for the value and the force. Centred
  // loops (P − 1) shift a(x) by a constant, which cancels against the unit field.
  const auto geometry = Geometry::make({3, 4, 2, 3});
  const GaugeField u = random_gauge_field(geometry, 55);
  for (const auto& [reference, input] :
       {std::pair{GaugeLoopAction::wilson(), "input plaquettes rectangles"},
        std::pair{GaugeLoopAction::symanzik(), "input plaquettes rectangles"},
        std::pair{GaugeLoopAction::symanzik(), "input plaquettes rectangles centred"}}) {
    const Architecture arch = Architecture::parse(std::string(input) + "; trace; mlp");
    std::vector<double> weights(arch.parameter_count(), 0.0);
    for (int c = 0; c < 18; ++c) weights[2 * c] = -(c < 6 ? reference.c0() : reference.c1()) / 3;
    weights.back() = 0.25;  // the bias cancels against the unit field
    const LcnnModel model(arch, weights);
    AlgebraField d, expected;
    const double value = model.evaluate(u, &d, nullptr);
    reference.force(u, expected);
    EXPECT_NEAR(value, reference.value(u), 1e-12 * std::abs(value)) << input;
    double worst = 0.0, scale = 0.0;
    for (SiteIndex l = 0; l < d.size(); ++l) {
      worst = std::max(worst, norm2(d[l] - expected[l]));
      scale = std::max(scale, norm2(expected[l]));
    }
    EXPECT_LT(std::sqrt(worst / scale), 1e-12) << input;
  }
}

TEST(LcnnModel, Fingerprint) {
  // Pinned outputs of this implementation on a seeded model and field (not independent values:
  // they catch unintended changes of the network, its initialisation or its derivatives).
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 13);
  const GaugeField u = random_gauge_field(Geometry::make({4, 2, 3, 2}), 61);
  AlgebraField d;
  std::vector<double> gradient;
  const double value = model.evaluate(u, &d, &gradient);
  EXPECT_EQ(model.fingerprint(), 0x87f73782f0f1ed8bULL);
  EXPECT_NEAR(value, -20.741308548565037, 1e-10 * 20.74);
  EXPECT_NEAR(d[0].e[0][1].re, -0.10525991860439494, 1e-10);
  EXPECT_NEAR(d[0].e[0][1].im, 0.028691577887189193, 1e-10);
  EXPECT_NEAR(gradient[5], 2.5050784923939333, 1e-10 * 2.5);
}

TEST(LcnnModel, TranslationInvariant) {
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 4);
  const GaugeField u = random_gauge_field(Geometry::make({4, 3, 5, 4}), 51);
  const double a = model.value(u);
  const double b = model.value(shifted_field(u, {1, 2, 3, 1}));
  EXPECT_NEAR(b, a, 1e-12 * std::abs(a));
}

TEST(LcnnModel, PeriodicDoublingMultipliesTheActionBy16) {
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 5);
  const auto small = Geometry::make({3, 2, 2, 3});
  const GaugeField u = random_gauge_field(small, 52);
  GaugeField doubled(Geometry::make({6, 4, 4, 6}));
  for (SiteIndex s = 0; s < doubled.geometry().volume(); ++s) {
    const SiteIndex image = small->site(doubled.geometry().coordinates(s));
    for (int mu = 0; mu < kDimensions; ++mu) doubled(s, mu) = u(image, mu);
  }
  const double a = model.value(u);
  EXPECT_NEAR(model.value(doubled), 16 * a, 1e-12 * std::abs(16 * a));
}

TEST(LcnnModel, GradientsDoNotDependOnTheThreadCount) {
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 6);
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 2}), 53);
  const int threads = omp_get_max_threads();
  auto run = [&](int n) {
    omp_set_num_threads(n);
    std::vector<double> gradient;
    AlgebraField d;
    const double value = model.evaluate(u, &d, &gradient);
    omp_set_num_threads(threads);
    return std::tuple{value, gradient, d[77]};
  };
  const auto [value1, gradient1, d1] = run(1);
  const auto [value3, gradient3, d3] = run(3);
  EXPECT_EQ(value1, value3);
  EXPECT_EQ(gradient1, gradient3);
  EXPECT_EQ(norm2(d1 - d3), 0.0);
}

TEST(LcnnTrainingPass, LossGradientDoesNotDependOnTheThreadCount) {
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 6);
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 2}), 57);
  const int threads = omp_get_max_threads();
  auto run = [&](int n) {
    omp_set_num_threads(n);
    const LcnnTrainingPass pass(model, u);
    AlgebraField d;
    pass.force(d);
    std::vector<double> gradient = pass.loss_gradient(0.3, d, 2.0);
    omp_set_num_threads(threads);
    return gradient;
  };
  EXPECT_EQ(run(1), run(3));
}

TEST(LcnnTrainingPass, ADualPassRefusesContractionsThatDoNotBelongToItsLinks) {
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 8);
  const auto geometry = Geometry::make({2, 3, 2, 2});
  const GaugeField u = random_gauge_field(geometry, 58);
  const Architecture& arch = model.architecture();
  auto dual = [](const GaugeField& v) {
    LinkField<Matrix3<Dual>> m(v.geometry_ptr());
    for (SiteIndex l = 0; l < v.size(); ++l)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          m[l].e[i][j] = {Dual(v[l].e[i][j].re, 1.0), Dual(v[l].e[i][j].im, 0.0)};
    return m;
  };
  auto message = [&](const LcnnEvaluation<double>& values_of, const GaugeField& v) {
    const LinkField<Matrix3<Dual>> v_dual = dual(v);
    try {
      const LcnnEvaluation<Dual> pass(arch, model.weights(), v_dual, values_of);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const LcnnEvaluation<double> kept(arch, model.weights(), u, true);
  EXPECT_EQ(message(kept, u), "accepted");
  const LcnnEvaluation<double> not_kept(arch, model.weights(), u);
  EXPECT_NE(message(not_kept, u).find("did not keep them"), std::string::npos);
  GaugeField moved = u;
  moved[7] = moved[8];
  EXPECT_NE(message(kept, moved).find("link 7"), std::string::npos);
  std::vector<double> other = model.weights();
  other[3] += 1e-3;
  const LcnnEvaluation<double> other_weights(arch, other, u, true);
  EXPECT_NE(message(other_weights, u).find("weights differ"), std::string::npos);
  const AlgebraField wrong_size(Geometry::make({2, 2, 2, 2}));
  EXPECT_THROW(LcnnTrainingPass(model, u).loss_gradient(1.0, wrong_size, 1.0),
               std::invalid_argument);
}

TEST(LcnnModel, RandomInitialisationIsKeyedBySeed) {
  const Architecture arch = Architecture::parse(kModel);
  EXPECT_EQ(LcnnModel::random(arch, 9).weights(), LcnnModel::random(arch, 9).weights());
  EXPECT_NE(LcnnModel::random(arch, 9).weights(), LcnnModel::random(arch, 10).weights());
  EXPECT_THROW(LcnnModel(arch, std::vector<double>(3)), std::invalid_argument);
}

TEST(LcnnModel, FileRoundTripIsExactAndDamageIsDetected) {
  const test::ScratchDirectory dir;
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 11);
  const auto file = dir / "model.lcnn";
  model.save(file, false);
  EXPECT_THROW(model.save(file, false), std::runtime_error);
  const LcnnModel loaded = LcnnModel::load(file);
  EXPECT_EQ(loaded.architecture(), model.architecture());
  EXPECT_EQ(loaded.weights(), model.weights());
  EXPECT_EQ(loaded.fingerprint(), model.fingerprint());

  const std::string bytes = test::file_bytes(file);
  auto expect_refusal = [&](const std::string& damaged, const std::string& words) {
    test::write_bytes(dir / "damaged.lcnn", damaged);
    try {
      LcnnModel::load(dir / "damaged.lcnn");
      ADD_FAILURE() << "accepted a damaged file; expected '" << words << "'";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  expect_refusal(flipped, "checksum");
  expect_refusal(bytes.substr(0, bytes.size() - 9), "checksum");
  expect_refusal("not a model", "magic");
  std::string future = bytes;
  future[8] = 3;
  expect_refusal(future, "version 3");
  EXPECT_THROW(LcnnModel::load(dir / "absent.lcnn"), std::runtime_error);
}

// A model file made by hand (nn/README.md): version 1 (no base action) or 2 (with `base`).
std::string hand_made_model_file(std::uint32_t version, const std::vector<double>& weights,
                                 const std::string& base) {
  std::string bytes("FPGLCNN\0", 8);
  const auto word = [&](std::uint64_t w, int size) {
    for (int i = 0; i < size; ++i) bytes += static_cast<char>((w >> (8 * i)) & 0xff);
  };
  const std::string text = "input plaquettes; trace; mlp act=tanh";  // the canonical form
  word(version, 4);
  word(text.size(), 4);
  bytes += text;
  word(weights.size(), 8);
  for (const double w : weights) word(std::bit_cast<std::uint64_t>(w), 8);
  if (version == 2) word(base.size(), 4);
  bytes += base;  // in a version 1 file: bytes that do not belong there
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  word(hash, 8);
  return bytes;
}

TEST(LcnnModel, FileFormatGoldenBytes) {
  const test::ScratchDirectory dir;
  std::vector<double> weights(13);
  for (std::size_t k = 0; k < weights.size(); ++k) weights[k] = 0.125 * double(k) - 0.5;
  const LcnnModel plain(Architecture::parse("input plaquettes; trace; mlp"), weights);
  const LcnnModel based(plain.architecture(), weights, nlohmann::json{{"a", 1}});

  plain.save(dir / "plain.lcnn", false);
  based.save(dir / "based.lcnn", false);
  EXPECT_EQ(test::file_bytes(dir / "plain.lcnn"), hand_made_model_file(2, weights, ""));
  EXPECT_EQ(test::file_bytes(dir / "based.lcnn"), hand_made_model_file(2, weights, R"({"a":1})"));

  test::write_bytes(dir / "v1.lcnn", hand_made_model_file(1, weights, ""));
  const LcnnModel v1 = LcnnModel::load(dir / "v1.lcnn");
  EXPECT_EQ(v1.weights(), weights);
  EXPECT_TRUE(v1.base_action().is_null());
  const LcnnModel v2 = LcnnModel::load(dir / "based.lcnn");
  EXPECT_EQ(v2.weights(), weights);
  EXPECT_EQ(v2.base_action(), (nlohmann::json{{"a", 1}}));

  const auto refusal = [&](const std::string& bytes) {
    test::write_bytes(dir / "bad.lcnn", bytes);
    try {
      LcnnModel::load(dir / "bad.lcnn");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal(hand_made_model_file(2, weights, "{not json")).find("base action"),
            std::string::npos);
  EXPECT_NE(refusal(hand_made_model_file(2, weights, "[1,2]")).find("JSON object"),
            std::string::npos);
  // A version 1 file with bytes after the weights does not fit its format.
  EXPECT_NE(refusal(hand_made_model_file(1, weights, "x")).find("1 bytes follow the weights"),
            std::string::npos);
}

TEST(LcnnAction, ImplementsTheActionInterface) {
  auto model =
      std::make_shared<const LcnnModel>(LcnnModel::random(Architecture::parse(kModel), 12));
  const LcnnAction action(model, "random:12");
  const GaugeField u = random_gauge_field(Geometry::make({2, 3, 2, 2}), 54);
  EXPECT_EQ(action.name(), "lcnn");
  EXPECT_EQ(action.value(u), model->value(u));
  AlgebraField d, expected;
  action.force(u, d);
  model->evaluate(u, &expected, nullptr);
  EXPECT_EQ(norm2(d[5] - expected[5]), 0.0);
  const nlohmann::json description = action.description();
  EXPECT_EQ(description["architecture"], model->architecture().to_string());
  EXPECT_EQ(description["parameters"], model->architecture().parameter_count());
}

// A network that corrects the fat-link ansatz: the action and force are the sums, the force
// matches finite differences, the sum is gauge invariant, and a fresh correction is zero.
TEST(LcnnAction, ABaseActionIsAddedToTheNetwork) {
  const FatLinkAction fatlink(0.1, 2, {0.3, 0.05, 0.02, -0.01, 0.004});
  const Architecture arch = Architecture::parse("input plaquettes; lcb 2; act tanh; trace; mlp 3");
  const GaugeField u = test::near_unit_gauge_field(Geometry::make({2, 3, 2, 3}), 71, 0.6);

  const LcnnAction fresh(std::make_shared<const LcnnModel>(
                             LcnnModel::random(arch, 15, fatlink.to_json())),
                         "fresh");
  EXPECT_EQ(fresh.value(u), fatlink.value(u));
  ASSERT_NE(fresh.base(), nullptr);
  EXPECT_EQ(fresh.description()["base_action"], fatlink.description());

  const auto network = std::make_shared<const LcnnModel>(LcnnModel::random(arch, 16));
  const LcnnAction sum(
      std::make_shared<const LcnnModel>(arch, network->weights(), fatlink.to_json()), "sum");
  EXPECT_NEAR(sum.value(u), fatlink.value(u) + network->value(u), 1e-12 * std::abs(sum.value(u)));
  AlgebraField d, d_fatlink, d_network;
  sum.force(u, d);
  fatlink.force(u, d_fatlink);
  network->evaluate(u, &d_network, nullptr);
  RelativeError error;
  for (const SiteIndex link : {SiteIndex(0), SiteIndex(50), u.size() - 1}) {
    const Algebra<double> analytic = matrix_to_algebra(d[link]);
    for (int a = 0; a < kAlgebraDim; ++a)
      error.add(analytic[a], test::finite_difference_lie_derivative(
                                 [&](const GaugeField& v) { return sum.value(v); }, u, link, a));
    EXPECT_LT(norm2(d[link] - d_fatlink[link] - d_network[link]), 1e-26);
  }
  EXPECT_LT(error.value(), 1e-7);
  const GaugeField v =
      gauge_transformed(u, random_gauge_transformation(u.geometry_ptr(), 72, 0));
  EXPECT_NEAR(sum.value(v), sum.value(u), 1e-12 * std::abs(sum.value(u)));

  const auto unknown = std::make_shared<const LcnnModel>(arch, network->weights(),
                                                         nlohmann::json{{"format", "other"}});
  try {
    LcnnAction(unknown, "unknown.fpglcnn");
    ADD_FAILURE() << "accepted an unknown base action";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown.fpglcnn"), std::string::npos) << e.what();
  }
}

TEST(LcnnAction, TheFactoryLoadsAModelFile) {
  const test::ScratchDirectory dir;
  const LcnnModel model = LcnnModel::random(Architecture::parse(kModel), 14);
  const auto file = dir / "model.lcnn";
  model.save(file, false);
  const std::unique_ptr<Action> action = make_action("lcnn:" + file.string());
  const GaugeField u = random_gauge_field(Geometry::make({2, 3, 2, 2}), 56);
  EXPECT_EQ(action->name(), "lcnn");
  EXPECT_EQ(action->value(u), model.value(u));
  EXPECT_EQ(action->description()["model"], file.string());
  EXPECT_EQ(action->description()["weights_fnv1a64"], fmt::format("{:016x}", model.fingerprint()));

  auto message = [](const std::string& spec) {
    try {
      make_action(spec);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string absent = (dir / "absent.lcnn").string();
  EXPECT_NE(message("lcnn:" + absent).find(absent), std::string::npos);
  test::write_bytes(dir / "text.lcnn", "input plaquettes; trace; mlp");
  EXPECT_NE(message("lcnn:" + (dir / "text.lcnn").string()).find("text.lcnn"), std::string::npos);
  EXPECT_NE(message("lcnn:").find("lcnn:PATH"), std::string::npos);
  EXPECT_NE(message("lcn").find("lcnn:PATH"), std::string::npos);  // the list of known names
}

// The shipped model keeps the classical continuum limit of an FP action, A/A_W → 1 for
// long-wavelength fields, within 3% (measured 0.980; its fat-link base is normalised exactly, the
// correction is not pinned, docs/results.md). The default until 2026-11-27 had 1.123 and would
// fail here, as would a base fitted without fatlink.normalised.
TEST(ShippedModel, KeepsTheClassicalContinuumLimit) {
  const auto action =
      make_action(std::string("lcnn:") + FPGAUGE_SOURCE_DIR + "/models/default/model.fpglcnn");
  const double limit = evaluation::classical_normalisation(*action).extrapolated;
  RecordProperty("classical_normalisation", fmt::format("{:.5f}", limit));
  EXPECT_NEAR(limit, 1.0, 0.03);
}

}  // namespace
}  // namespace fpgauge::nn
