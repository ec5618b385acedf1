#pragma once
// Numbers and links as bytes in a file, shared by every configuration format (NERSC, ILDG,
// openQCD). Bytes are assembled explicitly, so the same code runs on hosts of either byte
// order. A link is 9 complex numbers, row-major, each (re, im): the order of NERSC 3x3, ILDG
// and openQCD alike (and of Matrix3 in memory).
#include <bit>
#include <cstddef>
#include <cstdint>

#include "fpgauge/core/Matrix3.h"

namespace fpgauge {

enum class ByteOrder { big, little };

template <class Word>
Word load_word(const unsigned char* p, ByteOrder order) {
  Word w = 0;
  for (std::size_t i = 0; i < sizeof(Word); ++i)
    w = static_cast<Word>(w << 8) | p[order == ByteOrder::big ? i : sizeof(Word) - 1 - i];
  return w;
}

template <class Word>
void store_word(Word w, unsigned char* p, ByteOrder order) {
  for (std::size_t i = 0; i < sizeof(Word); ++i)
    p[order == ByteOrder::big ? sizeof(Word) - 1 - i : i] =
        static_cast<unsigned char>((w >> (8 * i)) & 0xff);
}

// How a file stores its real numbers: IEEE 754 binary32 or binary64 in one byte order.
struct RealCoding {
  int bytes;  // 4 or 8
  ByteOrder order;

  int bits() const { return 8 * bytes; }
  std::size_t link_bytes(int rows = 3) const { return static_cast<std::size_t>(rows) * 6 * bytes; }
};

inline double load_real(const unsigned char* p, RealCoding coding) {
  if (coding.bytes == 4) return std::bit_cast<float>(load_word<std::uint32_t>(p, coding.order));
  return std::bit_cast<double>(load_word<std::uint64_t>(p, coding.order));
}

// 4-byte numbers are rounded to the nearest float.
inline void store_real(double x, unsigned char* p, RealCoding coding) {
  if (coding.bytes == 4)
    store_word(std::bit_cast<std::uint32_t>(static_cast<float>(x)), p, coding.order);
  else
    store_word(std::bit_cast<std::uint64_t>(x), p, coding.order);
}

// The first `rows` rows of a link from link_bytes(rows) bytes; the other rows are zero.
inline SU3 load_link(const unsigned char* p, RealCoding coding, int rows = 3) {
  SU3 m = SU3::zero();
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < 3; ++j) {
      m.e[i][j].re = load_real(p, coding);
      m.e[i][j].im = load_real(p + coding.bytes, coding);
      p += 2 * coding.bytes;
    }
  return m;
}

// All three rows into link_bytes() bytes.
inline void store_link(const SU3& m, unsigned char* p, RealCoding coding) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      store_real(m.e[i][j].re, p, coding);
      store_real(m.e[i][j].im, p + coding.bytes, coding);
      p += 2 * coding.bytes;
    }
}

// The link a file of this coding holds after store_link and load_link: for 4-byte numbers
// every entry rounded to float, otherwise the link itself.
inline SU3 stored_link(const SU3& m, RealCoding coding) {
  if (coding.bytes == 8) return m;
  SU3 r = m;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      r.e[i][j].re = static_cast<float>(m.e[i][j].re);
      r.e[i][j].im = static_cast<float>(m.e[i][j].im);
    }
  return r;
}

}  // namespace fpgauge
