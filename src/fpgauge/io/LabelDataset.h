#pragma once
// FP label datasets (SPEC §4): one HDF5 file per dataset, one record per coarse configuration V,
// holding V itself (so a dataset is self-contained: training needs no configuration files, and a
// moved or regenerated ensemble cannot silently change what a label belongs to).
//
// Layout (N records; V coarse sites, site index x fastest as in io/Nersc.h; link l = 4 n + μ).
// Every dataset is extendible along its first axis, chunked one record per chunk (the fields) or
// 1024 (the scalars and strings):
//   /configuration  float64 [N][V][4][3][3][2]  the coarse links V_μ(n), row-major, (re, im)
//   /derivative     float64 [N][V][4][8]        ∂^a_{n,μ} A_FP(V) (t^a = λ^a/2, SPEC §1)
//   /action         float64 [N]                 A_FP(V) = A_fine(U*) + T(U*, V)
//   /fine_action    float64 [N]                 A_fine(U*)
//   /kernel         float64 [N]                 T(U*, V)
//   /residual       float64 [N]                 max_{l,a} |∂^a F| at U* (the stopping measure)
//   /iterations     int64   [N]                 L-BFGS iterations
//   /converged      uint8   [N]                 1 if the residual reached the tolerance
//   /source         UTF-8 string [N]            the configuration file (absolute path in
//                                               `fpgauge label`): the key, unique in a dataset
//   /ensemble       UTF-8 string [N]            the file's ENSEMBLE_ID header ("" if none)
//   /minima         int64   [N]                 how many different minima of F the starts reached
//   /derivative_spread float64 [N]              max ‖D_k − D‖/‖D‖ over the starts (rg/FpEquation.h)
// The last two came with multi-start labels: a dataset written before has neither (its labels
// are from the prolongation alone), reads as 1 and 0, and gets them when it is extended.
// Root attributes: format = "fpgauge-fp-labels", format_version = 1, coarse_extents int64 [4],
// fine_action, kernel (name, κ and the path table), minimiser (JSON texts), kappa float64,
// run_card (the resolved TOML card of the run that created the file) and program_version.
//
// Crash safety. FILE appears only when the run is complete (renamed into place, as every output
// of the project, io/OutputFile.h). Meanwhile the records go to a working copy
// FILE.partial.work, flushed after each record, and checkpoints copy it to FILE.partial.tmp and
// rename that onto FILE.partial. So FILE.partial is at every moment a complete HDF5 file (any
// reader reads it like FILE) holding the records up to its checkpoint, and a kill costs at most
// the records since then, which the next run labels again. Flushing one file in place is not
// enough: HDF5 updates its metadata in several writes, and a writer killed among them (tests:
// SurvivesAKillWhileWriting, ~1 kill in 100 when killed mid-append) can leave a file that opens
// but is corrupt. A checkpoint follows every record unless copying would take more than 5% of
// the time (large datasets), and whenever the writer is destroyed without commit(). Resuming
// starts from FILE.partial, or from a complete FILE when more records are asked for, and refuses
// a dataset made with other label parameters (check_same_labelling).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct LabelRecord {
  std::string source;
  std::string ensemble;
  GaugeField configuration;                 // V, on the coarse lattice
  std::vector<Algebra<double>> derivative;  // per coarse link l = 4 n + μ
  double action = 0.0;
  double fine_action = 0.0;
  double kernel = 0.0;
  double residual = 0.0;
  std::int64_t iterations = 0;
  bool converged = false;
  std::int64_t minima = 1;         // different minima the minimiser's starts reached
  double derivative_spread = 0.0;  // their largest relative derivative difference to the label
};

// The root attributes. All but run_card fix the labels: records made with different ones must
// not share a dataset.
struct LabelDatasetHeader {
  Coordinates coarse_extents{};
  std::string fine_action;  // Action::description(), JSON text
  std::string kernel;       // BlockingKernel::description(), JSON text
  double kappa = 0.0;
  std::string minimiser;    // the minimiser's options, JSON text
  std::string run_card;     // TOML text
  std::string program_version = FPGAUGE_VERSION;
};

// Throws std::runtime_error naming `file`, the attribute and both values if `existing` and
// `wanted` differ in an attribute that fixes the labels.
void check_same_labelling(const std::filesystem::path& file, const LabelDatasetHeader& existing,
                          const LabelDatasetHeader& wanted);

// Throws std::runtime_error naming both files, the attribute and both values if two datasets
// were made by different RG transformations (fine action, kernel, κ): their labels are values of
// different actions and cannot be fitted together. Volumes, minimiser settings and program
// versions may differ.
void check_same_transformation(const std::filesystem::path& file, const LabelDatasetHeader& header,
                               const std::filesystem::path& reference_file,
                               const LabelDatasetHeader& reference);

class LabelDatasetWriter {
 public:
  // Starts a working copy of FILE.partial, or else of FILE, or a new dataset; with `overwrite`
  // always a new one (FILE itself is replaced only by commit()). An existing dataset is checked
  // with check_same_labelling and keeps the run_card of the run that created it. Throws
  // std::runtime_error naming the file for an unreadable or foreign HDF5 file, and if another
  // writer holds the dataset (the lock file FILE.lock, removed when the writer ends).
  LabelDatasetWriter(const std::filesystem::path& file, const LabelDatasetHeader& header,
                     bool overwrite);
  ~LabelDatasetWriter();
  LabelDatasetWriter(const LabelDatasetWriter&) = delete;
  LabelDatasetWriter& operator=(const LabelDatasetWriter&) = delete;

  std::int64_t size() const { return static_cast<std::int64_t>(sources_.size()); }
  bool contains(const std::string& source) const { return sources_.contains(source); }

  // Appends the record (and checkpoints, see above). Throws std::invalid_argument naming the
  // source for a duplicate source, a configuration on other extents or a derivative of the
  // wrong size.
  void append(const LabelRecord& record);

  // Closes the dataset, moves it onto FILE (replacing it) and removes FILE.partial.
  void commit();

  static std::filesystem::path partial_path(const std::filesystem::path& file);

 private:
  struct Hdf5File;
  class WriterLock {
   public:
    explicit WriterLock(std::filesystem::path file);
    ~WriterLock();
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;

   private:
    std::filesystem::path file_;
    int fd_ = -1;
  };
  void checkpoint();

  std::filesystem::path file_;
  LabelDatasetHeader header_;
  WriterLock lock_;
  std::unordered_set<std::string> sources_;
  std::unique_ptr<Hdf5File> hdf5_;  // the working copy
  std::int64_t unsaved_ = 0;        // records appended since the last checkpoint
  std::chrono::steady_clock::time_point last_checkpoint_;
  double last_copy_seconds_ = 0.0;
};

struct LabelDataset {
  LabelDatasetHeader header;
  std::vector<LabelRecord> records;
};

// Reads a dataset, FILE or FILE.partial. Throws std::runtime_error naming the file and the
// dataset or attribute that is missing or malformed.
LabelDataset read_label_dataset(const std::filesystem::path& file);

}  // namespace fpgauge
