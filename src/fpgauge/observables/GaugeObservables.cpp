#include "fpgauge/observables/GaugeObservables.h"

#include <stdexcept>
#include <vector>

#include "fpgauge/lattice/GaugeLoops.h"
#include "fpgauge/lattice/PathProduct.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

double average_plaquette(const GaugeField& u) {
  const SiteIndex volume = u.geometry().volume();
  const long double sum = parallel_sum(volume, [&](SiteIndex s) {
    double p = 0.0;
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = mu + 1; nu < kDimensions; ++nu) p += re_trace(plaquette(u, s, mu, nu));
    return p;
  });
  return static_cast<double>(sum / (18.0L * volume));
}

double average_rectangle(const GaugeField& u) {
  const SiteIndex volume = u.geometry().volume();
  const long double sum = parallel_sum(volume, [&](SiteIndex s) {
    double r = 0.0;
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = 0; nu < kDimensions; ++nu)
        if (mu != nu) r += re_trace(rectangle(u, s, mu, nu));
    return r;
  });
  return static_cast<double>(sum / (36.0L * volume));
}

double average_link_trace(const GaugeField& u) {
  const long double sum = parallel_sum(u.size(), [&](SiteIndex l) { return re_trace(u[l]); });
  return static_cast<double>(sum / (3.0L * u.size()));
}

double wilson_loop(const GaugeField& u, int r, int t) {
  if (r < 1 || t < 1)
    throw std::invalid_argument("wilson_loop: R and T must be at least 1");
  const SiteIndex volume = u.geometry().volume();
  const int time = kDimensions - 1;
  const long double sum = parallel_sum(volume, [&](SiteIndex s) {
    double w = 0.0;
    std::vector<Step> steps;
    for (int i = 0; i < time; ++i) {
      steps.assign(r, forward_step(i));
      steps.insert(steps.end(), t, forward_step(time));
      steps.insert(steps.end(), r, backward_step(i));
      steps.insert(steps.end(), t, backward_step(time));
      w += re_trace(path_product(u, s, steps));
    }
    return w;
  });
  return static_cast<double>(sum / (9.0L * volume));
}

std::complex<double> polyakov_loop(const GaugeField& u) {
  const Geometry& g = u.geometry();
  const int time = kDimensions - 1;
  const std::vector<Step> steps(g.extent(time), forward_step(time));
  const SiteIndex volume = g.volume();
  const long double re = parallel_sum(volume, [&](SiteIndex s) {
    return re_trace(path_product(u, s, steps));
  });
  const long double im = parallel_sum(volume, [&](SiteIndex s) {
    return trace(path_product(u, s, steps)).im;
  });
  return {static_cast<double>(re / (3.0L * volume)), static_cast<double>(im / (3.0L * volume))};
}

}  // namespace fpgauge
