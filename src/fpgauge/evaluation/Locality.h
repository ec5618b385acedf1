#pragma once
// Locality of an action (SPEC §7.3): how the derivative field responds to a change of one link.
// The link V_0(0) is rotated to exp(±iε t^1) V_0(0); the response of the derivative at link l,
//   R_l = ‖D_l(+ε) − D_l(−ε)‖ / (2ε)   (Frobenius norm of the gradient matrices, SPEC §1),
// is a column of the action's Hessian. R(r) is the largest R_l over the links whose midpoint lies
// at Euclidean distance r (minimum image) from the perturbed link's midpoint; the decay rate is
// minus the slope of the least-squares line through ln R(r) over 1 ≤ r ≤ L_min/2 and
// R > 1e-10 max R (an action of finite reach, like the L-CNN, has R = 0 beyond it).
#include <vector>

#include "fpgauge/actions/Action.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge::evaluation {

struct LocalityPoint {
  double r = 0.0;
  double response = 0.0;
};

struct LocalityProfile {
  std::vector<LocalityPoint> profile;  // by increasing r
  double decay_rate = 0.0;             // NaN if fewer than two points are fitted
  int fitted_points = 0;
};

// The profile from the derivative fields of the two rotations.
LocalityProfile locality_profile(const AlgebraField& plus, const AlgebraField& minus,
                                 double epsilon);

// The profile of an action's own derivative (its force) on the background u.
LocalityProfile action_locality(const Action& action, const GaugeField& u, double epsilon);

// The background rotated at the link (0, 0): exp(i t t^1) V_0(0).
GaugeField rotated_at_origin(const GaugeField& u, double t);

// Euclidean distance between the midpoints of the links (n, ν) and (0, 0), minimum image.
double distance_to_origin_link(const Geometry& geometry, SiteIndex n, int nu);

}  // namespace fpgauge::evaluation
