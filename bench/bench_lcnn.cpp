// The L-CNN engine (nn/): the default model's value, value + force, and one training step
// (value + force + weight gradient + the Hessian-vector product of the derivative loss, through
// LcnnTrainingPass and through LcnnModel's separate calls), and the L-CB kernel alone, forward
// and reverse.
//
// Default model (issue 5: 3 L-CB layers, 12 channels, nearest-neighbour reach):
//   input plaquettes; lcb 12; act tanh; lcb 12; act tanh; lcb 12; act tanh; trace; mlp 16
// Arguments: L (an L^4 lattice) and the number of OpenMP threads, for the L-CB kernel also
// whether it transports from the diagonal offsets (33 offsets instead of 9). UseRealTime: the
// work runs on OpenMP threads, so the main thread's CPU time would be meaningless.
//
// Counters (the time per call is the benchmark's own column):
//   sites/s    — lattice sites per second;
//   x_value    — the time of the call over the time of value() on the same lattice and thread
//                count, measured in the same process just before (targets: value + force ≤ 4,
//                training step ≤ 10); x_value_cpu the same ratio of CPU times (all threads),
//                which a loaded machine disturbs less;
//   mem_MB     — peak heap growth during one call (every operator new is counted below), and
//   mem/features — the same over the bytes of the features one forward pass stores (target
//                ≤ 3 for value + force). OpenBLAS's own buffers (allocated once per thread) are
//                not counted.
//   GFLOP/s    — for the L-CB kernel: the dense products (2·m·n·k each) and the 3×3 complex
//                products at 198 flops each (27 complex multiplications, 18 complex additions;
//                accumulation and the adjoint copies not counted).
// Peak for peak_fraction: 16 DP flop/cycle/core (two 256-bit FMA pipes; the Zen 4 cores split
// AVX-512 FMAs into two halves, so OpenBLAS's AVX-512 kernels have the same peak) at the
// sustained clock of ≈ 3.6 GHz = 57.6 GFLOP/s per core, as bench_gauge_force's BM_FmaPeakAvx2
// and BM_FmaPeakAvx512 measure it (58 GFLOP/s, 2026-11-27). Target: the L-CB kernel ≥ 25 %.
// The main thread's CPU time (second column) is the honest figure for one thread when other
// jobs share the cores.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <omp.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <new>
#include <string>

#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/nn/LConvBilin.h"
#include "fpgauge/nn/LcnnEvaluation.h"
#include "fpgauge/nn/LcnnModel.h"
#include "fpgauge/nn/LcnnTrainingPass.h"

// Heap accounting: current and peak bytes of every operator new of the process.
namespace {
std::atomic<long long> g_heap_now{0}, g_heap_peak{0};

void* counted_allocation(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (!p) throw std::bad_alloc();
  const long long now = g_heap_now += static_cast<long long>(malloc_usable_size(p));
  long long peak = g_heap_peak.load();
  while (now > peak && !g_heap_peak.compare_exchange_weak(peak, now)) {
  }
  return p;
}

void counted_release(void* p) noexcept {
  if (!p) return;
  g_heap_now -= static_cast<long long>(malloc_usable_size(p));
  std::free(p);
}
}  // namespace

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
void operator delete(void* p) noexcept { counted_release(p); }
void operator delete[](void* p) noexcept { counted_release(p); }
void operator delete(void* p, std::size_t) noexcept { counted_release(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_release(p); }

namespace fpgauge::nn {
namespace {

constexpr const char* kDefaultModel =
    "input plaquettes; lcb 12; act tanh; lcb 12; act tanh; lcb 12; act tanh; trace; mlp 16";
constexpr double kPeakPerCore = 3.6e9 * 16;  // flop/s, see the top of the file
constexpr double kProduct = 198;

struct Setup {
  std::shared_ptr<const Geometry> geometry;
  GaugeField u;
  LcnnModel model;
  explicit Setup(benchmark::State& state)
      : geometry(Geometry::make({int(state.range(0)), int(state.range(0)), int(state.range(0)),
                                 int(state.range(0))})),
        u(random_gauge_field(geometry, 20250101)),
        model(LcnnModel::random(Architecture::parse(kDefaultModel), 1)) {
    omp_set_num_threads(int(state.range(1)));
  }
  int threads(benchmark::State& state) const { return int(state.range(1)); }
};

// Bytes of the features one forward pass stores (the input loops and every layer's output).
double stored_feature_bytes(const LcnnModel& model, SiteIndex volume) {
  const Architecture& a = model.architecture();
  double channels = a.input_channels();
  for (std::size_t i = 0; i < a.layers.size(); ++i) channels += a.channels_after(i);
  return channels * double(volume) * sizeof(Matrix3d);
}

// Peak heap growth during one call of f.
template <class F>
double peak_heap_bytes(F&& f) {
  const long long before = g_heap_now.load();
  g_heap_peak = before;
  f();
  return double(g_heap_peak.load() - before);
}

// CPU seconds of all threads of the process: on a shared, oversubscribed machine the ratio of
// two calls' CPU times measures their work better than the ratio of their wall times.
double process_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Seconds {
  double wall = 0, cpu = 0;
};

// Wall and CPU seconds of one call of f (the best of `repeat`).
template <class F>
Seconds best_seconds(F&& f, int repeat) {
  Seconds best{1e300, 1e300};
  for (int k = 0; k < repeat; ++k) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu = process_cpu_seconds();
    f();
    best.cpu = std::min(best.cpu, process_cpu_seconds() - cpu);
    best.wall = std::min(
        best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// One value() call, for the "x value" ratios.
Seconds value_seconds(const Setup& setup) {
  return best_seconds([&] { benchmark::DoNotOptimize(setup.model.value(setup.u)); }, 3);
}

// Runs the benchmark loop over f and sets the counters. x_value: the mean wall time per call
// over value's (if value_time is given); x_value_cpu: the same for the best CPU time of two
// extra calls.
template <class F>
void run_and_count(benchmark::State& state, const Setup& setup, Seconds value_time,
                   double memory_bytes, F&& f) {
  using benchmark::Counter;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) f();
  const double per_call =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
      double(state.iterations());
  const double volume = double(setup.geometry->volume());
  state.counters["sites/s"] = Counter(volume, Counter::kIsIterationInvariantRate);
  if (value_time.wall > 0) {
    state.counters["x_value"] = per_call / value_time.wall;
    state.counters["x_value_cpu"] = best_seconds(f, 2).cpu / value_time.cpu;
  }
  state.counters["mem/features"] =
      memory_bytes / stored_feature_bytes(setup.model, setup.geometry->volume());
  state.counters["mem_MB"] = memory_bytes / 1e6;
}

void BM_Value(benchmark::State& state) {
  Setup setup(state);
  auto value = [&] { benchmark::DoNotOptimize(setup.model.value(setup.u)); };
  run_and_count(state, setup, Seconds{}, peak_heap_bytes(value), value);
}

void BM_ValueForce(benchmark::State& state) {
  Setup setup(state);
  const Seconds value_time = value_seconds(setup);
  AlgebraField d;
  auto value_force = [&] {
    benchmark::DoNotOptimize(setup.model.evaluate(setup.u, &d, nullptr));
    benchmark::ClobberMemory();
  };
  run_and_count(state, setup, value_time, peak_heap_bytes(value_force), value_force);
}

// One training step of the loss (SPEC §6) for one configuration: A_θ and the force, then the
// loss gradient α ∇_θ A_θ + β ∇_θ Σ r·∂A_θ with the residual r (here the force itself, as for a
// zero label) from one dual pass, through LcnnTrainingPass (one kept forward pass).
void BM_TrainingStep(benchmark::State& state) {
  Setup setup(state);
  const Seconds value_time = value_seconds(setup);
  AlgebraField d;
  std::vector<double> gradient;
  auto step = [&] {
    const LcnnTrainingPass pass(setup.model, setup.u);
    benchmark::DoNotOptimize(pass.value());
    pass.force(d);
    gradient = pass.loss_gradient(0.5, d, 0.25);
    benchmark::DoNotOptimize(gradient.data());
  };
  run_and_count(state, setup, value_time, peak_heap_bytes(step), step);
}

// The same step through LcnnModel's separate calls, evaluate() and hessian_vector_product()
// (∇_θ A_θ and the product apart), which run the forward pass at U twice.
void BM_TrainingStepSeparateCalls(benchmark::State& state) {
  Setup setup(state);
  const Seconds value_time = value_seconds(setup);
  AlgebraField d;
  std::vector<double> gradient, product;
  auto step = [&] {
    benchmark::DoNotOptimize(setup.model.evaluate(setup.u, &d, nullptr));
    product = setup.model.hessian_vector_product(setup.u, d, &gradient);
    benchmark::DoNotOptimize(product.data());
  };
  run_and_count(state, setup, value_time, peak_heap_bytes(step), step);
}

// The L-CB layer 12 → 12 channels, reach 1, with or without the diagonal offsets (argument
// 2), alone: forward, and reverse with the link and weight adjoints, on random SU(3) "features".
struct LcbSetup : Setup {
  LcbLayer layer;
  LConvBilin lcb;
  LcbShape shape;
  std::vector<double> weights;
  WilsonLines<double> lines;
  FeatureField<double> in{12, geometry->volume()};
  explicit LcbSetup(benchmark::State& state)
      : Setup(state),
        layer{12, 1, 1, state.range(2) != 0},
        lcb(layer, 12),
        shape(lcb_shape(layer, 12)),
        lines(u, 1, layer.diagonals) {
    const GaugeField features = random_gauge_field(geometry, 7);
    for (int c = 0; c < 12; ++c)
      for (SiteIndex s = 0; s < geometry->volume(); ++s) in(c, s) = features(s, c % kDimensions);
    const std::string second = layer.diagonals ? "lcb 12 diagonals" : "lcb 12";
    const LcnnModel random = LcnnModel::random(
        Architecture::parse("input plaquettes; lcb 12; " + second + "; trace; mlp"), 3);
    const std::size_t first = std::size_t(lcb_shape(LcbLayer{12, 1, 1}, 6).weight_count());
    weights.assign(random.weights().begin() + first,
                   random.weights().begin() + first + shape.weight_count());
  }
  // Per site: the dense product M = ω T̂, the (offsets − 1)·C transports (2 products each) and
  // the N·2C products Ŵ_v M_iv.
  double transports() const { return double(shape.offsets - 1) * shape.in_channels; }
  double forward_flops() const {
    const double m = double(shape.out_channels) * shape.left_factors();
    const double gemm = 2 * m * shape.right_factors() * 18;
    const double products =
        (2.0 * transports() + 2.0 * shape.in_channels * shape.out_channels) * kProduct;
    return (gemm + products) * double(geometry->volume());
  }
  // Per site: M again (transports and dense product), G_M = Ŵ† G and G_Ŵ = G M† (2 products per
  // (i, v ≠ unit)), ∇_ω = G_M T̂ᵀ, G_T̂ = ωᵀ G_M (2·C·9 rows), the transports' reverse (2 products
  // per transported channel for the features, 4 for the lines).
  double reverse_flops() const {
    const double m = double(shape.out_channels) * shape.left_factors();
    const double k = shape.right_factors();
    const double gemm = 2 * m * k * 18 * 2 + 2 * m * 2 * shape.transported() * 18;
    const double products =
        (2.0 * transports() + 4.0 * shape.in_channels * shape.out_channels +
         6.0 * transports()) *
        kProduct;
    return (gemm + products) * double(geometry->volume());
  }
};

void set_kernel_counters(benchmark::State& state, const LcbSetup& setup, double flops) {
  using benchmark::Counter;
  state.counters["GFLOP/s"] = Counter(flops * 1e-9, Counter::kIsIterationInvariantRate);
  state.counters["peak_fraction"] =
      Counter(flops / (kPeakPerCore * setup.threads(state)), Counter::kIsIterationInvariantRate);
}

void BM_LcbForward(benchmark::State& state) {
  LcbSetup setup(state);
  FeatureField<double> out;
  for (auto _ : state) {
    setup.lcb.forward(setup.weights, setup.lines, setup.in, out);
    benchmark::ClobberMemory();
  }
  set_kernel_counters(state, setup, setup.forward_flops());
}

void BM_LcbReverse(benchmark::State& state) {
  LcbSetup setup(state);
  FeatureField<double> out, in_adjoint;
  setup.lcb.forward(setup.weights, setup.lines, setup.in, out);
  std::vector<double> gradient(setup.weights.size());
  std::vector<Matrix3d> line_adjoint = setup.lines.zero_adjoint();
  for (auto _ : state) {
    setup.lcb.reverse(setup.weights, setup.lines, setup.in, out, &in_adjoint, std::span(gradient),
                      &line_adjoint);
    benchmark::ClobberMemory();
  }
  set_kernel_counters(state, setup, setup.reverse_flops());
}

void timing(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);
}

void lattice_args(benchmark::internal::Benchmark* b) {
  timing(b->ArgNames({"L", "threads"})->ArgsProduct({{4, 8}, {1, 2}}));
}

BENCHMARK(BM_Value)->Apply(lattice_args);
BENCHMARK(BM_ValueForce)->Apply(lattice_args);
BENCHMARK(BM_TrainingStep)->Apply(lattice_args);
BENCHMARK(BM_TrainingStepSeparateCalls)->Apply(lattice_args);
void lcb_args(benchmark::internal::Benchmark* b) {
  timing(b->ArgNames({"L", "threads", "diagonals"})->ArgsProduct({{4, 8}, {1, 2}, {0, 1}}));
}

BENCHMARK(BM_LcbForward)->Apply(lcb_args);
BENCHMARK(BM_LcbReverse)->Apply(lcb_args);

}  // namespace
}  // namespace fpgauge::nn
