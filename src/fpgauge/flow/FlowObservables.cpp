#include "fpgauge/flow/FlowObservables.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "fpgauge/actions/ActionFactory.h"

namespace fpgauge {

EnergyDensity::EnergyDensity(const std::string& definition) : definition_(definition) {
  if (definition == "clover") return;
  action_ = make_action(definition == "plaquette" ? "wilson" : definition);
}

double EnergyDensity::action_based(const GaugeField& v) const {
  if (!action_)
    throw std::logic_error("EnergyDensity::action_based called for the clover definition");
  return 6.0 * action_->value(v) / static_cast<double>(v.geometry().volume());
}

double crossing_time(std::span<const double> t, std::span<const double> y, double target) {
  for (std::size_t i = 1; i < t.size() && i < y.size(); ++i)
    if (y[i - 1] < target && y[i] >= target)
      return t[i - 1] + (target - y[i - 1]) * (t[i] - t[i - 1]) / (y[i] - y[i - 1]);
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> flow_derivative(std::span<const double> t, std::span<const double> t2e) {
  const std::size_t n = t.size();
  if (n < 3 || t2e.size() != n)
    throw std::invalid_argument("flow_derivative: needs at least 3 flow times and one value each");
  // The derivative at t_i of the parabola through the points i−1+k, k = 0, 1, 2 (Lagrange).
  auto parabola_slope = [&](std::size_t first, std::size_t at) {
    const double x0 = t[first], x1 = t[first + 1], x2 = t[first + 2], x = t[at];
    const double l0 = ((x - x1) + (x - x2)) / ((x0 - x1) * (x0 - x2));
    const double l1 = ((x - x0) + (x - x2)) / ((x1 - x0) * (x1 - x2));
    const double l2 = ((x - x0) + (x - x1)) / ((x2 - x0) * (x2 - x1));
    return l0 * t2e[first] + l1 * t2e[first + 1] + l2 * t2e[first + 2];
  };
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t first = i == 0 ? 0 : (i == n - 1 ? n - 3 : i - 1);
    w[i] = t[i] * parabola_slope(first, i);
  }
  return w;
}

Estimate jackknife(const std::vector<std::vector<double>>& samples,
                   const std::function<double(const std::vector<double>&)>& estimator) {
  const std::size_t n = samples.size();
  if (n == 0) throw std::invalid_argument("jackknife: no samples");
  const std::size_t length = samples.front().size();
  std::vector<double> total(length, 0.0);
  for (const auto& s : samples) {
    if (s.size() != length) throw std::invalid_argument("jackknife: samples of different length");
    for (std::size_t i = 0; i < length; ++i) total[i] += s[i];
  }
  auto checked = [](double value, const char* which) {
    if (!std::isfinite(value))
      throw std::runtime_error(fmt::format("jackknife: the estimator is not finite on the {}",
                                           which));
    return value;
  };
  std::vector<double> mean(length);
  for (std::size_t i = 0; i < length; ++i) mean[i] = total[i] / double(n);
  Estimate result{checked(estimator(mean), "full sample"), 0.0};
  if (n == 1) return result;
  std::vector<double> leave_one_out(length);
  std::vector<double> values(n);
  double average = 0.0;
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t i = 0; i < length; ++i)
      leave_one_out[i] = (total[i] - samples[c][i]) / double(n - 1);
    values[c] = checked(estimator(leave_one_out), "leave-one-out samples");
    average += values[c] / double(n);
  }
  double variance = 0.0;
  for (double v : values) variance += (v - average) * (v - average);
  result.error = std::sqrt(double(n - 1) / double(n) * variance);
  return result;
}

FlowScales flow_scales(std::span<const double> t, const std::vector<std::vector<double>>& energies,
                       double reference) {
  auto t2e_of = [&](const std::vector<double>& energy) {
    std::vector<double> y(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) y[i] = t[i] * t[i] * energy[i];
    return y;
  };
  auto require = [&](double value, const char* what) {
    if (!std::isfinite(value))
      throw std::runtime_error(fmt::format(
          "{} never reaches {} up to flow time t = {}: flow longer (flow.t_max)", what, reference,
          t.empty() ? 0.0 : t.back()));
    return value;
  };
  auto t0_of = [&](const std::vector<double>& energy) {
    return require(crossing_time(t, t2e_of(energy), reference), "t² E");
  };
  auto w0_of = [&](const std::vector<double>& energy) {
    return std::sqrt(
        require(crossing_time(t, flow_derivative(t, t2e_of(energy)), reference), "t d/dt t² E"));
  };
  FlowScales scales;
  scales.t0 = jackknife(energies, t0_of);
  scales.w0 = jackknife(energies, w0_of);
  scales.sqrt_t0_over_w0 = jackknife(energies, [&](const std::vector<double>& energy) {
    return std::sqrt(t0_of(energy)) / w0_of(energy);
  });
  return scales;
}

}  // namespace fpgauge
