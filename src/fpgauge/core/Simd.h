#pragma once
// A pack of kSimdLanes doubles that behaves as a real scalar, so that Complex<T>, Matrix3<T> and
// the algebra functions instantiated with T = SimdDouble process kSimdLanes independent values
// at once (lane k of every operand belongs to problem k: the structure-of-arrays layout).
// Built on the GCC/Clang vector extension; one pack is one register of the instruction set the
// build targets (FPGAUGE_ARCH): 8 lanes with AVX-512, else 4 (AVX2; two SSE registers without
// it). Arithmetic is lane-wise IEEE double, as for double itself, so a kernel's result for each
// lane does not depend on the lane count.
#include <cstdint>

namespace fpgauge {

#ifdef __AVX512F__
inline constexpr int kSimdLanes = 8;
#else
inline constexpr int kSimdLanes = 4;
#endif

struct SimdDouble {
  using Vector = double __attribute__((vector_size(kSimdLanes * sizeof(double))));
  // Lane indices for permutations: result lane k takes source lane index[k].
  using IndexVector = std::int64_t __attribute__((vector_size(kSimdLanes * sizeof(double))));

  Vector v;

  SimdDouble() = default;  // uninitialised, as double; SimdDouble{} is all zeros
  constexpr SimdDouble(double s) : v(Vector{} + s) {}  // NOLINT: implicit broadcast, as double → T
  constexpr explicit SimdDouble(Vector x) : v(x) {}

  double operator[](int lane) const { return v[lane]; }
  void set(int lane, double x) { v[lane] = x; }

  SimdDouble& operator+=(const SimdDouble& b) { v += b.v; return *this; }
  SimdDouble& operator-=(const SimdDouble& b) { v -= b.v; return *this; }
  SimdDouble& operator*=(const SimdDouble& b) { v *= b.v; return *this; }
  SimdDouble& operator/=(const SimdDouble& b) { v /= b.v; return *this; }

  friend SimdDouble operator+(SimdDouble a, const SimdDouble& b) { return a += b; }
  friend SimdDouble operator-(SimdDouble a, const SimdDouble& b) { return a -= b; }
  friend SimdDouble operator*(SimdDouble a, const SimdDouble& b) { return a *= b; }
  friend SimdDouble operator/(SimdDouble a, const SimdDouble& b) { return a /= b; }
  friend SimdDouble operator-(const SimdDouble& a) { return SimdDouble(-a.v); }
};

// The pack whose lane k is a[index[k]].
inline SimdDouble permute_lanes(const SimdDouble& a, const SimdDouble::IndexVector& index) {
  return SimdDouble(__builtin_shuffle(a.v, index));
}

// In-place transposition of kSimdLanes packs seen as a square matrix: afterwards rows[i][k] is
// what rows[k][i] was. Converts between kSimdLanes records of kSimdLanes doubles and
// kSimdLanes packs of one field each (array-of-structures ↔ structure-of-arrays).
template <int kLanes = kSimdLanes>  // a template so that only one branch is compiled
void transpose_lanes(SimdDouble (&rows)[kLanes]) {
  using V = SimdDouble::Vector;
  using I = SimdDouble::IndexVector;
  if constexpr (kLanes == 4) {
    // Two stages of two-source shuffles: 2×2, then 4×4 blocks.
    const I even{0, 4, 2, 6}, odd{1, 5, 3, 7}, low{0, 1, 4, 5}, high{2, 3, 6, 7};
    const V t0 = __builtin_shuffle(rows[0].v, rows[1].v, even);
    const V t1 = __builtin_shuffle(rows[0].v, rows[1].v, odd);
    const V t2 = __builtin_shuffle(rows[2].v, rows[3].v, even);
    const V t3 = __builtin_shuffle(rows[2].v, rows[3].v, odd);
    rows[0].v = __builtin_shuffle(t0, t2, low);
    rows[1].v = __builtin_shuffle(t1, t3, low);
    rows[2].v = __builtin_shuffle(t0, t2, high);
    rows[3].v = __builtin_shuffle(t1, t3, high);
  } else {
    static_assert(kLanes == 8, "transpose_lanes is written for 4 and 8 lanes");
    // Three stages of two-source shuffles: 2×2, 4×4, then 8×8 blocks.
    const I even{0, 8, 2, 10, 4, 12, 6, 14}, odd{1, 9, 3, 11, 5, 13, 7, 15};
    const I low_pairs{0, 1, 8, 9, 4, 5, 12, 13}, high_pairs{2, 3, 10, 11, 6, 7, 14, 15};
    const I low_half{0, 1, 2, 3, 8, 9, 10, 11}, high_half{4, 5, 6, 7, 12, 13, 14, 15};
    V t[8], q[8];
    for (int i = 0; i < 8; i += 2) {
      t[i] = __builtin_shuffle(rows[i].v, rows[i + 1].v, even);
      t[i + 1] = __builtin_shuffle(rows[i].v, rows[i + 1].v, odd);
    }
    for (int i = 0; i < 8; i += 4) {
      q[i] = __builtin_shuffle(t[i], t[i + 2], low_pairs);           // columns 0, 4
      q[i + 1] = __builtin_shuffle(t[i + 1], t[i + 3], low_pairs);   // columns 1, 5
      q[i + 2] = __builtin_shuffle(t[i], t[i + 2], high_pairs);      // columns 2, 6
      q[i + 3] = __builtin_shuffle(t[i + 1], t[i + 3], high_pairs);  // columns 3, 7
    }
    for (int c = 0; c < 4; ++c) {
      rows[c].v = __builtin_shuffle(q[c], q[c + 4], low_half);
      rows[c + 4].v = __builtin_shuffle(q[c], q[c + 4], high_half);
    }
  }
}

}  // namespace fpgauge
