#include "fpgauge/core/Lbfgs.h"

#include <stdexcept>

namespace fpgauge {

LbfgsVectorOps serial_lbfgs_vector_ops() {
  return {[](const LbfgsVector& a, const LbfgsVector& b) {
            double s = 0.0;
            for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
            return s;
          },
          [](double alpha, const LbfgsVector& x, LbfgsVector& y) {
            for (std::size_t i = 0; i < x.size(); ++i) y[i] += alpha * x[i];
          }};
}

LbfgsHistory::LbfgsHistory(int capacity, LbfgsVectorOps ops)
    : capacity_(capacity), ops_(std::move(ops)) {
  if (capacity < 1) throw std::invalid_argument("L-BFGS: the history must hold at least one pair");
}

LbfgsVector LbfgsHistory::direction(const LbfgsVector& g, double first_scale) const {
  LbfgsVector x = g;
  const std::size_t m = s_.size();
  std::vector<double> alpha(m);
  for (std::size_t i = m; i-- > 0;) {
    alpha[i] = rho_[i] * ops_.dot(s_[i], x);
    ops_.axpy(-alpha[i], y_[i], x);
  }
  const double gamma = m > 0 ? ops_.dot(s_.back(), y_.back()) / ops_.dot(y_.back(), y_.back())
                             : first_scale;
  for (double& v : x) v *= gamma;
  for (std::size_t i = 0; i < m; ++i) {
    const double beta = rho_[i] * ops_.dot(y_[i], x);
    ops_.axpy(alpha[i] - beta, s_[i], x);
  }
  for (double& v : x) v = -v;
  return x;
}

bool LbfgsHistory::add(LbfgsVector s, LbfgsVector y) {
  const double sy = ops_.dot(s, y);
  if (!(sy > 1e-300)) return false;
  s_.push_back(std::move(s));
  y_.push_back(std::move(y));
  rho_.push_back(1.0 / sy);
  if (static_cast<int>(s_.size()) > capacity_) s_.pop_front(), y_.pop_front(), rho_.pop_front();
  return true;
}

void LbfgsHistory::clear() { s_.clear(), y_.clear(), rho_.clear(); }

}  // namespace fpgauge
