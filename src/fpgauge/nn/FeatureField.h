#pragma once
// The site-local matrix features W_c(x) of the L-CNN (W → Ω(x) W Ω(x)†, SPEC §5), stored
// channel-major, [channel][site][18 reals]: one channel is a contiguous block of 18·V reals, so
// the weight contraction of a layer is a matrix product over (channels) × (18·sites).
#include <vector>

#include "fpgauge/core/Matrix3.h"
#include "fpgauge/lattice/Geometry.h"

namespace fpgauge::nn {

template <class T>
class FeatureField {
 public:
  FeatureField() = default;
  FeatureField(int channels, SiteIndex volume)
      : channels_(channels), volume_(volume), values_(channels * volume) {}

  int channels() const { return channels_; }
  SiteIndex volume() const { return volume_; }
  Matrix3<T>& operator()(int c, SiteIndex s) { return values_[c * volume_ + s]; }
  const Matrix3<T>& operator()(int c, SiteIndex s) const { return values_[c * volume_ + s]; }

 private:
  int channels_ = 0;
  SiteIndex volume_ = 0;
  std::vector<Matrix3<T>> values_;
};

}  // namespace fpgauge::nn
