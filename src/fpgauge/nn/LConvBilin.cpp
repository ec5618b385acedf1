#include "fpgauge/nn/LConvBilin.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "fpgauge/core/Dual.h"
#include "fpgauge/nn/DenseProduct.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {
namespace {

// Sites per dense product. The product is [N·|Ŵ|] × [|T̂|] × [18·sites]; OpenBLAS runs it as
// fast with 4 sites (72 columns) as with 16 (bench/bench_lcnn.cpp, BM_LcbForward and
// BM_LcbReverse), and the scratch of a thread, T̂ and M of one chunk, stays small (0.3 MB for
// 12 → 12 channels): it counts against the memory of value + force.
constexpr SiteIndex kChunkSites = 4;

// The rows of the dense products hold the 18 real components of a 3×3 matrix per site, in
// Matrix3's memory order (e[i][j].re, e[i][j].im). A Dual matrix takes two planes: the values
// of the whole row first, then the tangents, `plane` doubles further on.
template <class T>
struct PlanarRows;

template <>
struct PlanarRows<double> {
  static constexpr int planes = 1;
  static void store(double* p, std::size_t, const Matrix3d& m) { std::memcpy(p, &m, sizeof m); }
  static void load(const double* p, std::size_t, Matrix3d& m) {
    std::memcpy(static_cast<void*>(&m), p, sizeof m);
  }
  // The component (i, j) of m† is conj(m_ji).
  static void store_adjoint(double* p, std::size_t, const Matrix3d& m) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        p[6 * i + 2 * j] = m.e[j][i].re;
        p[6 * i + 2 * j + 1] = -m.e[j][i].im;
      }
  }
  static double scalar(const double* p, std::size_t, std::size_t k) { return p[k]; }
};

template <>
struct PlanarRows<Dual> {
  static constexpr int planes = 2;
  static void store(double* p, std::size_t plane, const Matrix3<Dual>& m) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const Complex<Dual>& z = m.e[i][j];
        double* q = p + 6 * i + 2 * j;
        q[0] = z.re.value;
        q[1] = z.im.value;
        q[plane] = z.re.tangent;
        q[plane + 1] = z.im.tangent;
      }
  }
  static void load(const double* p, std::size_t plane, Matrix3<Dual>& m) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const double* q = p + 6 * i + 2 * j;
        m.e[i][j] = {Dual(q[0], q[plane]), Dual(q[1], q[plane + 1])};
      }
  }
  static void store_adjoint(double* p, std::size_t plane, const Matrix3<Dual>& m) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const Complex<Dual>& z = m.e[j][i];
        double* q = p + 6 * i + 2 * j;
        q[0] = z.re.value;
        q[1] = -z.im.value;
        q[plane] = z.re.tangent;
        q[plane + 1] = -z.im.tangent;
      }
  }
  static Dual scalar(const double* p, std::size_t plane, std::size_t k) {
    return {p[k], p[plane + k]};
  }
};

// One chunk [begin, end) of sites: a row of the dense products holds `planes` planes of
// 18·(end − begin) doubles; rows are `row` doubles apart (room for kChunkSites sites).
struct Chunk {
  SiteIndex begin, end;
  std::size_t row;
  int planes;
  std::size_t plane() const { return 18 * static_cast<std::size_t>(end - begin); }
  int columns() const { return static_cast<int>(planes * plane()); }
  std::size_t site(SiteIndex s) const { return 18 * static_cast<std::size_t>(s - begin); }
};

// Scratch rows of a block, left uninitialised: every entry a chunk reads was written before
// (by the gather or by a dense product with beta = 0, which OpenBLAS writes without reading).
std::unique_ptr<double[]> scratch_rows(std::size_t rows, std::size_t row) {
  return std::unique_ptr<double[]>(new double[rows * row]);
}

// body(chunk) for the chunks of at most kChunkSites sites of a block, in order.
template <class F>
void for_each_chunk(SiteIndex block_begin, SiteIndex block_end, std::size_t row, int planes,
                    F&& body) {
  for (SiteIndex begin = block_begin; begin < block_end; begin += kChunkSites)
    body(Chunk{begin, std::min(block_end, begin + kChunkSites), row, planes});
}

}  // namespace

LConvBilin::LConvBilin(const LcbLayer& layer, int in_channels)
    : shape_(lcb_shape(layer, in_channels)) {
  for (const int sign : {+1, -1})
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int k = 1; k <= layer.reach; ++k) offsets_.push_back({mu, sign * k * layer.dilation});
  if (layer.diagonals)
    for (int d = 0; d < kDiagonals; ++d) offsets_.push_back({0, 0, d});
}

template <class T>
void LConvBilin::gather_t_hat(const WilsonLines<T>& lines, const FeatureField<T>& in,
                              SiteIndex begin, SiteIndex end, double* t_hat,
                              std::size_t row) const {
  using Rows = PlanarRows<T>;
  const int channels = shape_.in_channels, n = shape_.transported();
  const std::size_t plane = 18 * static_cast<std::size_t>(end - begin);
  const Matrix3<T> unit = Matrix3<T>::identity();
  Matrix3<T> lw, t;
  for (SiteIndex s = begin; s < end; ++s) {
    double* site = t_hat + 18 * static_cast<std::size_t>(s - begin);
    auto put = [&](int index, const Matrix3<T>& m) {  // T̂ rows index (T) and n + index (T†)
      Rows::store(site + index * row, plane, m);
      Rows::store_adjoint(site + (n + index) * row, plane, m);
    };
    for (int j = 0; j < channels; ++j) put(j, in(j, s));
    for (std::size_t o = 1; o <= offsets_.size(); ++o) {
      const auto [mu, steps, diagonal] = offsets_[o - 1];
      const int t0 = static_cast<int>(o) * channels;
      // From y = x + d: L W(y) L† with L = D_d(x), from y = x + nμ̂ the same with L = L_n(x),
      // from y = x − nμ̂: L† W(y) L with L = L_n(y).
      const bool ahead = diagonal >= 0 || steps > 0;
      const SiteIndex y =
          diagonal >= 0 ? lines.diagonal_shifted(diagonal, s) : lines.shifted(mu, steps, s);
      const Matrix3<T>& l = diagonal >= 0 ? lines.diagonal_line(diagonal, s)
                                          : lines.line(mu, std::abs(steps), ahead ? s : y);
      for (int j = 0; j < channels; ++j) {
        if (ahead) {
          mul_into(lw, l, in(j, y));
          mul_adj_into(t, lw, l);
        } else {
          adj_mul_into(lw, l, in(j, y));
          mul_into(t, lw, l);
        }
        put(t0 + j, t);
      }
    }
    Rows::store(site + 2 * n * row, plane, unit);
  }
}

template <class T>
void LConvBilin::contract(std::span<const double> weights, const double* t_hat, SiteIndex begin,
                          SiteIndex end, double* m, std::size_t row,
                          const ContractionValues* known) const {
  constexpr int planes = PlanarRows<T>::planes;
  const int n_right = shape_.right_factors();
  const int m_rows = shape_.out_channels * shape_.left_factors();
  const std::size_t plane = 18 * static_cast<std::size_t>(end - begin);
  const int ld = static_cast<int>(row);
  // M[(i,v)] = Σ_w ω[i][v][w] T̂_w
  if (!known) {
    dense_product(Transpose::no, Transpose::no, m_rows, static_cast<int>(planes * plane),
                  n_right, weights.data(), n_right, t_hat, ld, 0.0, m, ld);
    return;
  }
  for (int r = 0; r < m_rows; ++r)
    std::memcpy(m + r * row, known->m.data() + r * known->row + 18 * std::size_t(begin),
                plane * sizeof(double));
  if constexpr (planes == 2)  // the weights are real: M' = ω·T̂'
    dense_product(Transpose::no, Transpose::no, m_rows, static_cast<int>(plane), n_right,
                  weights.data(), n_right, t_hat + plane, ld, 0.0, m + plane, ld);
}

template <class T>
void LConvBilin::forward(std::span<const double> weights, const WilsonLines<T>& lines,
                         const FeatureField<T>& in, FeatureField<T>& out,
                         const ContractionValues* known, ContractionValues* keep) const {
  using Rows = PlanarRows<T>;
  const int channels = shape_.in_channels;
  const int n_left = shape_.left_factors(), n_right = shape_.right_factors();
  const int m_rows = shape_.out_channels * n_left;
  const std::size_t row = Rows::planes * 18 * static_cast<std::size_t>(kChunkSites);
  out = FeatureField<T>(shape_.out_channels, in.volume());
  if (keep) {
    keep->row = 18 * static_cast<std::size_t>(in.volume());
    keep->m.resize(m_rows * keep->row);
  }
  use_sequential_dense_products();
  for_each_site_block(in.volume(), [&](SiteIndex block_begin, SiteIndex block_end) {
    const auto t_hat = scratch_rows(n_right, row), m = scratch_rows(m_rows, row);
    for_each_chunk(block_begin, block_end, row, Rows::planes, [&](const Chunk& chunk) {
      gather_t_hat(lines, in, chunk.begin, chunk.end, t_hat.get(), row);
      contract<T>(weights, t_hat.get(), chunk.begin, chunk.end, m.get(), row, known);
      if (keep)
        for (int r = 0; r < m_rows; ++r)
          std::memcpy(keep->m.data() + r * keep->row + 18 * std::size_t(chunk.begin),
                      m.get() + r * row, chunk.plane() * sizeof(double));
      Matrix3<T> sum, m_iv;
      for (SiteIndex s = chunk.begin; s < chunk.end; ++s) {
        for (int i = 0; i < shape_.out_channels; ++i) {
          // W_out,i = Σ_v Ŵ_v M_iv, Ŵ = (W_1..W_C, W_1†..W_C†, 1)
          const double* m_i = m.get() + std::size_t(i) * n_left * row + chunk.site(s);
          Rows::load(m_i + 2 * channels * row, chunk.plane(), sum);
          for (int v = 0; v < channels; ++v) {
            Rows::load(m_i + v * row, chunk.plane(), m_iv);
            mul_add(sum, in(v, s), m_iv);
            Rows::load(m_i + (channels + v) * row, chunk.plane(), m_iv);
            adj_mul_add(sum, in(v, s), m_iv);
          }
          out(i, s) = sum;
        }
      }
    });
  });
}

template <class T>
void LConvBilin::reverse(std::span<const double> weights, const WilsonLines<T>& lines,
                         const FeatureField<T>& in, const FeatureField<T>& out_adjoint,
                         FeatureField<T>* in_adjoint, std::span<T> weight_gradient,
                         std::vector<Matrix3<T>>* line_adjoint, const ContractionValues* known,
                         const GradientCombination* combination) const {
  using Rows = PlanarRows<T>;
  const int channels = shape_.in_channels, n = shape_.transported();
  const int n_left = shape_.left_factors(), n_right = shape_.right_factors();
  const int m_rows = shape_.out_channels * n_left;
  const std::size_t row = Rows::planes * 18 * static_cast<std::size_t>(kChunkSites);
  const SiteIndex volume = in.volume();
  const bool want_gradient = !weight_gradient.empty();
  // T̂ enters the products M = ω·T̂ (its tangents, if the values of M are known) and ∇_ω.
  const bool want_t_hat = !known || Rows::planes == 2 || want_gradient;
  const std::size_t weight_count = std::size_t(m_rows) * n_right;
  // The combination α g + β g' is one plane; g + g'ε two.
  const int gradient_planes = combination ? 1 : Rows::planes;
  if (in_adjoint) *in_adjoint = FeatureField<T>(channels, volume);
  // The adjoints of the transported features (offsets >= 1), site by site where they were
  // used; the transports' reverse below gathers them at the sites they came from.
  FeatureField<T> transported_adjoint(in_adjoint ? n - channels : 0, volume);
  use_sequential_dense_products();

  // Chunk by chunk: M = ω T̂ again (or its kept values); with out = Σ_v Ŵ_v M_v,
  // G_Ŵ_v = G M_v† and G_M_v = Ŵ_v† G (in place of M); ∇_ω += G_M T̂ᵀ; G_T̂ = ωᵀ G_M, and
  // T̂ = (T, T†, 1) gives G_T = G_T̂_t + (G_T̂_{n+t})†; without in_adjoint, only ∇_ω. The
  // weight gradient is summed per block of sites, in planes (values, then tangents, or their
  // combination), and then over the blocks in order (SiteBlocks.h).
  const SiteBlocks blocks(volume);
  std::vector<std::unique_ptr<double[]>> block_gradient(want_gradient ? blocks.count : 0);
  for_each_site_block(volume, [&](SiteIndex block_begin, SiteIndex block_end) {
    const auto t_hat = scratch_rows(n_right, row), m = scratch_rows(m_rows, row);
    double* gradient = nullptr;
    if (want_gradient) {
      auto& planes = block_gradient[block_begin / blocks.size];
      planes.reset(new double[gradient_planes * weight_count]());
      gradient = planes.get();
    }
    for_each_chunk(block_begin, block_end, row, Rows::planes, [&](const Chunk& chunk) {
      const std::size_t plane = chunk.plane();
      const int ld = static_cast<int>(row);
      if (want_t_hat) gather_t_hat(lines, in, chunk.begin, chunk.end, t_hat.get(), row);
      contract<T>(weights, t_hat.get(), chunk.begin, chunk.end, m.get(), row, known);
      Matrix3<T> m_iv, g_m;
      for (SiteIndex s = chunk.begin; s < chunk.end; ++s) {
        for (int i = 0; i < shape_.out_channels; ++i) {
          const Matrix3<T>& g = out_adjoint(i, s);
          double* m_i = m.get() + std::size_t(i) * n_left * row + chunk.site(s);
          for (int v = 0; v < channels; ++v) {
            // Ŵ_v = W_v: G_W += G M†, G_M = W† G
            if (in_adjoint) {
              Rows::load(m_i + v * row, plane, m_iv);
              mul_adj_add((*in_adjoint)(v, s), g, m_iv);
            }
            adj_mul_into(g_m, in(v, s), g);
            Rows::store(m_i + v * row, plane, g_m);
            // Ŵ_v = W_v†: G_W += (G M†)† = M G†, G_M = W G
            if (in_adjoint) {
              Rows::load(m_i + (channels + v) * row, plane, m_iv);
              mul_adj_add((*in_adjoint)(v, s), m_iv, g);
            }
            mul_into(g_m, in(v, s), g);
            Rows::store(m_i + (channels + v) * row, plane, g_m);
          }
          Rows::store(m_i + 2 * channels * row, plane, g);  // Ŵ = 1: G_M = G
        }
      }
      if (want_gradient) {
        // ∇_ω[(i,v)][w] += Σ_sites Σ_18 G_M · T̂_w; for Dual the value G_M·T̂ and the tangent
        // G_M'·T̂ + G_M·T̂'.
        const int k = static_cast<int>(plane);
        if (Rows::planes == 2 && combination) {
          // α G_M·T̂ + β (G_M'·T̂ + G_M·T̂') = [G_M | G_M'] · [αT̂ + βT̂' | βT̂]ᵀ: one product
          // over both planes, with T̂ (not needed after this) rewritten in place.
          const auto [alpha, beta] = *combination;
          for (int w = 0; w < n_right; ++w) {
            double* t = t_hat.get() + w * row;
            for (std::size_t c = 0; c < plane; ++c) {
              const double value = t[c];
              t[c] = alpha * value + beta * t[plane + c];
              t[plane + c] = beta * value;
            }
          }
          dense_product(Transpose::no, Transpose::yes, m_rows, n_right, 2 * k, m.get(), ld,
                        t_hat.get(), ld, 1.0, gradient, n_right);
        } else {
          dense_product(Transpose::no, Transpose::yes, m_rows, n_right, k, m.get(), ld,
                        t_hat.get(), ld, 1.0, gradient, n_right);
          if constexpr (Rows::planes == 2) {
            double* tangent = gradient + weight_count;
            dense_product(Transpose::no, Transpose::yes, m_rows, n_right, k, m.get() + plane, ld,
                          t_hat.get(), ld, 1.0, tangent, n_right);
            dense_product(Transpose::no, Transpose::yes, m_rows, n_right, k, m.get(), ld,
                          t_hat.get() + plane, ld, 1.0, tangent, n_right);
          }
        }
      }
      if (!in_adjoint) return;
      // G_T̂ = ωᵀ G_M for the rows of T and T† (the unit row has no adjoint), into t_hat.
      dense_product(Transpose::yes, Transpose::no, 2 * n, chunk.columns(), m_rows,
                    weights.data(), n_right, m.get(), ld, 0.0, t_hat.get(), ld);
      Matrix3<T> g_a, g_b;
      for (SiteIndex s = chunk.begin; s < chunk.end; ++s) {
        const double* site = t_hat.get() + chunk.site(s);
        for (int t = 0; t < n; ++t) {
          Rows::load(site + t * row, plane, g_a);
          Rows::load(site + (n + t) * row, plane, g_b);
          Matrix3<T>& g_t =
              t < channels ? (*in_adjoint)(t, s) : transported_adjoint(t - channels, s);
          g_t += g_a;
          g_t += adj(g_b);
        }
      }
    });
  });
  for (const std::unique_ptr<double[]>& planes : block_gradient)
    for (std::size_t k = 0; k < weight_count; ++k)
      weight_gradient[k] +=
          combination ? T(planes[k]) : Rows::scalar(planes.get(), weight_count, k);
  if (!in_adjoint) return;

  // The transports, gathered at the site y that receives: T(x) = L W(y) L† with
  // G_W(y) += L† G_T L and G_L += G_T L W† + G_T† L W (and the mirror image for −μ). A
  // diagonal transport D_d(x) from y is written by the one y = x + d, so no two threads write
  // one entry.
  for_each_site(volume, [&](SiteIndex y) {
    Matrix3<T> a, b;
    for (std::size_t o = 1; o <= offsets_.size(); ++o) {
      const auto [mu, steps, diagonal] = offsets_[o - 1];
      const int t0 = static_cast<int>(o - 1) * channels;  // in transported_adjoint
      if (diagonal >= 0) {  // T(x) = D W(y) D†, x = y − d
        const SiteIndex x = lines.diagonal_shifted(opposite_diagonal(diagonal), y);
        const Matrix3<T>& l = lines.diagonal_line(diagonal, x);
        Matrix3<T>* g_line =
            line_adjoint ? &(*line_adjoint)[lines.diagonal_index(diagonal, x)] : nullptr;
        for (int j = 0; j < channels; ++j) {
          const Matrix3<T>& g_t = transported_adjoint(t0 + j, x);
          adj_mul_into(a, l, g_t);
          mul_add((*in_adjoint)(j, y), a, l);
          if (g_line) {  // G_D += G_T D W† + G_T† D W
            mul_adj_into(a, l, in(j, y));
            mul_add(*g_line, g_t, a);
            mul_into(b, l, in(j, y));
            adj_mul_add(*g_line, g_t, b);
          }
        }
        continue;
      }
      const int length = std::abs(steps);
      const SiteIndex x = lines.shifted(mu, -steps, y);  // where W(y) was transported to
      if (steps > 0) {  // T(x) = L_n(x) W(y) L_n(x)†, x = y − nμ̂
        const Matrix3<T>& l = lines.line(mu, length, x);
        for (int j = 0; j < channels; ++j) {
          adj_mul_into(a, l, transported_adjoint(t0 + j, x));
          mul_add((*in_adjoint)(j, y), a, l);
        }
        if (line_adjoint) {  // the line from y carries W(y + nμ̂) to y
          const SiteIndex z = lines.shifted(mu, length, y);
          const Matrix3<T>& ly = lines.line(mu, length, y);
          Matrix3<T>& g_line = (*line_adjoint)[lines.index(mu, length, y)];
          for (int j = 0; j < channels; ++j) {
            const Matrix3<T>& g_t = transported_adjoint(t0 + j, y);
            mul_adj_into(a, ly, in(j, z));
            mul_add(g_line, g_t, a);
            mul_into(b, ly, in(j, z));
            adj_mul_add(g_line, g_t, b);
          }
        }
      } else {  // T(x) = L_n(y)† W(y) L_n(y), x = y + nμ̂
        const Matrix3<T>& l = lines.line(mu, length, y);
        Matrix3<T>* g_line = line_adjoint ? &(*line_adjoint)[lines.index(mu, length, y)] : nullptr;
        for (int j = 0; j < channels; ++j) {
          const Matrix3<T>& g_t = transported_adjoint(t0 + j, x);
          mul_into(a, l, g_t);
          mul_adj_add((*in_adjoint)(j, y), a, l);
          if (g_line) {  // G_L += W L G_T† + W† L G_T
            mul_into(a, in(j, y), l);
            mul_adj_add(*g_line, a, g_t);
            adj_mul_into(b, in(j, y), l);
            mul_add(*g_line, b, g_t);
          }
        }
      }
    }
  });
}

template void LConvBilin::forward(std::span<const double>, const WilsonLines<double>&,
                                  const FeatureField<double>&, FeatureField<double>&,
                                  const ContractionValues*, ContractionValues*) const;
template void LConvBilin::forward(std::span<const double>, const WilsonLines<Dual>&,
                                  const FeatureField<Dual>&, FeatureField<Dual>&,
                                  const ContractionValues*, ContractionValues*) const;
template void LConvBilin::reverse(std::span<const double>, const WilsonLines<double>&,
                                  const FeatureField<double>&, const FeatureField<double>&,
                                  FeatureField<double>*, std::span<double>,
                                  std::vector<Matrix3<double>>*, const ContractionValues*,
                                  const GradientCombination*) const;
template void LConvBilin::reverse(std::span<const double>, const WilsonLines<Dual>&,
                                  const FeatureField<Dual>&, const FeatureField<Dual>&,
                                  FeatureField<Dual>*, std::span<Dual>,
                                  std::vector<Matrix3<Dual>>*, const ContractionValues*,
                                  const GradientCombination*) const;

}  // namespace fpgauge::nn
