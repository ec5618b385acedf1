#pragma once
// Counter-based random numbers (Philox4x64-10, Random123). A stream is keyed by
// (seed, purpose) and addressed by (index, stream): index = trajectory, sweep or configuration
// number; stream = global site or link number. Every draw is a pure function of these and of its
// position in the stream, so results do not depend on threads, ranks or restarts (SPEC §1).
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace fpgauge {

enum class RngPurpose : std::uint64_t {
  hot_start = 1,
  heatbath = 2,
  overrelaxation = 3,
  hmc_momenta = 4,
  hmc_accept = 5,
  gauge_transformation = 6,
  lcnn_weights = 7,
  training_split = 8,
  training_shuffle = 9,
  fp_start = 10,
  test = 1000,
};

class RngStream {
 public:
  RngStream(std::uint64_t seed, RngPurpose purpose, std::uint64_t index, std::uint64_t stream)
      : key_{{seed, static_cast<std::uint64_t>(purpose)}}, ctr_{{index, stream, 0, 0}} {}

  std::uint64_t bits() {
    if (used_ == 4) {
      block_ = r123::Philox4x64()(ctr_, key_);
      ++ctr_.v[3];
      used_ = 0;
    }
    return block_.v[used_++];
  }
  // Uniform in the open interval (0, 1).
  double uniform() { return (static_cast<double>(bits() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal deviate (Box–Muller; both values of a pair are used).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double phi = 2.0 * M_PI * uniform();
    spare_ = r * std::sin(phi);
    has_spare_ = true;
    return r * std::cos(phi);
  }

 private:
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type ctr_;
  r123::Philox4x64::ctr_type block_{};
  int used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace fpgauge
