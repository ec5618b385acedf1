// Gauge-action kernels: Wilson and Iwasaki forces (GaugeLoopAction::force, the vectorised
// kernel on kSimdLanes sites at once), the Wilson action value, the per-link staple the heatbath
// calls, and an FMA-throughput probe that measures the machine's double-precision peak in the
// same binary.
//
// Counters: ns/link (wall time per link and call, all threads together), sites/s, GFLOP/s.
// UseRealTime: the kernels run on several OpenMP threads, so CPU time of the main thread would
// be meaningless. Arguments: L (an L^4 lattice) and the number of OpenMP threads.
//
// FLOP counts: the real floating-point operations the kernel performs, an FMA counting 2. Not
// counted (they are not floating-point arithmetic): lane permutations, packing into and out of
// the lane layout (LaneField.h), copies, index arithmetic. The timings include all of them.
//   3×3 complex product A·B, A·B†, A†·B: 27 complex multiplications and 18 complex additions,
//   27·6 + 18·2 = 198 (Matrix3.h's multiply-add chains: 108 FMA instructions). 3×3 complex sum:
//   18. Real scalar times matrix: 18.
//   lie_gradient(M) (Su3Algebra.h): 9 complex differences M_ij − conj(M_ji) (18), the trace
//   term (2 additions, 1 multiplication, 3 subtractions), 18 multiplications by 1/4: 42. The
//   factor −1/3 of the force: 18. So "U·Σ → force" costs 198 + 42 + 18 = 258.
//   Wilson force, per link: 6 staples of 2 products each (12·198), summed (the first staple is
//   written, the other 5 added: 5·18), then U·Σ → force (258): 2724.
//   Iwasaki force, per link: the Wilson part, plus 18 rectangles of 4 products each (72·198),
//   17 sums (the first rectangle is written, not added), c0·Σ_plaq, c1·Σ_rect and their sum
//   (3·18): 17340.
//   Wilson value, per site: 6 plaquettes, each 3 products (the value code forms
//   P = (U U)(U U)† in full), Re tr (2), 1 − tr/3 (2) and the running sum (1): 6·599.
//   Per-link staple (scalar, the heatbath's): 12·198 + 5·18 = 2466.
// Peak: measured, not assumed: BM_FmaPeakAvx2/BM_FmaPeakAvx512 run register-resident FMA chains
// at the sustained clock. On the project's 2-core AMD EPYC (Zen 4, family 25), 2026-11-27: 58
// GFLOP/s per core for both widths (two 256-bit FMA pipes at ≈ 3.6 GHz = 16 flop/cycle; a
// 512-bit FMA takes both), 115 GFLOP/s for the machine.
#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <omp.h>

#include "fpgauge/actions/FatLinkAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/LaneField.h"

namespace fpgauge {
namespace {

constexpr double kProduct = 198;
constexpr double kMatrixSum = 18;
constexpr double kScaledMatrix = 18;
constexpr double kForceFromStaple = kProduct + 42 + kScaledMatrix;

constexpr double kWilsonStapleFlops = 12 * kProduct + 5 * kMatrixSum;
constexpr double kWilsonForceFlops = kWilsonStapleFlops + kForceFromStaple;
constexpr double kIwasakiForceFlops = kWilsonStapleFlops + 72 * kProduct + 17 * kMatrixSum +
                                      2 * kScaledMatrix + kMatrixSum + kForceFromStaple;
constexpr double kWilsonValueFlopsPerSite = 6 * (3 * kProduct + 2 + 2 + 1);
static_assert(kWilsonForceFlops == 2724 && kIwasakiForceFlops == 17340);

void set_counters(benchmark::State& state, double sites, double links, double flops_per_call) {
  using benchmark::Counter;
  state.counters["ns/link"] =
      Counter(links * 1e-9, Counter::kIsIterationInvariantRate | Counter::kInvert);
  state.counters["sites/s"] = Counter(sites, Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = Counter(flops_per_call * 1e-9, Counter::kIsIterationInvariantRate);
}

struct Setup {
  std::shared_ptr<const Geometry> geometry;
  GaugeField u;
  explicit Setup(benchmark::State& state)
      : geometry(Geometry::make({int(state.range(0)), int(state.range(0)), int(state.range(0)),
                                 int(state.range(0))})),
        u(random_gauge_field(geometry, 20250101)) {
    omp_set_num_threads(int(state.range(1)));
  }
  double sites() const { return double(geometry->volume()); }
  double links() const { return double(geometry->link_count()); }
};

void run_force(benchmark::State& state, const GaugeLoopAction& action, double flops_per_link) {
  Setup setup(state);
  AlgebraField d(setup.geometry);
  action.force(setup.u, d);  // first call: allocates the lane copy
  for (auto _ : state) {
    action.force(setup.u, d);
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, setup.sites(), setup.links(), flops_per_link * setup.links());
}

void BM_WilsonForce(benchmark::State& state) {
  run_force(state, GaugeLoopAction::wilson(), kWilsonForceFlops);
}
void BM_IwasakiForce(benchmark::State& state) {
  run_force(state, GaugeLoopAction::iwasaki(), kIwasakiForceFlops);
}

void BM_WilsonValue(benchmark::State& state) {
  Setup setup(state);
  const GaugeLoopAction action = GaugeLoopAction::wilson();
  for (auto _ : state) benchmark::DoNotOptimize(action.value(setup.u));
  set_counters(state, setup.sites(), setup.links(), kWilsonValueFlopsPerSite * setup.sites());
}

// Repacking the links into the lane layout, the memory-bound first step of every force call:
// GB/s counts the bytes read (the links) and written (the lane copy).
void BM_LaneCopy(benchmark::State& state) {
  Setup setup(state);
  const LaneLayout layout(*setup.geometry);
  LaneGaugeField lanes(layout);
  lanes.assign(setup.u);
  for (auto _ : state) {
    lanes.assign(setup.u);
    benchmark::ClobberMemory();
  }
  set_counters(state, setup.sites(), setup.links(), 0);
  state.counters["GB/s"] = benchmark::Counter(2 * setup.links() * sizeof(Matrix3d) * 1e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

// The per-link staple the heatbath calls (scalar path, one thread, every link once).
void BM_WilsonStapleScalar(benchmark::State& state) {
  Setup setup(state);
  const GaugeLoopAction action = GaugeLoopAction::wilson();
  const SiteIndex volume = setup.geometry->volume();
  for (auto _ : state) {
    for (SiteIndex s = 0; s < volume; ++s)
      for (int mu = 0; mu < kDimensions; ++mu) {
        SU3 sigma = action.staple(setup.u, s, mu);
        benchmark::DoNotOptimize(sigma);
      }
  }
  set_counters(state, setup.sites(), setup.links(), kWilsonStapleFlops * setup.links());
}

void lattice_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"L", "threads"})
      ->ArgsProduct({{8, 16}, {1, 2}})
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond)
      ->MinTime(0.5);
}

BENCHMARK(BM_WilsonForce)->Apply(lattice_args);
BENCHMARK(BM_IwasakiForce)->Apply(lattice_args);
BENCHMARK(BM_WilsonValue)->Apply(lattice_args);
BENCHMARK(BM_LaneCopy)->Apply(lattice_args);
BENCHMARK(BM_WilsonStapleScalar)
    ->ArgNames({"L", "threads"})
    ->Args({8, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// FMA throughput: 12 independent chains x ← a·b + x of FMAs per thread (latency 4 cycles × 2
// pipes needs at least 8 in flight; 12 + 2 operands fit the 16 AVX2 registers), written as
// inline assembly so that the compiler can neither merge the chains nor spill them. 2 flops
// per lane and FMA. BM_FmaPeakAvx2 uses 4-wide AVX2 FMAs (what the default FPGAUGE_ARCH =
// x86-64-v3 build emits), BM_FmaPeakAvx512 8-wide AVX-512 FMAs, when the CPU has them. The
// machine's peak is the larger of the two: Zen 4 (family 25) splits a 512-bit FMA into two
// 256-bit halves, so both give 16 flop/cycle; Zen 5 (family 26) executes it whole, doubling it.
constexpr int kFmaChains = 12;
constexpr long kFmaSteps = 1 << 20;

template <typename Vector>
[[gnu::always_inline]] inline void fma_chains() {
  Vector x0{}, x1{}, x2{}, x3{}, x4{}, x5{}, x6{}, x7{}, x8{}, x9{}, x10{}, x11{};
  const Vector a = Vector{} + 0.999999999, b = Vector{} + 1e-9;
  for (long i = 0; i < kFmaSteps; ++i) {
    asm volatile(
        "vfmadd231pd %[a], %[b], %[x0]\n\tvfmadd231pd %[a], %[b], %[x1]\n\t"
        "vfmadd231pd %[a], %[b], %[x2]\n\tvfmadd231pd %[a], %[b], %[x3]\n\t"
        "vfmadd231pd %[a], %[b], %[x4]\n\tvfmadd231pd %[a], %[b], %[x5]\n\t"
        "vfmadd231pd %[a], %[b], %[x6]\n\tvfmadd231pd %[a], %[b], %[x7]\n\t"
        "vfmadd231pd %[a], %[b], %[x8]\n\tvfmadd231pd %[a], %[b], %[x9]\n\t"
        "vfmadd231pd %[a], %[b], %[x10]\n\tvfmadd231pd %[a], %[b], %[x11]"
        : [x0] "+v"(x0), [x1] "+v"(x1), [x2] "+v"(x2), [x3] "+v"(x3), [x4] "+v"(x4),
          [x5] "+v"(x5), [x6] "+v"(x6), [x7] "+v"(x7), [x8] "+v"(x8), [x9] "+v"(x9),
          [x10] "+v"(x10), [x11] "+v"(x11)
        : [a] "v"(a), [b] "v"(b));
  }
  benchmark::DoNotOptimize(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
}

[[gnu::target("avx2,fma")]] void fma_chains_avx2() { fma_chains<__m256d>(); }
[[gnu::target("avx512f")]] void fma_chains_avx512() { fma_chains<__m512d>(); }

void run_fma_peak(benchmark::State& state, void (*chains)(), int lanes) {
  const int threads = int(state.range(0));
  omp_set_num_threads(threads);
  for (auto _ : state) {
#pragma omp parallel
    chains();
  }
  const double flops = double(threads) * kFmaSteps * kFmaChains * lanes * 2;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_FmaPeakAvx2(benchmark::State& state) { run_fma_peak(state, fma_chains_avx2, 4); }
BENCHMARK(BM_FmaPeakAvx2)->ArgNames({"threads"})->Arg(1)->Arg(2)->UseRealTime();

void BM_FmaPeakAvx512(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("this CPU has no AVX-512");
    return;
  }
  run_fma_peak(state, fma_chains_avx512, 8);
}
BENCHMARK(BM_FmaPeakAvx512)->ArgNames({"threads"})->Arg(1)->Arg(2)->UseRealTime();

// The fat-link FP ansatz (actions/FatLinkAction.h), degree 4 (14 monomials), one value() and
// one force() per iteration, as the fit's loss evaluation and HMC call them. FLOPs per link,
// with the counts above (each call builds the fat links and plaquette variables itself):
//   fat links and u, w (per call): a staple sum (2466) and (1 − 6c)U + cΣ† (3·18) per link; per
//   site 12 plaquettes of 3 products, Re tr and 3 − tr (597 each): 2520 + 12·597/4 = 4311.
//   value: per plane powers of u and w (8) and 14 monomials (3 each): 4311 + 6·50/4 = 4386.
//   force: the weights f_u, f_w per plane (8 + 10·4 + 10·4) = 6·88/4 = 132 per link; the
//   weighted staple sums on the fat (Γ) and thin links, 6 staples of 2 products, a scaling and
//   a sum each: 2·2592; the reverse pass through the smearing, 3 directions of 10 products and
//   6 sums: 6264; M = U(Σ + (1 − 6c)Γ + c L) − c R U†, D = −lie_gradient(M): 4·18 + 2·198 +
//   2·18 + 42 + 18 = 564. 4311 + 132 + 5184 + 6264 + 564 = 16455.
constexpr double kFatLinkValueFlops = 4386;
constexpr double kFatLinkForceFlops = 16455;

void BM_FatLinkValueAndForce(benchmark::State& state) {
  Setup setup(state);
  std::vector<double> p;
  for (const auto& [k, l] : FatLinkAction::monomials(4)) p.push_back(0.1 / (1 + k + 2 * l));
  const FatLinkAction action(0.1, 4, p);
  AlgebraField d(setup.geometry);
  for (auto _ : state) {
    benchmark::DoNotOptimize(action.value(setup.u));
    action.force(setup.u, d);
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, setup.sites(), setup.links(),
               (kFatLinkValueFlops + kFatLinkForceFlops) * setup.links());
}
BENCHMARK(BM_FatLinkValueAndForce)
    ->ArgNames({"L", "threads"})
    ->ArgsProduct({{8}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fpgauge
