// fpgauge label CARD.toml: FP labels (SPEC §3, §4) for a list of coarse configurations, written
// to one HDF5 dataset (io/LabelDataset.h). Per configuration V the FP equation is solved
// (rg/FpEquation.h) and the record holds V, A_FP(V), ∂^a A_FP(V), A_fine(U*), T(U*,V), the
// residual and the iterations.
//
// Order and resumption. The configurations are the card's list in order, a directory
// contributing its configuration files (any format) sorted by name; a record's key is its
// file's absolute path (so that a rerun from another directory finds the same keys). A rerun of
// the same command skips the records the dataset holds and appends the rest in the same order,
// so an interrupted run followed by a rerun gives the records of an uninterrupted one (labels
// are deterministic and independent of the thread count); a dataset made with other label
// parameters is refused (--force starts anew).
//
// Processes. Under mpirun the configurations still to label are dealt out in batches of one per
// rank; rank 0 gathers each batch and appends it in list order, so the dataset does not depend on
// the number of ranks. Every rank learns every error at the same collective, so all stop together.
//
// Several starts: minimiser.starts > 1 keeps the lowest of several minimisations (rg/FpEquation.h:
// solve_fp_equation_from_starts) and records how many minima they reached and how far apart.
//
// Self-consistent iteration: fine_action.fp_steps = k labels with A_k, A_1 = the card's fine
// action and A_{j+1}(V) = min_U [A_j(U) + T(U,V)] (rg/FpStepAction.h), so the labels are
// A_{k+1}'s. [compare] labels each configuration a second time with another fine action or
// number of steps and logs how much A_FP and its derivative change (SPEC §3: the change from one
// iteration to the next measures the labels' remaining error); those labels are not stored.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>

#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/cli/Commands.h"
#include "fpgauge/cli/RunCardOptions.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/io/ConfigurationFile.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/io/Progress.h"
#include "fpgauge/io/RunCard.h"
#include "fpgauge/lattice/Communicator.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/rg/FpEquation.h"
#include "fpgauge/rg/FpStepAction.h"

namespace fpgauge::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Every key of the card with its default; configs/label_quickstart.toml documents them.
constexpr const char* kDefaults = R"(
[input]
configurations = []

[fine_action]
name = "wilson"
fp_steps = 1

[kernel]
kind = "degrand"
c = 0.1
kappa = 8.0
paths = []

[minimiser]
tolerance = 1e-9
max_iterations = 10000
history = 10
starts = 1
start_spread = 0.5
start_seed = 1

[compare]
fine_action = ""
fp_steps = 0

[output]
file = "out/labels.h5"
)";

// Everything a rank needs, checked before anything is computed or written.
struct LabelRun {
  std::shared_ptr<const Action> fine_action;
  std::shared_ptr<const Action> comparison;  // null without a [compare] setting
  std::optional<BlockingKernel> kernel;
  MinimiserOptions minimiser;
  FpStarts starts;
  fs::path output;
};

[[noreturn]] void reject_input(const RunCard& card, const std::string& entry,
                               const std::string& problem) {
  throw std::runtime_error(fmt::format("run card '{}': input.configurations: '{}' {}",
                                       card.file().string(), entry, problem));
}

bool is_configuration_file(const fs::path& file) {
  try {
    if (!fs::is_regular_file(file)) return false;
    detect_format(file);  // throws for files of no configuration format
    return true;
  } catch (const std::runtime_error&) {
    return false;  // not a configuration file (run.toml, log.jsonl, ...)
  }
}

// The configuration files in card order, each once; a directory gives its configuration files
// (NERSC, ILDG, openQCD: io/ConfigurationFile.h) by name.
std::vector<std::string> list_configurations(const RunCard& card) {
  const toml::array& entries = *card.table().at_path("input.configurations").as_array();
  if (entries.empty())
    card.reject("input.configurations", "at least one configuration file or directory");
  std::vector<std::string> sources;
  std::set<std::string> seen;
  const auto add = [&](const std::string& entry, const fs::path& file) {
    const std::string source = fs::absolute(file).lexically_normal().string();
    if (!seen.insert(source).second)
      reject_input(card, entry, fmt::format("lists '{}' a second time", source));
    sources.push_back(source);
  };
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const auto* entry = entries[k].as_string();
    if (!entry)
      card.reject("input.configurations", "file and directory names (strings)");
    const fs::path path = entry->get();
    if (fs::is_directory(path)) {
      std::vector<fs::path> files;
      // Hidden files are skipped: io/OutputFile.h writes every file under a hidden name first.
      for (const auto& file : fs::directory_iterator(path))
        if (file.path().filename().string().front() != '.' && is_configuration_file(file.path()))
          files.push_back(file.path());
      if (files.empty())
        reject_input(card, entry->get(),
                     "is a directory without NERSC files (nor ILDG or openQCD ones)");
      std::sort(files.begin(), files.end());
      for (const fs::path& file : files) add(entry->get(), file);
    } else if (fs::exists(path)) {
      add(entry->get(), path);
    } else {
      reject_input(card, entry->get(), "does not exist");
    }
  }
  return sources;
}

// The fine action `name` iterated to its `steps`-th FP step (rg/FpStepAction.h); the inner
// minimisations stop 10× below the labels' tolerance, so that their error in the outer
// gradient stays below it.
std::shared_ptr<const Action> fine_action_of(const RunCard& card, const std::string& name_key,
                                             const std::string& name, const char* steps_key,
                                             int steps, const BlockingKernel& kernel,
                                             MinimiserOptions inner) {
  if (steps < 1 || steps > 3) card.reject(steps_key, "1, 2 or 3 (each step costs ~16x more)");
  std::shared_ptr<const Action> action;
  try {
    action = make_action(name);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("run card '{}': {}: {}", card.file().string(), name_key, e.what()));
  }
  inner.gradient_tolerance /= 10;
  return make_fp_step_action(std::move(action), kernel, inner, steps);
}

// [[kernel.paths]] tables {path = "...", coefficient = x}, for kernel.kind = "custom".
std::vector<KernelPath> kernel_paths(const RunCard& card) {
  const toml::array& tables = *card.table().at_path("kernel.paths").as_array();
  std::vector<KernelPath> paths;
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const auto fail = [&](const std::string& problem) {
      throw std::runtime_error(fmt::format("run card '{}': kernel.paths[{}]: {}",
                                           card.file().string(), k, problem));
    };
    const toml::table* table = tables[k].as_table();
    if (!table) fail("expected a table {path = \"nu mu mu -nu\", coefficient = 0.05}");
    for (const auto& [name, value] : *table)
      if (name != "path" && name != "coefficient")
        fail(fmt::format("unknown key '{}' (known keys: path, coefficient)", name.str()));
    const auto path = (*table)["path"].value<std::string>();
    const auto coefficient = (*table)["coefficient"].value<double>();
    if (!path || !coefficient) fail("expected path (a string) and coefficient (a number)");
    paths.push_back({*path, *coefficient});
  }
  return paths;
}

BlockingKernel make_kernel(const RunCard& card) {
  const std::string kind = card.string("kernel.kind");
  const double c = card.real("kernel.c"), kappa = card.real("kernel.kappa");
  const std::vector<KernelPath> paths = kernel_paths(card);
  if (kind != "custom" && !paths.empty())
    card.reject("kernel.paths", "no paths unless kernel.kind = \"custom\"");
  try {
    if (kind == "degrand") return BlockingKernel::degrand(c, kappa);
    if (kind == "smeared") return BlockingKernel::smeared(c, kappa);
    if (kind == "custom") {
      if (paths.empty()) card.reject("kernel.paths", "[[kernel.paths]] tables for a custom kernel");
      return BlockingKernel("custom", paths, kappa);
    }
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("run card '{}': kernel: {}", card.file().string(), e.what()));
  }
  card.reject("kernel.kind", "\"degrand\", \"smeared\" or \"custom\"");
}

LabelRun prepare(const RunCard& card) {
  LabelRun run;
  run.kernel.emplace(make_kernel(card));
  run.minimiser.gradient_tolerance = card.real("minimiser.tolerance");
  if (!(run.minimiser.gradient_tolerance > 0.0))
    card.reject("minimiser.tolerance", "a positive number");
  const std::int64_t iterations = card.integer("minimiser.max_iterations");
  if (iterations < 1 || iterations > 100000000)
    card.reject("minimiser.max_iterations", "an integer between 1 and 10^8");
  run.minimiser.max_iterations = static_cast<int>(iterations);
  const std::int64_t history = card.integer("minimiser.history");
  if (history < 1 || history > 1000) card.reject("minimiser.history", "an integer between 1 and 1000");
  run.minimiser.history = static_cast<int>(history);
  const std::int64_t starts = card.integer("minimiser.starts");
  if (starts < 1 || starts > 1000) card.reject("minimiser.starts", "an integer between 1 and 1000");
  run.starts.count = static_cast<int>(starts);
  run.starts.spread = card.real("minimiser.start_spread");
  if (!(run.starts.spread > 0.0 && run.starts.spread <= 10.0))
    card.reject("minimiser.start_spread", "a number in (0, 10]");
  const std::int64_t seed = card.integer("minimiser.start_seed");
  if (seed < 0) card.reject("minimiser.start_seed", "a non-negative integer");
  run.starts.seed = static_cast<std::uint64_t>(seed);

  const std::string name = card.string("fine_action.name");
  const auto steps = static_cast<int>(card.integer("fine_action.fp_steps"));
  run.fine_action = fine_action_of(card, "fine_action.name", name, "fine_action.fp_steps", steps,
                                   *run.kernel, run.minimiser);
  // [compare]: an empty name or 0 steps means "as [fine_action]"; both unset, no comparison.
  const std::string other_name = card.string("compare.fine_action");
  const auto other_steps = static_cast<int>(card.integer("compare.fp_steps"));
  if (!other_name.empty() || other_steps != 0)
    run.comparison = fine_action_of(card, other_name.empty() ? "fine_action.name" : "compare.fine_action",
                                    other_name.empty() ? name : other_name, "compare.fp_steps",
                                    other_steps == 0 ? steps : other_steps, *run.kernel,
                                    run.minimiser);
  run.output = card.string("output.file");
  if (run.output.empty() || !run.output.has_filename())
    card.reject("output.file", "the name of an HDF5 file");
  return run;
}

// The starts appear only when there are several, so that datasets made before they existed
// (from the prolongation alone) can be extended by a run with one start.
json minimiser_description(const MinimiserOptions& options, const FpStarts& starts) {
  json description = {{"method", "lbfgs"},
                      {"gradient_tolerance", options.gradient_tolerance},
                      {"max_iterations", options.max_iterations},
                      {"history", options.history}};
  if (starts.count > 1)
    description["starts"] = {
        {"count", starts.count}, {"spread", starts.spread}, {"seed", starts.seed}};
  return description;
}

std::vector<double> reals_of(const AlgebraField& d) {
  std::vector<double> reals;
  reals.reserve(static_cast<std::size_t>(d.size()) * kAlgebraDim);
  for (SiteIndex l = 0; l < d.size(); ++l)
    for (const double h : matrix_to_algebra(d[l])) reals.push_back(h);
  return reals;
}

// Labels one configuration; the record and its log entry travel to rank 0 as CBOR (doubles
// kept bit for bit). Any failure travels as {"error": message}.
std::string label_message(const LabelRun& run, const std::string& source,
                          const Coordinates& extents) {
  try {
    const auto start = std::chrono::steady_clock::now();
    ConfigurationFile file = read_configuration(source, extents);
    const auto ensemble = file.header.find("ENSEMBLE_ID");
    const FpLabel label = solve_fp_equation_from_starts(file.field, *run.fine_action, *run.kernel,
                                                        run.minimiser, run.starts);
    std::vector<double> links;
    for (SiteIndex l = 0; l < file.field.size(); ++l)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          links.insert(links.end(), {file.field[l].e[i][j].re, file.field[l].e[i][j].im});
    json message = {{"source", source},
                    {"ensemble", ensemble == file.header.end() ? "" : ensemble->second},
                    {"links", links},
                    {"derivative", reals_of(label.derivative)},
                    {"action", label.action},
                    {"fine_action", label.fine_action},
                    {"kernel", label.kernel},
                    {"residual", label.minimisation.residual},
                    {"iterations", label.minimisation.iterations},
                    {"converged", label.minimisation.converged},
                    {"minima", label.minima},
                    {"derivative_spread", label.derivative_spread}};
    if (run.comparison) {
      const FpLabel other =
          solve_fp_equation(file.field, *run.comparison, *run.kernel, run.minimiser);
      message["comparison"] = {
          {"action", other.action},
          {"derivative_change", relative_force_difference(other.derivative, label.derivative)},
          {"iterations", other.minimisation.iterations},
          {"converged", other.minimisation.converged}};
    }
    message["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::vector<std::uint8_t> bytes = json::to_cbor(message);
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    const std::vector<std::uint8_t> bytes = json::to_cbor(json{{"error", e.what()}});
    return std::string(bytes.begin(), bytes.end());
  }
}

LabelRecord record_of(const json& message, const std::shared_ptr<const Geometry>& coarse) {
  LabelRecord record;
  record.source = message["source"].get<std::string>();
  record.ensemble = message["ensemble"].get<std::string>();
  record.configuration = GaugeField(coarse);
  const auto links = message["links"].get<std::vector<double>>();
  for (SiteIndex l = 0; l < record.configuration.size(); ++l)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        record.configuration[l].e[i][j] = {links[18 * l + 6 * i + 2 * j],
                                           links[18 * l + 6 * i + 2 * j + 1]};
  const auto derivative = message["derivative"].get<std::vector<double>>();
  record.derivative.resize(static_cast<std::size_t>(coarse->link_count()));
  for (std::size_t l = 0; l < record.derivative.size(); ++l)
    std::copy_n(derivative.begin() + static_cast<std::ptrdiff_t>(kAlgebraDim * l), kAlgebraDim,
                record.derivative[l].begin());
  record.action = message["action"].get<double>();
  record.fine_action = message["fine_action"].get<double>();
  record.kernel = message["kernel"].get<double>();
  record.residual = message["residual"].get<double>();
  record.iterations = message["iterations"].get<std::int64_t>();
  record.converged = message["converged"].get<bool>();
  record.minima = message["minima"].get<std::int64_t>();
  record.derivative_spread = message["derivative_spread"].get<double>();
  return record;
}

// Statistics of the run, for the closing summary.
struct LabelSummary {
  std::int64_t labelled = 0, not_converged = 0, iterations = 0, several_minima = 0;
  double seconds = 0.0, derivative_spread = 0.0;  // the spread summed over the labels
  long double action_change = 0.0, derivative_change = 0.0;  // sums over compared labels
};

void log_record(const LabelRun& run, const json& message, std::int64_t number, std::int64_t total,
                LabelSummary& summary) {
  const bool converged = message["converged"];
  const double seconds = message["seconds"], action = message["action"];
  summary.labelled += 1;
  summary.not_converged += converged ? 0 : 1;
  summary.iterations += message["iterations"].get<std::int64_t>();
  summary.seconds += seconds;
  const auto minima = message["minima"].get<std::int64_t>();
  const double spread = message["derivative_spread"];
  summary.several_minima += minima > 1 ? 1 : 0;
  summary.derivative_spread += spread;
  std::string line = fmt::format(
      "label {}/{} {}: A_FP {:.12g} (A_fine {:.9g}, T {:.9g}), {} iterations, residual {:.2e}{}, "
      "{:.2f} s",
      number, total, message["source"].get<std::string>(), action,
      message["fine_action"].get<double>(), message["kernel"].get<double>(),
      message["iterations"].get<std::int64_t>(), message["residual"].get<double>(),
      converged ? "" : " NOT CONVERGED", seconds);
  if (run.starts.count > 1)
    line += fmt::format("; {} starts: {} minim{}, derivative spread {:.3e}", run.starts.count,
                        minima, minima == 1 ? "um" : "a", spread);
  if (message.contains("comparison")) {
    const json& c = message["comparison"];
    const double change = (c["action"].get<double>() - action) / action;
    summary.action_change += std::abs(change);
    summary.derivative_change += c["derivative_change"].get<double>();
    line += fmt::format(
        "; {}: A_FP {:.12g} ({} iterations{}), relative change {:+.3e}, of the derivative {:.3e}",
        run.comparison->name(), c["action"].get<double>(), c["iterations"].get<std::int64_t>(),
        c["converged"].get<bool>() ? "" : ", NOT CONVERGED", change,
        c["derivative_change"].get<double>());
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void run_label(const RunCardOptions& options) {
  const Communicator& world = Communicator::world();
  const RunCard card = options.load(kDefaults, "output.file");
  const LabelRun run = prepare(card);

  // Rank 0 lists the configurations, opens the dataset and tells every rank the lattice and
  // what is left to label.
  std::unique_ptr<LabelDatasetWriter> writer;
  json plan;
  if (world.is_root()) {
    try {
      const std::vector<std::string> sources = list_configurations(card);
      LabelDatasetHeader header;
      header.coarse_extents = read_configuration(sources.front()).field.geometry().extents();
      header.fine_action = run.fine_action->description().dump();
      header.kernel = run.kernel->description().dump();
      header.kappa = run.kernel->kappa();
      header.minimiser = minimiser_description(run.minimiser, run.starts).dump();
      header.run_card = card.to_toml();
      writer = std::make_unique<LabelDatasetWriter>(run.output, header, options.force);
      std::vector<std::string> pending;
      for (const std::string& source : sources)
        if (!writer->contains(source)) pending.push_back(source);
      plan = {{"extents", header.coarse_extents},
              {"pending", pending},
              {"listed", sources.size()},
              {"present", writer->size()}};
    } catch (const std::exception& e) {
      plan = {{"error", e.what()}};
    }
  }
  plan = json::parse(world.broadcast(plan.dump()));
  if (plan.contains("error")) throw std::runtime_error(plan["error"].get<std::string>());
  const auto extents = plan["extents"].get<Coordinates>();
  const auto pending = plan["pending"].get<std::vector<std::string>>();
  const auto present = plan["present"].get<std::int64_t>();
  const auto listed = plan["listed"].get<std::int64_t>();
  const auto coarse = Geometry::make(extents);
  const auto total = static_cast<std::int64_t>(pending.size());

  if (world.is_root()) {
    Coordinates fine = extents;
    for (int& l : fine) l *= 2;
    std::printf("%s\n", fmt::format("labelling {} configurations (coarse {}, fine {}) in {} "
                                    "process(es); {} of the card's {} are in {} already",
                                    total, coarse->to_string(), Geometry(fine).to_string(),
                                    world.size(), listed - total, listed, run.output.string())
                            .c_str());
  }
  Progress progress("label", total, "configurations");
  LabelSummary summary;
  for (std::int64_t first = 0; first < total; first += world.size()) {
    const std::int64_t mine = first + world.rank();
    const std::string message =
        mine < total ? label_message(run, pending[static_cast<std::size_t>(mine)], extents) : "";
    const std::vector<std::string> batch = world.gather(message);
    std::string error;
    // Idle ranks of the last batch send nothing; they come last.
    for (std::size_t r = 0; r < batch.size() && error.empty() && !batch[r].empty(); ++r) {
      const json received = json::from_cbor(batch[r]);
      try {
        if (received.contains("error")) throw std::runtime_error(received["error"].get<std::string>());
        writer->append(record_of(received, coarse));
      } catch (const std::exception& e) {
        error = e.what();
        continue;
      }
      const std::int64_t done = first + static_cast<std::int64_t>(r) + 1;
      log_record(run, received, done, total, summary);
      progress.update(done, fmt::format("A_FP {:.6g}", received["action"].get<double>()));
    }
    error = world.broadcast(error);
    if (!error.empty()) throw std::runtime_error(error);
  }
  if (!world.is_root()) return;
  writer->commit();
  std::string closing = fmt::format("wrote {} records to {} ({} new)", present + summary.labelled,
                                    run.output.string(), summary.labelled);
  if (summary.labelled > 0)
    closing += fmt::format("; mean {:.1f} iterations, {:.2f} s per label (one rank)",
                           static_cast<double>(summary.iterations) / summary.labelled,
                           summary.seconds / summary.labelled);
  if (summary.not_converged > 0)
    closing += fmt::format("; {} labels did NOT reach the tolerance (stored with converged = 0)",
                           summary.not_converged);
  if (run.starts.count > 1 && summary.labelled > 0)
    closing += fmt::format("; {} starts: {} of {} configurations have more than one minimum, mean "
                           "derivative spread {:.3e}",
                           run.starts.count, summary.several_minima, summary.labelled,
                           summary.derivative_spread / static_cast<double>(summary.labelled));
  if (run.comparison && summary.labelled > 0)
    closing += fmt::format("; {} vs {}: mean |relative change| of A_FP {:.3e}, of the derivative "
                           "{:.3e}",
                           run.fine_action->name(), run.comparison->name(),
                           static_cast<double>(summary.action_change / summary.labelled),
                           static_cast<double>(summary.derivative_change / summary.labelled));
  std::printf("%s\n", closing.c_str());
}

void register_label_command(CLI::App& app) {
  auto options = std::make_shared<RunCardOptions>();
  CLI::App* command = app.add_subcommand(
      "label",
      "Solve the FP equation for every configuration of a TOML run card and write the labels "
      "(A_FP, its derivative, residual, ...) to one HDF5 dataset; rerunning resumes an "
      "interrupted run; under mpirun the configurations are split across ranks. "
      "configs/label_quickstart.toml documents every key.");
  add_run_card_options(*command, *options, "kernel.kappa=6",
                       "Output HDF5 file (overrides output.file)",
                       "Start the dataset anew instead of resuming or extending it");
  command->callback([options] {
    try {
      run_label(*options);
    } catch (const std::exception&) {
      // Every rank fails at the same point (see the top of this file); rank 0 alone reports it,
      // so that an error is one line for any number of ranks.
      if (!Communicator::world().is_root()) std::exit(1);
      throw;
    }
  });
}

}  // namespace fpgauge::cli
