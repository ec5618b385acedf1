// The self-consistent FP step as an action (rg/FpStepAction.h): A_{k+1} is the FP label of A_k,
// value and force of one minimisation, zero on the unit field, gauge invariant.
#include <gtest/gtest.h>

#include <cstring>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/rg/FpStepAction.h"

namespace fpgauge {
namespace {

const MinimiserOptions kOptions{.gradient_tolerance = 1e-10};

TEST(FpStepAction, IsTheFpLabelOfTheFinerAction) {
  const auto wilson = std::make_shared<const GaugeLoopAction>(GaugeLoopAction::wilson());
  const BlockingKernel kernel = BlockingKernel::degrand(0.05, 8.0);
  EXPECT_EQ(make_fp_step_action(wilson, kernel, kOptions, 1), wilson);
  const auto step = make_fp_step_action(wilson, kernel, kOptions, 2);
  EXPECT_EQ(step->name(), "fp_step(wilson)");
  EXPECT_EQ(step->description()["finer_action"], wilson->description());

  const auto coarse = Geometry::make({2, 2, 2, 2});
  const GaugeField v = test::near_unit_gauge_field(coarse, 31, 0.4);
  const FpLabel label = solve_fp_equation(v, *wilson, kernel, kOptions);
  AlgebraField d;
  step->force(v, d);
  EXPECT_EQ(step->value(v), label.action);  // the same minimisation, from the prolongation
  for (SiteIndex l = 0; l < d.size(); ++l)
    ASSERT_EQ(std::memcmp(&d[l], &label.derivative[l], sizeof(Matrix3d)), 0) << l;

  // Coarse gauge invariance, to the minimiser's tolerance (second order in the value).
  const GaugeField rotated = gauge_transformed(v, random_gauge_transformation(coarse, 32));
  EXPECT_NEAR(step->value(rotated), label.action, 1e-11 * label.action);

  // The unit field, from the last minimiser (not the prolongation): zero to the tolerance, the
  // derivative to first order in it.
  const GaugeField unit = unit_gauge_field(coarse);
  EXPECT_NEAR(step->value(unit), 0.0, 1e-12);
  step->force(unit, d);
  for (SiteIndex l = 0; l < d.size(); ++l) EXPECT_LT(norm2(d[l]), 1e-19) << l;

  EXPECT_THROW(make_fp_step_action(wilson, kernel, kOptions, 0), std::invalid_argument);
}

}  // namespace
}  // namespace fpgauge
