// Locality of an action (evaluation/Locality.h, SPEC §7.3): the link distances and the Hessian
// column of the Wilson action on the unit field, whose reach is known exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/evaluation/Locality.h"
#include "fpgauge/lattice/GaugeFieldOps.h"

namespace fpgauge {
namespace {

TEST(Locality, LinkDistancesAreBetweenMidpointsWithMinimumImage) {
  const auto geometry = Geometry::make({4, 4, 4, 6});
  const auto site = [&](int x0, int x1, int x2, int x3) {
    return geometry->site({x0, x1, x2, x3});
  };
  EXPECT_EQ(evaluation::distance_to_origin_link(*geometry, site(0, 0, 0, 0), 0), 0.0);
  // Perpendicular at the same site: midpoints (½,0,0,0) and (0,½,0,0).
  EXPECT_DOUBLE_EQ(evaluation::distance_to_origin_link(*geometry, site(0, 0, 0, 0), 1),
                   std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(evaluation::distance_to_origin_link(*geometry, site(1, 0, 0, 0), 2),
                   std::sqrt(0.5));
  // Parallel, one step across and one step along; the link at x0 = 3 is one step behind.
  EXPECT_DOUBLE_EQ(evaluation::distance_to_origin_link(*geometry, site(0, 0, 1, 0), 0), 1.0);
  EXPECT_DOUBLE_EQ(evaluation::distance_to_origin_link(*geometry, site(3, 0, 0, 0), 0), 1.0);
  // The farthest image on the longer axis: 3 steps, not 3 + 3.
  EXPECT_DOUBLE_EQ(evaluation::distance_to_origin_link(*geometry, site(0, 0, 0, 3), 0), 3.0);
  EXPECT_DOUBLE_EQ(evaluation::distance_to_origin_link(*geometry, site(0, 2, 0, 5), 3),
                   std::sqrt(4.0 + 0.25 + 0.25));
}

TEST(Locality, WilsonActionRespondsOnlyWithinItsPlaquettes) {
  // On the unit field the rotated link changes the Wilson force at the links of its six
  // plaquettes: itself (r = 0), the perpendicular ones (r = √½) and the opposite ones (r = 1).
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const evaluation::LocalityProfile locality = evaluation::action_locality(
      GaugeLoopAction::wilson(), unit_gauge_field(geometry), 1e-3);
  ASSERT_GE(locality.profile.size(), 4u);
  EXPECT_EQ(locality.profile[0].r, 0.0);
  EXPECT_DOUBLE_EQ(locality.profile[1].r, std::sqrt(0.5));
  EXPECT_EQ(locality.profile[2].r, 1.0);
  for (int i = 0; i < 3; ++i) EXPECT_GT(locality.profile[i].response, 1e-3) << i;
  for (std::size_t i = 3; i < locality.profile.size(); ++i)
    EXPECT_EQ(locality.profile[i].response, 0.0) << "r = " << locality.profile[i].r;
  // One point in the fitted range 1 ≤ r ≤ 2: no decay rate.
  EXPECT_EQ(locality.fitted_points, 1);
  EXPECT_TRUE(std::isnan(locality.decay_rate));
}

}  // namespace
}  // namespace fpgauge
