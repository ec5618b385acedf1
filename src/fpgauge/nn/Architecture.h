#pragma once
// The architecture of an L-CNN (SPEC §5) and its readable text form. One item per line or
// separated by ';', '#' starts a comment:
//
//   input plaquettes [rectangles] [centred]
//                                        closed loops at x: the 6 plaquettes P_μν (μ<ν), and
//                                        with `rectangles` the 12 loops R_μν, R_νμ (2×1, 1×2);
//                                        with `centred` each loop minus the unit matrix
//   lcb N [reach=R] [dilation=D] [diagonals]
//                                        L-CB with N output channels; transports by k·D steps
//                                        along ±μ for k = 1..R (default R = D = 1), and with
//                                        `diagonals` from the 24 offsets ±μ̂ ± ν̂ as well
//   act tanh|sigmoid                     L-Act W → g(Re tr W)·W
//   trace                                per-site real features Re tr W_i, Im tr W_i
//   mlp [H1 H2 ...] [act=tanh|sigmoid]   per-site MLP with hidden widths H_k → a(x)
//
// in this order: one `input`, any sequence of `lcb` and `act`, then `trace` and `mlp`.
// Example: "input plaquettes; lcb 12; act tanh; lcb 12; act tanh; trace; mlp 16 16".
// to_string() prints the canonical form (every option spelled out), which parse() reads back.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fpgauge::nn {

// The scalar function of L-Act and of the MLP's hidden layers. Both are smooth, so the action,
// its force and the Hessian-vector products are continuous in the links and the weights.
enum class Activation { tanh, sigmoid };

std::string_view activation_name(Activation activation);

struct LoopInput {
  bool rectangles = false;
  // W = P − 1 instead of P: the same span of functions (L-CB's augmentation holds the unit
  // matrix), but a product of two features is then of second order in the field strength
  // (P − 1 ≈ i a² F), not a mix of orders 0, 1 and 2 tied to one weight.
  bool centred = false;
  int channels() const { return rectangles ? 18 : 6; }
  // How far the loops at x reach in the positive direction (sites x .. x+extent).
  int extent() const { return rectangles ? 2 : 1; }
  bool operator==(const LoopInput&) const = default;
};

// L-CB (the paper's eq. 18, SPEC §5): W_out,i(x) = Σ_{v,w} ω_{ivw} Ŵ_v(x) T̂_w(x), with
// Ŵ = (W_1..W_C, W_1†..W_C†, 1) and T̂ = (T_1..T_n, T_1†..T_n†, 1), T the input channels
// transported to x from the offsets 0 and ±k·dilation·μ̂ (k = 1..reach, μ = 0..3), and with
// diagonals from ±μ̂ ± ν̂ (μ < ν) along the mean of the two shortest paths (WilsonLines.h).
// Without them a product of two features at x couples field strengths at straight offsets
// only; couplings at diagonal offsets then need a second layer and enough channels between the
// two (docs/results.md, "The quadratic-form floor").
constexpr int kDiagonals = 24;  // the offsets ±μ̂ ± ν̂, μ < ν
struct LcbLayer {
  int channels = 0;
  int reach = 1;
  int dilation = 1;
  bool diagonals = false;
  bool operator==(const LcbLayer&) const = default;
};

// L-Act: W_i(x) → g(Re tr W_i(x)) W_i(x). g depends on Re tr only, which is even under
// W → W* (charge conjugation of the loops).
struct ActLayer {
  Activation activation = Activation::tanh;
  bool operator==(const ActLayer&) const = default;
};

using MatrixLayer = std::variant<LcbLayer, ActLayer>;

// trace, then a(x) = A_K act(… act(A_1 t(x) + b_1) …) + b_K with one output.
struct MlpHead {
  std::vector<int> hidden;
  Activation activation = Activation::tanh;
  bool operator==(const MlpHead&) const = default;
};

// a(x) depends on the links between the sites x − below and x + above along every axis.
struct ReceptiveField {
  int below = 0;
  int above = 0;
  int side() const { return below + above + 1; }
  bool operator==(const ReceptiveField&) const = default;
};

struct Architecture {
  LoopInput input;
  std::vector<MatrixLayer> layers;
  MlpHead head;

  // Throws std::invalid_argument naming the item, its position and what was expected.
  static Architecture parse(std::string_view text);
  std::string to_string() const;

  // Channels of the features after `layers[i]`; input_channels() before the first.
  int input_channels() const { return input.channels(); }
  int channels_after(std::size_t i) const;
  int output_channels() const;

  // The weights are one vector: every L-CB layer in order, then the MLP layers (each its
  // matrix [out][in] row-major, then its bias).
  std::int64_t layer_parameter_count(std::size_t i) const;
  std::int64_t head_parameter_count() const;
  std::int64_t parameter_count() const;
  // The longest straight Wilson line any layer transports along (reach·dilation).
  int max_transport_length() const;
  // Whether any layer transports from diagonal offsets.
  bool uses_diagonals() const;
  ReceptiveField receptive_field() const;

  bool operator==(const Architecture&) const = default;
};

// Sizes of the L-CB contraction for C input channels (weights ω[i][v][w], row-major).
struct LcbShape {
  int in_channels;   // C
  int out_channels;  // N
  int offsets;       // 1 + 8·reach (+ 24): the offsets 0, ±k·dilation·μ̂ (and ±μ̂ ± ν̂)
  int transported() const { return offsets * in_channels; }    // n_T
  int left_factors() const { return 2 * in_channels + 1; }     // |Ŵ|
  int right_factors() const { return 2 * transported() + 1; }  // |T̂|
  std::int64_t weight_count() const {
    return std::int64_t(out_channels) * left_factors() * right_factors();
  }
};

LcbShape lcb_shape(const LcbLayer& layer, int in_channels);

}  // namespace fpgauge::nn
