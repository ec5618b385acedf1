#pragma once
// The scalar activations of the L-CNN with their slopes, for double and Dual alike.
#include <cmath>

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/Architecture.h"

namespace fpgauge::nn {

template <class T>
struct ActivationValue {
  T value;  // g(x)
  T slope;  // g'(x)
};

template <class T>
ActivationValue<T> activate(Activation activation, const T& x) {
  using std::exp;
  using std::tanh;
  if (activation == Activation::tanh) {
    const T t = tanh(x);
    return {t, T(1) - t * t};
  }
  const T s = T(1) / (T(1) + exp(-x));  // sigmoid
  return {s, s * (T(1) - s)};
}

}  // namespace fpgauge::nn
