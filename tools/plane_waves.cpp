// plane_waves: long-wavelength gauge fields as configuration files, to be FP-labelled
// (`fpgauge label`) and trained on, so that a network learns the FP action's classical continuum
// limit A_FP/A_W → 1 (evaluation/ClassicalLimit.h) where the 4^4 training lattices cannot show it.
//
//   plane_waves --output DIR [--extents 8,16,32] [--amplitudes 0.05,0.2,0.5]
//               [--generators 0,3,5] [--force]
//
// One NERSC file per extent L and amplitude ε, DIR/L<L>/plane_wave_L<L>_a<ε>.nersc — one folder
// per lattice, because a label run takes one lattice (configs/default_model/label_plane_waves.toml
// labels DIR/L8, DIR/L16, DIR/L32). Each is the plane wave of evaluation::plane_wave on
// 4 × L × 4 × 4, V_μ(n) = exp(i ε sin(2π n_1/L + 0.7μ) t^{a_μ}) for
// μ = 0, 2, 3 and V_1 = 1, momentum 2π/L along direction 1. The default generators t^1, t^4, t^6
// do not commute (a non-abelian field), unlike the abelian wave on which `fpgauge evaluate`
// measures the limit (L = 64, 128, ε = 0.02): the training waves are not the test's. Existing
// files are refused unless --force.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <filesystem>
#include <iostream>
#include <vector>

#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/io/ConfigurationFile.h"

#include "ToolMain.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

int run(int argc, char** argv) {
  CLI::App app{"Write long-wavelength plane waves on 4 x L x 4 x 4 as NERSC configurations"};
  fs::path output;
  std::vector<int> extents = {8, 16, 32};
  std::vector<double> amplitudes = {0.05, 0.2, 0.5};
  std::vector<int> generators = {0, 3, 5};
  bool force = false;
  app.add_option("--output", output, "directory of the configuration files")->required();
  app.add_option("--extents", extents, "extents L of direction 1 (wavelength L)")
      ->delimiter(',')
      ->check(CLI::Range(2, 1024));
  app.add_option("--amplitudes", amplitudes, "link angles epsilon of the waves (0 < epsilon <= 3)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber & CLI::Range(0.0, 3.0));
  app.add_option("--generators", generators, "three generators t^(a+1), a = 0..7, of mu = 0, 2, 3")
      ->delimiter(',')
      ->expected(3)
      ->check(CLI::Range(0, 7));
  app.add_flag("--force", force, "replace existing files");
  CLI11_PARSE(app, argc, argv);

  for (const int extent : extents) {
    const fs::path folder = output / fmt::format("L{}", extent);
    fs::create_directories(folder);
    for (const double amplitude : amplitudes) {
      const GaugeField v = evaluation::plane_wave(Geometry::make({4, extent, 4, 4}), amplitude,
                                                  {generators[0], generators[1], generators[2]});
      const fs::path file = folder / fmt::format("plane_wave_L{}_a{}.nersc", extent, amplitude);
      write_configuration(file, v, ConfigurationFormat::nersc, 64, force);
      std::cerr << fmt::format("wrote {}\n", file.string());
    }
  }
  return 0;
}

}  // namespace
}  // namespace fpgauge

int main(int argc, char** argv) {
  return fpgauge::tool_main("plane_waves", fpgauge::run, argc, argv);
}
