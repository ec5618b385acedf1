// Lattice layer: geometry and neighbour tables, keyed random numbers, deterministic sums,
// gauge transformations.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <set>

#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

TEST(Geometry, SiteOrderIsXFastest) {
  const Geometry g({3, 4, 5, 6});
  EXPECT_EQ(g.volume(), 360);
  EXPECT_EQ(g.site({1, 0, 0, 0}), 1);
  EXPECT_EQ(g.site({0, 1, 0, 0}), 3);
  EXPECT_EQ(g.site({0, 0, 1, 0}), 12);
  EXPECT_EQ(g.site({0, 0, 0, 1}), 60);
  EXPECT_EQ(g.site({-1, 4, 5, 6}), 2);  // periodic wrap
  for (SiteIndex s = 0; s < g.volume(); ++s) EXPECT_EQ(g.site(g.coordinates(s)), s);
}

TEST(Geometry, NeighboursAreInverse) {
  const Geometry g({2, 3, 4, 5});
  for (SiteIndex s = 0; s < g.volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu) {
      EXPECT_EQ(g.backward(g.forward(s, mu), mu), s);
      EXPECT_EQ(g.forward(s, mu), g.shifted(s, mu, 1));
      EXPECT_EQ(g.backward(s, mu), g.shifted(s, mu, -1));
    }
}

TEST(Geometry, ParityAlternatesOnEvenLattices) {
  const Geometry g({2, 4, 6, 4});
  for (SiteIndex s = 0; s < g.volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu) EXPECT_NE(g.parity(s), g.parity(g.forward(s, mu)));
}

TEST(Geometry, RejectsImpossibleExtents) {
  EXPECT_THROW(Geometry({4, 4, 1, 4}), std::invalid_argument);
  EXPECT_THROW(Geometry({4, 0, 4, 4}), std::invalid_argument);
  EXPECT_THROW(Geometry({-2, 4, 4, 4}), std::invalid_argument);
}

TEST(Rng, StreamsAreKeyedAndReproducible) {
  RngStream a(7, RngPurpose::test, 3, 11), b(7, RngPurpose::test, 3, 11);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.bits(), b.bits());
  std::set<std::uint64_t> first;
  for (std::uint64_t seed : {7, 8})
    for (auto purpose : {RngPurpose::test, RngPurpose::heatbath})
      for (std::uint64_t index : {3, 4})
        for (std::uint64_t stream : {11, 12})
          first.insert(RngStream(seed, purpose, index, stream).bits());
  EXPECT_EQ(first.size(), 16u);  // every key and counter component changes the stream
}

TEST(Rng, UniformAndNormalMoments) {
  RngStream rng(1, RngPurpose::test, 0, 0);
  const int n = 200000;
  double u1 = 0, n1 = 0, n2 = 0, n4 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    u1 += u;
    const double x = rng.normal();
    n1 += x, n2 += x * x, n4 += x * x * x * x;
  }
  // standard errors: uniform mean 0.00065, normal mean 0.0022, <x²> 0.0032, <x⁴> 0.018
  EXPECT_NEAR(u1 / n, 0.5, 0.004);
  EXPECT_NEAR(n1 / n, 0.0, 0.012);
  EXPECT_NEAR(n2 / n, 1.0, 0.016);
  EXPECT_NEAR(n4 / n, 3.0, 0.09);
}

TEST(SiteLoop, SumIsBitwiseIndependentOfThreads) {
  const SiteIndex n = 100003;
  auto term = [](SiteIndex i) { return std::sin(0.001 * static_cast<double>(i)) * 1e3; };
  omp_set_num_threads(1);
  const long double one = parallel_sum(n, term);
  omp_set_num_threads(2);
  const long double two = parallel_sum(n, term);
  EXPECT_EQ(one, two);
}

TEST(GaugeFieldOps, HotStartIsSu3AndReproducible) {
  const auto g = Geometry::make({4, 4, 4, 4});
  const GaugeField a = random_gauge_field(g, 5), b = random_gauge_field(g, 5);
  EXPECT_LT(max_unitarity_violation(a), 1e-14);
  for (SiteIndex l = 0; l < a.size(); ++l) ASSERT_EQ(norm2(a[l] - b[l]), 0.0);
  const GaugeField c = random_gauge_field(g, 6);
  EXPECT_GT(norm2(a[0] - c[0]), 1e-3);
}

TEST(GaugeFieldOps, GaugeTransformationComposes) {
  // Transforming by Ω1 then Ω2 equals transforming by Ω2Ω1.
  const auto g = Geometry::make({2, 4, 2, 4});
  const GaugeField u = random_gauge_field(g, 1);
  const GaugeTransformation o1 = random_gauge_transformation(g, 2),
                            o2 = random_gauge_transformation(g, 3);
  GaugeTransformation o21(g);
  for (SiteIndex s = 0; s < g->volume(); ++s) o21[s] = o2[s] * o1[s];
  const GaugeField a = gauge_transformed(gauge_transformed(u, o1), o2);
  const GaugeField b = gauge_transformed(u, o21);
  for (SiteIndex l = 0; l < u.size(); ++l) EXPECT_LT(norm2(a[l] - b[l]), 1e-26);
}

}  // namespace
}  // namespace fpgauge
