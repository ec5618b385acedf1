#pragma once
// Continuum extrapolations of a scaling study (issue 8, docs/scaling.md): a dimensionless
// observable y (e.g. √t0/w0) measured at several lattice spacings x = a²/t0, fitted by
//   y_i = c + k_s x_i          (point i of series s, one slope per action, c = continuum value)
// by weighted least squares. Both x and y carry errors: the weights use the effective variance
// σ_i² = σ_y,i² + k_s² σ_x,i² (Orear, Am. J. Phys. 50 (1982) 912), iterated with the slopes to
// convergence. With one series this is the plain linear fit of that action alone; with several
// the continuum value is shared (the actions are different discretisations of one theory).
#include <vector>

#include "fpgauge/flow/FlowObservables.h"

namespace fpgauge {

struct ScalingPoint {
  double x = 0.0;  // a²/t0 (or any squared spacing)
  double x_error = 0.0;
  double y = 0.0;
  double y_error = 0.0;
};

struct ContinuumFit {
  Estimate continuum;            // c
  std::vector<Estimate> slopes;  // k_s, one per series
  double chi2 = 0.0;             // with the effective variances at the solution
  int degrees_of_freedom = 0;    // points − 1 − series
};

// Throws std::invalid_argument if a series is empty, an error is not positive and finite, or
// the points do not fix the parameters (fewer than two distinct x in all, e.g. one spacing).
ContinuumFit fit_continuum_limit(const std::vector<std::vector<ScalingPoint>>& series);

}  // namespace fpgauge
