// Hypercubic symmetries (lattice/HypercubicSymmetry.h): the group, links landing where the
// convention says, exact inverses and composition, invariance of actions, plaquettes and
// Polyakov loops under all 384 elements, extent checks on non-hypercubic lattices, and the
// covariance of the force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/GaugeLoops.h"
#include "fpgauge/lattice/HypercubicSymmetry.h"
#include "fpgauge/lattice/PathProduct.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

constexpr double kRelativeTolerance = 1e-12;

void expect_relative_near(double actual, double expected, const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), kRelativeTolerance * std::max(1.0, std::abs(expected)))
      << what << ": " << actual << " vs " << expected;
}

// (1/V) Σ_x ⅓ tr Π_k U_μ(x + k μ̂): the Polyakov loop along any direction μ.
std::complex<double> polyakov_loop_along(const GaugeField& u, int mu) {
  const Geometry& g = u.geometry();
  const std::vector<Step> steps(g.extent(mu), forward_step(mu));
  std::complex<double> sum = 0;
  for (SiteIndex s = 0; s < g.volume(); ++s) {
    const Complex<double> tr = trace(path_product(u, s, steps));
    sum += std::complex<double>(tr.re, tr.im);
  }
  return sum / (3.0 * static_cast<double>(g.volume()));
}

// Re tr P_μν(x) over all sites and planes, sorted.
std::vector<double> sorted_plaquette_traces(const GaugeField& u) {
  std::vector<double> traces;
  for (SiteIndex s = 0; s < u.geometry().volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = mu + 1; nu < kDimensions; ++nu)
        traces.push_back(re_trace(plaquette(u, s, mu, nu)));
  std::sort(traces.begin(), traces.end());
  return traces;
}

HypercubicElement element(const HypercubicElement::Permutation& p,
                          const HypercubicElement::Reflections& r) {
  return HypercubicElement(p, r);
}

TEST(HypercubicGroup, HasAllDistinctElementsIdentityFirst) {
  const std::vector<HypercubicElement> group = hypercubic_group();
  ASSERT_EQ(group.size(), 384u);
  EXPECT_TRUE(group.front().is_identity());
  EXPECT_EQ(group.front().name(), "perm 0123 refl 0000");
  std::set<std::string> names;
  for (const HypercubicElement& g : group) names.insert(g.name());
  EXPECT_EQ(names.size(), 384u);
  // closed under products and inverses
  for (const HypercubicElement& a : group) {
    EXPECT_TRUE((a * a.inverse()).is_identity()) << a.name();
    EXPECT_TRUE((a.inverse() * a).is_identity()) << a.name();
    for (std::size_t j = 0; j < group.size(); j += 11)
      EXPECT_EQ(names.count((a * group[j]).name()), 1u);
  }
  EXPECT_THROW(element({0, 1, 1, 3}, {}), std::invalid_argument);
  EXPECT_THROW(element({0, 1, 2, 4}, {}), std::invalid_argument);
}

TEST(HypercubicGroup, QuarterTurnHasOrderFour) {
  // (g x)_1 = x_0, (g x)_0 = −x_1: the rotation by 90° in the (0,1) plane.
  const HypercubicElement r = element({1, 0, 2, 3}, {true, false, false, false});
  EXPECT_EQ(r.name(), "perm 1023 refl 1000");
  const Coordinates extents{5, 5, 5, 5};
  EXPECT_EQ(r.apply({1, 2, 3, 4}, extents), (Coordinates{3, 1, 3, 4}));
  EXPECT_EQ((r * r).name(), "perm 0123 refl 1100");  // the half turn: x_0, x_1 → −x_0, −x_1
  EXPECT_FALSE((r * r * r).is_identity());
  EXPECT_TRUE((r * r * r * r).is_identity());
  EXPECT_EQ(r.inverse(), r * r * r);
  // composition order: (a * b) x = a(b x)
  const HypercubicElement a = element({2, 3, 0, 1}, {false, true, true, false});
  const Coordinates x{1, 2, 3, 4};
  EXPECT_EQ((a * r).apply(x, extents), a.apply(r.apply(x, extents), extents));
  EXPECT_EQ((r * a).apply(x, extents), r.apply(a.apply(x, extents), extents));
}

TEST(HypercubicTransform, ReflectionMovesEveryLinkWhereExpected) {
  // Reflection of axis 2 on a lattice of four different extents: x_2 → −x_2 mod 5; the links
  // along 2 run backwards, U'_2(g x − 2̂) = U_2(x)†; the others keep their matrix.
  const auto geometry = Geometry::make({3, 4, 5, 6});
  const GaugeField u = random_gauge_field(geometry, 101);
  const GaugeField v =
      hypercubic_transformed(u, element({0, 1, 2, 3}, {false, false, true, false}));
  for (SiteIndex s = 0; s < geometry->volume(); ++s) {
    const Coordinates x = geometry->coordinates(s);
    const SiteIndex image = geometry->site({x[0], x[1], 5 - x[2], x[3]});
    const SiteIndex below = geometry->site({x[0], x[1], 4 - x[2], x[3]});
    for (const int mu : {0, 1, 3}) ASSERT_EQ(norm2(v(image, mu) - u(s, mu)), 0.0);
    ASSERT_EQ(norm2(v(below, 2) - adj(u(s, 2))), 0.0);
  }
}

TEST(HypercubicTransform, PermutationAndQuarterTurnMoveEveryLinkWhereExpected) {
  const auto geometry = Geometry::make({4, 4, 5, 6});
  const GaugeField u = random_gauge_field(geometry, 102);
  // swap of axes 0 and 1: U'_{π(μ)}(x_1, x_0, x_2, x_3) = U_μ(x)
  const GaugeField swapped = hypercubic_transformed(u, element({1, 0, 2, 3}, {}));
  // quarter turn (permute, then reflect the image axis 0): g x = (−x_1, x_0, x_2, x_3);
  // U_0(x) → U'_1(g x), U_1(x) → U'_0(g x − 0̂)†
  const GaugeField turned =
      hypercubic_transformed(u, element({1, 0, 2, 3}, {true, false, false, false}));
  for (SiteIndex s = 0; s < geometry->volume(); ++s) {
    const Coordinates x = geometry->coordinates(s);
    const SiteIndex p = geometry->site({x[1], x[0], x[2], x[3]});
    ASSERT_EQ(norm2(swapped(p, 1) - u(s, 0)), 0.0);
    ASSERT_EQ(norm2(swapped(p, 0) - u(s, 1)), 0.0);
    ASSERT_EQ(norm2(swapped(p, 2) - u(s, 2)), 0.0);
    ASSERT_EQ(norm2(swapped(p, 3) - u(s, 3)), 0.0);
    const SiteIndex r = geometry->site({-x[1], x[0], x[2], x[3]});
    const SiteIndex r_below = geometry->site({-x[1] - 1, x[0], x[2], x[3]});
    ASSERT_EQ(norm2(turned(r, 1) - u(s, 0)), 0.0);
    ASSERT_EQ(norm2(turned(r_below, 0) - adj(u(s, 1))), 0.0);
    ASSERT_EQ(norm2(turned(r, 2) - u(s, 2)), 0.0);
    ASSERT_EQ(norm2(turned(r, 3) - u(s, 3)), 0.0);
  }
}

TEST(HypercubicTransform, InverseAndCompositionAreExact) {
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = random_gauge_field(geometry, 103);
  const std::vector<HypercubicElement> group = hypercubic_group();
  for (const HypercubicElement& a : group) {
    const GaugeField v = hypercubic_transformed(u, a);
    ASSERT_EQ(test::max_link_distance(hypercubic_transformed(v, a.inverse()), u), 0.0) << a.name();
  }
  // a(b U) = (a b) U for 77 elements a (every 5th) and 5 elements b with 5 permutations
  std::vector<std::pair<HypercubicElement, GaugeField>> transformed_by_b;
  for (std::size_t j = 0; j < group.size(); j += 79)
    transformed_by_b.emplace_back(group[j], hypercubic_transformed(u, group[j]));
  for (std::size_t i = 0; i < group.size(); i += 5) {
    const HypercubicElement& a = group[i];
    for (const auto& [b, bu] : transformed_by_b)
      ASSERT_EQ(
          test::max_link_distance(hypercubic_transformed(bu, a), hypercubic_transformed(u, a * b)),
          0.0)
          << a.name() << " after " << b.name();
  }
  // not every element is the identity on this field
  EXPECT_GT(test::max_link_distance(hypercubic_transformed(u, group[1]), u), 0.1);
}

TEST(HypercubicTransform, ActionsAndObservablesAreInvariant) {
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = random_gauge_field(geometry, 104);
  const GaugeLoopAction actions[] = {GaugeLoopAction::wilson(), GaugeLoopAction::iwasaki(),
                                     GaugeLoopAction::symanzik()};
  double values[3];
  for (int i = 0; i < 3; ++i) values[i] = actions[i].value(u);
  const double plaquette = average_plaquette(u), rectangle = average_rectangle(u);
  std::complex<double> polyakov[kDimensions];
  for (int mu = 0; mu < kDimensions; ++mu) polyakov[mu] = polyakov_loop_along(u, mu);
  ASSERT_GT(std::abs(polyakov[3]), 1e-4);  // a random field's loop is small but not zero
  ASSERT_NEAR(polyakov_loop(u).real(), polyakov[3].real(), 1e-14);

  for (const HypercubicElement& g : hypercubic_group()) {
    const GaugeField v = hypercubic_transformed(u, g);
    for (int i = 0; i < 3; ++i)
      expect_relative_near(actions[i].value(v), values[i], actions[i].name() + " " + g.name());
    expect_relative_near(average_plaquette(v), plaquette, "plaquette " + g.name());
    expect_relative_near(average_rectangle(v), rectangle, "rectangle " + g.name());
    // The loop along μ becomes the loop along π(μ), run backwards (conjugated) if reflected.
    for (int mu = 0; mu < kDimensions; ++mu) {
      const int nu = g.image_axis(mu);
      const std::complex<double> expected = g.reflects(nu) ? std::conj(polyakov[mu]) : polyakov[mu];
      const std::complex<double> actual = polyakov_loop_along(v, nu);
      EXPECT_LE(std::abs(actual - expected), kRelativeTolerance * std::abs(expected))
          << "Polyakov loop along " << mu << ", " << g.name();
      expect_relative_near(std::abs(actual), std::abs(polyakov[mu]), "|P| " + g.name());
    }
    if (g.image_axis(3) == 3) {  // the library's (temporal) Polyakov loop
      const std::complex<double> p = polyakov_loop(v);
      const std::complex<double> expected = g.reflects(3) ? std::conj(polyakov[3]) : polyakov[3];
      EXPECT_LE(std::abs(p - expected), kRelativeTolerance * std::abs(expected)) << g.name();
    }
  }
}

TEST(HypercubicTransform, PlaquetteTracesAreInvariantAsAMultiset) {
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = random_gauge_field(geometry, 105);
  const std::vector<double> reference = sorted_plaquette_traces(u);
  for (const HypercubicElement& g : hypercubic_group()) {
    const std::vector<double> traces = sorted_plaquette_traces(hypercubic_transformed(u, g));
    ASSERT_EQ(traces.size(), reference.size());
    double worst = 0;
    for (std::size_t i = 0; i < traces.size(); ++i)
      worst = std::max(worst, std::abs(traces[i] - reference[i]));
    EXPECT_LE(worst, kRelativeTolerance) << g.name();
  }
}

TEST(HypercubicTransform, NonHypercubicLatticeAllowsOnlyExtentPreservingPermutations) {
  {
    // four different extents: only the 16 reflections
    const auto geometry = Geometry::make({3, 4, 5, 6});
    const GaugeField u = random_gauge_field(geometry, 106);
    const double wilson = GaugeLoopAction::wilson().value(u);
    EXPECT_EQ(lattice_symmetry_group(geometry->extents()).size(), 16u);
    int thrown = 0;
    for (const HypercubicElement& g : hypercubic_group()) {
      const bool allowed = g.permutation() == HypercubicElement::Permutation{0, 1, 2, 3};
      EXPECT_EQ(preserves_extents(g, geometry->extents()), allowed) << g.name();
      if (allowed) {
        expect_relative_near(GaugeLoopAction::wilson().value(hypercubic_transformed(u, g)), wilson,
                             g.name());
        continue;
      }
      try {
        hypercubic_transformed(u, g);
        ADD_FAILURE() << g.name() << " did not throw on 3x4x5x6";
      } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("3x4x5x6"), std::string::npos) << message;
        EXPECT_NE(message.find("extent"), std::string::npos) << message;
        ++thrown;
      }
    }
    EXPECT_EQ(thrown, 384 - 16);
  }
  {
    // 4x4x6x6: swaps within {0,1} and within {2,3}, with any reflections: 2·2·16 elements
    const auto geometry = Geometry::make({4, 4, 6, 6});
    const GaugeField u = random_gauge_field(geometry, 107);
    const std::vector<HypercubicElement> allowed = lattice_symmetry_group(geometry->extents());
    EXPECT_EQ(allowed.size(), 64u);
    const double iwasaki = GaugeLoopAction::iwasaki().value(u);
    const std::vector<double> reference = sorted_plaquette_traces(u);
    for (const HypercubicElement& g : allowed) {
      const GaugeField v = hypercubic_transformed(u, g);
      expect_relative_near(GaugeLoopAction::iwasaki().value(v), iwasaki, g.name());
      const std::vector<double> traces = sorted_plaquette_traces(v);
      for (std::size_t i = 0; i < traces.size(); ++i)
        ASSERT_NEAR(traces[i], reference[i], kRelativeTolerance) << g.name();
    }
    EXPECT_THROW(hypercubic_transformed(u, element({0, 2, 1, 3}, {})), std::invalid_argument);
  }
}

// D' at the image of every link equals D (unreversed image) or −U† D U (reversed image, where
// U'_{l'} = U_l†): perturbing U'_{l'} → e^{iεt^a} U_l† is U_l → U_l e^{−iεt^a} =
// e^{−iε U_l t^a U_l†} U_l, so ∂'^a = −Σ_b 2 tr(t^b U t^a U†) ∂^b and
// D' = Σ_a t^a ∂'^a = −Σ_b ∂^b U† t^b U = −U† D U.
void expect_force_covariant(const GaugeLoopAction& action, const GaugeField& u,
                            const std::vector<HypercubicElement>& elements) {
  const Geometry& geometry = u.geometry();
  AlgebraField d, d_transformed;
  action.force(u, d);
  const double scale = force_norm(d) / std::sqrt(static_cast<double>(d.size()));
  ASSERT_GT(scale, 0.1);
  for (const HypercubicElement& g : elements) {
    action.force(hypercubic_transformed(u, g), d_transformed);
    double worst = 0;
    for (SiteIndex s = 0; s < geometry.volume(); ++s)
      for (int mu = 0; mu < kDimensions; ++mu) {
        const LinkImage image = link_image(g, geometry, s, mu);
        const Matrix3d expected =
            image.reversed ? -adj_mul(u(s, mu), d(s, mu) * u(s, mu)) : d(s, mu);
        worst = std::max(worst, std::sqrt(norm2(d_transformed(image.site, image.mu) - expected)));
      }
    EXPECT_LE(worst, kRelativeTolerance * scale) << action.name() << " " << g.name();
  }
}

TEST(HypercubicTransform, ForcesTransformCovariantly) {
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = random_gauge_field(geometry, 108);
  const std::vector<HypercubicElement> group = hypercubic_group();
  expect_force_covariant(GaugeLoopAction::wilson(), u, group);
  expect_force_covariant(GaugeLoopAction::iwasaki(), u, group);
  // and on a non-hypercubic lattice, for its symmetries
  const auto other = Geometry::make({4, 4, 6, 6});
  expect_force_covariant(GaugeLoopAction::wilson(), random_gauge_field(other, 109),
                         lattice_symmetry_group(other->extents()));
}

TEST(HypercubicTransform, ReversedLinkForceRuleFailsWithoutTheSign) {
  // The −U†DU rule is not vacuous: for a reflection, the naive D' = D at the image link is wrong.
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = random_gauge_field(geometry, 110);
  const HypercubicElement g = element({0, 1, 2, 3}, {true, false, false, false});
  AlgebraField d, d_transformed;
  GaugeLoopAction::wilson().force(u, d);
  GaugeLoopAction::wilson().force(hypercubic_transformed(u, g), d_transformed);
  const LinkImage image = link_image(g, *geometry, 0, 0);
  ASSERT_TRUE(image.reversed);
  EXPECT_GT(std::sqrt(norm2(d_transformed(image.site, image.mu) - d(0, 0))), 1e-3);
  EXPECT_GT(
      std::sqrt(norm2(d_transformed(image.site, image.mu) - adj_mul(u(0, 0), d(0, 0) * u(0, 0)))),
      1e-3);
}

}  // namespace
}  // namespace fpgauge
