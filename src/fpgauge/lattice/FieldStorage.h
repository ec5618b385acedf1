#pragma once
// Storage of lattice-sized arrays. Arrays of 2 MiB and more are aligned to 2 MiB and marked for
// transparent huge pages (madvise; Debian's default THP mode is "madvise"): the stencil kernels
// stream the links of a site and of its 8 neighbours from arrays of tens of MB, and with 4 KiB
// pages the TLB misses cost a large part of a 16^4 force evaluation (bench_gauge_force).
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace fpgauge {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t(2) << 20;
  static constexpr std::align_val_t kSmallAlignment{64};

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes, kSmallAlignment));
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (!p) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves 4 KiB pages
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePage)
      ::operator delete(p, kSmallAlignment);
    else
      std::free(p);
  }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <class T>
using FieldVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace fpgauge
