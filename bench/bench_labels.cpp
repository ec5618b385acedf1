// Cost of one FP label (rg/FpEquation.h) against the coarse volume: Wilson fine action, the
// DeGrand kernel at the project's default parameters (c = 0.1, κ = 8; docs/locality.md),
// stopping at max |∂^a F| ≤ 1e-9, from the prolongation.
//
// The coarse configuration is a Wilson heatbath configuration at β = 6 (hot start, 50 sweeps,
// a fixed seed), so that the minimisation meets the fluctuations of a typical ensemble, not a
// smooth field. One label is one benchmark iteration; the field is the same in every one.
// Counters: iterations and evaluations of the L-BFGS minimiser per label, us/fine-link-iteration
// (wall µs per fine link and minimiser iteration, printed with the suffix "s" of an inverted
// rate; it stays flat with the volume if only the iteration count grows); the label shows
// A_FP/A_W. Arguments: L (coarse L^4, fine (2L)^4) and the number of OpenMP threads. Timings
// are wall time (UseRealTime); on a shared machine compare CPU time as well.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <omp.h>

#include <cstdint>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"
#include "fpgauge/rg/FpEquation.h"

namespace fpgauge {
namespace {

constexpr double kBeta = 6.0;
constexpr std::uint64_t kSeed = 20261126;
constexpr int kThermalisation = 50;

void BM_FpLabel(benchmark::State& state) {
  const int l = int(state.range(0));
  omp_set_num_threads(int(state.range(1)));
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  GaugeField v = random_gauge_field(Geometry::make({l, l, l, l}), kSeed);
  for (int sweep = 0; sweep < kThermalisation; ++sweep)
    heatbath_sweep(v, wilson, kBeta, kSeed, std::uint64_t(sweep));
  const BlockingKernel kernel = BlockingKernel::degrand(0.1, 8.0);
  const MinimiserOptions options{.gradient_tolerance = 1e-9};

  FpLabel label;
  for (auto _ : state) {
    label = solve_fp_equation(v, wilson, kernel, options);
    benchmark::ClobberMemory();
  }
  if (!label.minimisation.converged) state.SkipWithError("the minimisation did not converge");
  const double fine_links = double(16 * v.geometry().link_count());
  state.counters["iterations"] = label.minimisation.iterations;
  state.counters["evaluations"] = label.minimisation.evaluations;
  state.counters["us/fine-link-iteration"] = benchmark::Counter(
      fine_links * label.minimisation.iterations * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.SetLabel(fmt::format("A_FP/A_W = {:.4f}", label.action / wilson.value(v)));
}

BENCHMARK(BM_FpLabel)
    ->ArgNames({"L", "threads"})
    ->ArgsProduct({{2, 4, 6, 8}, {2}})
    ->UseRealTime()
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace fpgauge
