// FP label datasets (io/LabelDataset.h) and `fpgauge label`: records read back bit for bit, a
// killed writer leaves a dataset that resumes without losing or duplicating a record, the command
// gives the labels of solve_fp_equation, resumes to the records of an uninterrupted run, refuses
// changed label parameters and bad input with one line, and gives the same dataset under mpirun.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <thread>

#include "CommandRunner.h"
#include "ScratchDirectory.h"
#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/io/LabelDataset.h"
#include "fpgauge/io/Nersc.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/rg/FpEquation.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;
using test::run_fpgauge;

using test::quoted;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Bitwise equality of two records, every field.
void expect_same_record(const LabelRecord& a, const LabelRecord& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.ensemble, b.ensemble);
  ASSERT_EQ(a.configuration.size(), b.configuration.size()) << a.source;
  EXPECT_EQ(a.configuration.geometry(), b.configuration.geometry()) << a.source;
  EXPECT_EQ(std::memcmp(a.configuration.data(), b.configuration.data(),
                        sizeof(SU3) * static_cast<std::size_t>(a.configuration.size())),
            0)
      << a.source;
  ASSERT_EQ(a.derivative.size(), b.derivative.size()) << a.source;
  EXPECT_EQ(std::memcmp(a.derivative.data(), b.derivative.data(),
                        sizeof(Algebra<double>) * a.derivative.size()),
            0)
      << a.source;
  EXPECT_TRUE(same_bits(a.action, b.action)) << a.source;
  EXPECT_TRUE(same_bits(a.fine_action, b.fine_action)) << a.source;
  EXPECT_TRUE(same_bits(a.kernel, b.kernel)) << a.source;
  EXPECT_TRUE(same_bits(a.residual, b.residual)) << a.source;
  EXPECT_EQ(a.iterations, b.iterations) << a.source;
  EXPECT_EQ(a.converged, b.converged) << a.source;
  EXPECT_EQ(a.minima, b.minima) << a.source;
  EXPECT_TRUE(same_bits(a.derivative_spread, b.derivative_spread)) << a.source;
}

void expect_same_records(const std::vector<LabelRecord>& a, const std::vector<LabelRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) expect_same_record(a[k], b[k]);
}

// The one error line of a failed command's stderr, which may also hold progress lines
// ("label: ...") from before the error.
std::string error_line(const std::string& err) {
  std::istringstream lines(err);
  std::string error;
  int errors = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("fpgauge: error: ", 0) == 0) {
      error = line;
      ++errors;
    } else {
      EXPECT_EQ(line.rfind("label: ", 0), 0u) << "not a progress line: " << line;
    }
  }
  EXPECT_EQ(errors, 1) << err;
  return error;
}

const Coordinates kCoarse = {2, 2, 2, 2};

LabelDatasetHeader test_header() {
  LabelDatasetHeader header;
  header.coarse_extents = kCoarse;
  header.fine_action = R"({"name":"wilson"})";
  header.kernel = R"j({"name":"degrand(c=0.05)","kappa":8.0})j";
  header.kappa = 8.0;
  header.minimiser = R"({"gradient_tolerance":1e-09})";
  header.run_card = "[output]\nfile = 'x.h5'\n";
  return header;
}

// A record of arbitrary numbers, including the awkward ones (−0, subnormal, huge, NaN).
LabelRecord test_record(int k) {
  LabelRecord record;
  record.source = fmt::format("ensemble/config_{:06d}.nersc", k);
  record.ensemble = k % 2 ? "wilson-β6" : "";
  record.configuration = random_gauge_field(Geometry::make(kCoarse), 100 + k);
  for (SiteIndex l = 0; l < record.configuration.size(); ++l) {
    Algebra<double> h{};
    for (int a = 0; a < kAlgebraDim; ++a) h[a] = std::sin(1.0 + k + 8.0 * l + a) * std::pow(10.0, a - 4);
    record.derivative.push_back(h);
  }
  record.derivative[0] = {-0.0, 4.9e-324, 1e300, -1e-300, std::nan(""), 0.0, 1.0, -1.0};
  record.action = 10.0 + k / 3.0;
  record.fine_action = 7.0 + k / 7.0;
  record.kernel = record.action - record.fine_action;
  record.residual = 3e-10 * (k + 1);
  record.iterations = 70 + k;
  record.converged = k != 2;
  record.minima = 1 + k;
  record.derivative_spread = 0.125 * k;
  return record;
}

TEST(LabelDataset, RecordsAndHeaderReadBackBitForBit) {
  const test::ScratchDirectory dir;
  const fs::path file = dir / "labels.h5";
  std::vector<LabelRecord> written;
  {
    LabelDatasetWriter writer(file, test_header(), false);
    for (int k = 0; k < 3; ++k) {
      written.push_back(test_record(k));
      writer.append(written.back());
    }
    EXPECT_TRUE(writer.contains(written[1].source));
    EXPECT_FALSE(fs::exists(file));  // complete or absent
    writer.commit();
  }
  // Only FILE is left.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
  const LabelDataset dataset = read_label_dataset(file);
  expect_same_records(dataset.records, written);
  const LabelDatasetHeader header = test_header();
  EXPECT_EQ(dataset.header.coarse_extents, header.coarse_extents);
  EXPECT_EQ(dataset.header.fine_action, header.fine_action);
  EXPECT_EQ(dataset.header.kernel, header.kernel);
  EXPECT_EQ(dataset.header.kappa, header.kappa);
  EXPECT_EQ(dataset.header.minimiser, header.minimiser);
  EXPECT_EQ(dataset.header.run_card, header.run_card);
  EXPECT_EQ(dataset.header.program_version, FPGAUGE_VERSION);
}

TEST(LabelDataset, ResumesAndExtendsWithoutDuplicatesAndRefusesOtherLabels) {
  const test::ScratchDirectory dir;
  const fs::path file = dir / "labels.h5";
  {
    LabelDatasetWriter writer(file, test_header(), false);
    writer.append(test_record(0));
  }  // not committed: an interrupted run
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(read_label_dataset(LabelDatasetWriter::partial_path(file)).records.size(), 1u);
  {
    LabelDatasetWriter writer(file, test_header(), false);
    try {
      LabelDatasetWriter second(file, test_header(), false);
      ADD_FAILURE() << "two writers of one dataset";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("another process writes"), std::string::npos) << e.what();
    }
    EXPECT_EQ(writer.size(), 1);
    EXPECT_TRUE(writer.contains(test_record(0).source));
    EXPECT_THROW(writer.append(test_record(0)), std::invalid_argument);
    writer.append(test_record(1));
    writer.commit();
  }
  {
    // A complete dataset is extended through a copy.
    LabelDatasetWriter writer(file, test_header(), false);
    EXPECT_EQ(writer.size(), 2);
    writer.append(test_record(2));
    EXPECT_EQ(read_label_dataset(file).records.size(), 2u);
    writer.commit();
  }
  expect_same_records(read_label_dataset(file).records, {test_record(0), test_record(1), test_record(2)});

  LabelDatasetHeader other = test_header();
  other.kernel = R"j({"name":"degrand(c=0.05)","kappa":6.0})j";
  try {
    LabelDatasetWriter writer(file, other, false);
    ADD_FAILURE() << "a dataset of other label parameters was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("kernel = "), std::string::npos) << e.what();
  }
  other = test_header();
  other.coarse_extents = {4, 4, 4, 4};
  EXPECT_THROW(LabelDatasetWriter(file, other, false), std::runtime_error);
  // --force: a new dataset, replacing the old one only when committed.
  LabelDatasetWriter fresh(file, other, true);
  EXPECT_EQ(fresh.size(), 0);
  EXPECT_EQ(read_label_dataset(file).records.size(), 3u);
}

// Datasets from before multi-start labels lack the columns minima and derivative_spread: they
// read as one minimum and spread 0, and a writer extending them adds the columns.
TEST(LabelDataset, DatasetsWithoutTheMinimaColumnsReadAsOneStartAndAreExtended) {
  const test::ScratchDirectory dir;
  const fs::path file = dir / "labels.h5";
  {
    LabelDatasetWriter writer(file, test_header(), false);
    for (int k = 0; k < 2; ++k) writer.append(test_record(k));
    writer.commit();
  }
  {
    const hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(h5, 0);
    EXPECT_GE(H5Ldelete(h5, "minima", H5P_DEFAULT), 0);
    EXPECT_GE(H5Ldelete(h5, "derivative_spread", H5P_DEFAULT), 0);
    H5Fclose(h5);
  }
  std::vector<LabelRecord> expected{test_record(0), test_record(1)};
  for (LabelRecord& record : expected) {
    record.minima = 1;
    record.derivative_spread = 0.0;
  }
  expect_same_records(read_label_dataset(file).records, expected);
  {
    LabelDatasetWriter writer(file, test_header(), false);
    writer.append(test_record(2));
    writer.commit();
  }
  expected.push_back(test_record(2));
  expect_same_records(read_label_dataset(file).records, expected);
}

// A writer killed (SIGKILL) at a random moment while it appends records as fast as it can, i.e.
// almost surely inside HDF5 or a checkpoint copy: the dataset must resume with complete records
// only, the first ones in order. (Writing in place with a flush per record failed this test
// about once in 100 kills: the file opened but HDF5 found it corrupt on the next write.)
TEST(LabelDataset, SurvivesAKillWhileWriting) {
  const test::ScratchDirectory dir;
  const fs::path file = dir / "labels.h5";
  std::vector<LabelRecord> records;
  for (int k = 0; k < 400; ++k) records.push_back(test_record(k));
  std::int64_t kept_in_all = 0;
  for (const int delay_ms : {30, 70, 110}) {
    fs::remove(LabelDatasetWriter::partial_path(file));
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      LabelDatasetWriter writer(file, test_header(), false);
      for (const LabelRecord& record : records) writer.append(record);
      _exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);

    LabelDatasetWriter writer(file, test_header(), false);
    const std::int64_t kept = writer.size();
    ASSERT_LT(kept, 400) << "the writer finished before the kill; lower the delay";
    kept_in_all += kept;
    for (std::int64_t k = kept; k < kept + 2; ++k) writer.append(records[static_cast<std::size_t>(k)]);
    writer.commit();
    const LabelDataset dataset = read_label_dataset(file);
    expect_same_records(dataset.records,
                        std::vector<LabelRecord>(records.begin(), records.begin() + kept + 2));
    fs::remove(file);
  }
  EXPECT_GT(kept_in_all, 0) << "every kill came before the first checkpoint; raise the delays";
}

TEST(LabelDataset, RefusesFilesThatAreNotDatasets) {
  const test::ScratchDirectory dir;
  test::write_bytes(dir / "text.h5", "not HDF5\n");
  try {
    read_label_dataset(dir / "text.h5");
    ADD_FAILURE() << "read a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("text.h5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_label_dataset(dir / "absent.h5"), std::runtime_error);
}

// `fpgauge label` on coarse 2^4 configurations (fine 4^4).
class LabelCommand : public ::testing::Test {
 protected:
  LabelCommand() {
    fs::create_directories(dir_ / "ensemble");
    NerscMetadata metadata;
    metadata.ensemble_id = "test-ensemble";
    for (int k = 0; k < 3; ++k) {
      configurations_.push_back(test::near_unit_gauge_field(Geometry::make(kCoarse), 20 + k, 0.5));
      write_nersc(configuration_file(k), configurations_.back(), metadata);
    }
    test::write_bytes(dir_ / "ensemble" / "run.toml", "# not a configuration\n");
    test::write_bytes(dir_ / "card.toml", fmt::format(R"([input]
configurations = [{}]

[kernel]
kind = "degrand"
c = 0.05
kappa = 8.0

[minimiser]
tolerance = 1e-9
)",
                                                      quoted_toml(dir_ / "ensemble")));
  }
  fs::path configuration_file(int k) const {
    return dir_ / "ensemble" / fmt::format("config_{:06d}.nersc", k + 1);
  }
  static std::string quoted_toml(const fs::path& path) { return "'" + path.string() + "'"; }
  test::CommandResult label(const fs::path& output, const std::string& more = "",
                            const std::string& environment = "OMP_WAIT_POLICY=passive") const {
    return run_fpgauge("label " + quoted(dir_ / "card.toml") + " --output " + quoted(output) + " " +
                           more,
                       dir_.path(), environment);
  }

  test::ScratchDirectory dir_;
  std::vector<GaugeField> configurations_;
};

TEST_F(LabelCommand, LabelsEqualThoseOfSolveFpEquation) {
  const fs::path output = dir_ / "labels.h5";
  const auto result = label(output);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("label: 3/3 configurations (100%)"), std::string::npos) << result.err;
  const LabelDataset dataset = read_label_dataset(output);
  ASSERT_EQ(dataset.records.size(), 3u);
  const BlockingKernel kernel = BlockingKernel::degrand(0.05, 8.0);
  EXPECT_EQ(dataset.header.kernel, kernel.description().dump());
  EXPECT_EQ(dataset.header.fine_action, GaugeLoopAction::wilson().description().dump());
  EXPECT_NE(dataset.header.run_card.find("kappa = 8.0"), std::string::npos);
  for (int k = 0; k < 3; ++k) {
    const LabelRecord& record = dataset.records[static_cast<std::size_t>(k)];
    const FpLabel direct = solve_fp_equation(configurations_[static_cast<std::size_t>(k)],
                                             GaugeLoopAction::wilson(), kernel,
                                             {.gradient_tolerance = 1e-9});
    LabelRecord expected;
    expected.source = (dir_ / "ensemble" / fmt::format("config_{:06d}.nersc", k + 1)).string();
    expected.ensemble = "test-ensemble";
    expected.configuration = configurations_[static_cast<std::size_t>(k)];
    for (SiteIndex l = 0; l < direct.derivative.size(); ++l)
      expected.derivative.push_back(matrix_to_algebra(direct.derivative[l]));
    expected.action = direct.action;
    expected.fine_action = direct.fine_action;
    expected.kernel = direct.kernel;
    expected.residual = direct.minimisation.residual;
    expected.iterations = direct.minimisation.iterations;
    expected.converged = direct.minimisation.converged;
    EXPECT_TRUE(record.converged);
    EXPECT_LE(record.residual, 1e-9);
    expect_same_record(record, expected);
  }

  // Rerunning the complete run adds nothing, also from another directory with relative paths
  // (the records are keyed by absolute path); other label parameters are refused.
  const auto again = label(output, "--set \"input.configurations=['.']\"",
                           "cd " + quoted(dir_ / "ensemble") + " && OMP_WAIT_POLICY=passive");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("3 of the card's 3 are in"), std::string::npos) << again.out;
  expect_same_records(read_label_dataset(output).records, dataset.records);
  const auto changed = label(output, "--set kernel.kappa=6");
  EXPECT_EQ(changed.status, 1);
  EXPECT_NE(error_line(changed.err).find("kernel = "), std::string::npos) << changed.err;
}

// An interrupted run (here stopped by a broken second configuration after the first record)
// resumes to the records of an uninterrupted run.
TEST_F(LabelCommand, ResumedRunEqualsAnUninterruptedOne) {
  const fs::path whole = dir_ / "whole.h5", resumed = dir_ / "resumed.h5";
  ASSERT_EQ(label(whole).status, 0);

  const std::string good = test::file_bytes(configuration_file(1));
  test::write_bytes(configuration_file(1), good.substr(0, good.size() - 8));
  const auto broken = label(resumed);
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("config_000002.nersc"), std::string::npos) << broken.err;
  EXPECT_FALSE(fs::exists(resumed));
  EXPECT_EQ(read_label_dataset(LabelDatasetWriter::partial_path(resumed)).records.size(), 1u);

  test::write_bytes(configuration_file(1), good);
  const auto result = label(resumed);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("1 of the card's 3 are in"), std::string::npos) << result.out;
  expect_same_records(read_label_dataset(resumed).records, read_label_dataset(whole).records);
}

// A Haar-random configuration (several minima) and a smooth one (one), labelled from four starts:
// the records are those of solve_fp_equation_from_starts, and a run from one start is refused
// for the dataset.
TEST_F(LabelCommand, SeveralStartsKeepTheLowestMinimumAndCountTheMinima) {
  const GaugeField rough = random_gauge_field(Geometry::make(kCoarse), 2);
  write_nersc(dir_ / "rough.nersc", rough);
  const fs::path output = dir_ / "labels.h5";
  const std::string files = "--set \"input.configurations=[" + quoted_toml(dir_ / "rough.nersc") +
                            ", " + quoted_toml(configuration_file(0)) + "]\" --set kernel.c=0.1";
  const auto result = label(output, files + " --set minimiser.starts=4");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("4 starts: 1 of 2 configurations have more than one minimum"),
            std::string::npos)
      << result.out;
  const LabelDataset dataset = read_label_dataset(output);
  ASSERT_EQ(dataset.records.size(), 2u);
  const BlockingKernel kernel = BlockingKernel::degrand(0.1, 8.0);
  const std::vector<GaugeField> fields{rough, configurations_[0]};
  for (std::size_t k = 0; k < 2; ++k) {
    const FpLabel direct =
        solve_fp_equation_from_starts(fields[k], GaugeLoopAction::wilson(), kernel,
                                      {.gradient_tolerance = 1e-9}, {.count = 4});
    const LabelRecord& record = dataset.records[k];
    EXPECT_TRUE(same_bits(record.action, direct.action)) << k;
    EXPECT_EQ(record.minima, direct.minima) << k;
    EXPECT_TRUE(same_bits(record.derivative_spread, direct.derivative_spread)) << k;
    for (SiteIndex l = 0; l < direct.derivative.size(); ++l)
      ASSERT_EQ(record.derivative[static_cast<std::size_t>(l)],
                matrix_to_algebra(direct.derivative[l]))
          << k << " link " << l;
  }
  EXPECT_GE(dataset.records[0].minima, 2);
  EXPECT_GT(dataset.records[0].derivative_spread, 0.01);
  EXPECT_EQ(dataset.records[1].minima, 1);
  EXPECT_NE(dataset.header.minimiser.find("\"starts\""), std::string::npos);

  const auto one_start = label(output, files);
  EXPECT_EQ(one_start.status, 1);
  EXPECT_NE(error_line(one_start.err).find("minimiser = "), std::string::npos) << one_start.err;
}

TEST_F(LabelCommand, ReportsTheChangeOfTheLabelsWithAnotherFineAction) {
  const auto result = label(dir_ / "labels.h5", "--set compare.fine_action=symanzik --set \"input.configurations=[" +
                                                    quoted_toml(configuration_file(0)) + "]\"");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("symanzik: A_FP"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("wilson vs symanzik: mean |relative change| of A_FP"),
            std::string::npos)
      << result.out;
}

TEST_F(LabelCommand, RefusesBadInputWithOneLine) {
  fs::create_directories(dir_ / "empty");
  test::write_bytes(dir_ / "empty" / "README", "no configurations here\n");
  write_nersc(dir_ / "big.nersc", test::near_unit_gauge_field(Geometry::make({4, 4, 4, 4}), 1, 0.3));
  // Each case's --set values as one shell word, TOML quotes included.
  const auto set = [](const std::string& assignment) { return "--set \"" + assignment + "\" "; };
  const struct {
    std::string arguments, message;
  } cases[] = {
      {set("input.configurations=['absent.nersc']"), "'absent.nersc' does not exist"},
      {set("input.configurations=[" + quoted_toml(dir_ / "empty") + "]"),
       "directory without NERSC files"},
      {set("input.configurations=[" + quoted_toml(dir_ / "ensemble") + "," +
           quoted_toml(dir_ / "big.nersc") + "]"),
       "big.nersc"},
      {set("input.configurations=[" + quoted_toml(configuration_file(0)) + "," +
           quoted_toml(configuration_file(0)) + "]"),
       "a second time"},
      {set("kernel.kind=blocky"), "kernel.kind"},
      {set("kernel.kind=custom"), "kernel.paths"},
      {set("kernel.kind=custom") + set("kernel.paths=[{path='mu tau mu',coefficient=1.0}]"),
       "unknown token 'tau'"},
      {set("kernel.paths=[{path='mu mu',coefficient=1.0}]"), "kernel.paths"},
      {set("kernel.kappa=-1"), "kappa"},
      {set("minimiser.tolerance=0"), "minimiser.tolerance"},
      {set("fine_action.name=wilsn"), "unknown action 'wilsn'"},
      {set("fine_action.fp_steps=0"), "fine_action.fp_steps"},
      {set("compare.fine_action=symanzk"), "compare.fine_action"},
  };
  for (const auto& c : cases) {
    const fs::path output = dir_ / "labels.h5";
    const auto result = label(output, c.arguments);
    EXPECT_EQ(result.status, 1) << c.arguments;
    EXPECT_NE(error_line(result.err).find(c.message), std::string::npos)
        << c.arguments << ": " << result.err;
    EXPECT_FALSE(fs::exists(output)) << c.arguments;
    fs::remove(LabelDatasetWriter::partial_path(output));
  }
}

TEST_F(LabelCommand, ExampleCardRuns) {
  const fs::path output = dir_ / "example.h5";
  const auto result = run_fpgauge(
      "label " + std::string(FPGAUGE_SOURCE_DIR) + "/configs/label_quickstart.toml --set \"" +
          "input.configurations=[" + quoted_toml(configuration_file(2)) + "]\" --output " +
          quoted(output),
      dir_.path(), "OMP_WAIT_POLICY=passive");
  ASSERT_EQ(result.status, 0) << result.err;
  const LabelDataset dataset = read_label_dataset(output);
  ASSERT_EQ(dataset.records.size(), 1u);
  EXPECT_TRUE(dataset.records[0].converged);
  EXPECT_NE(dataset.header.run_card.find("label_quickstart.toml"), std::string::npos);
}

TEST_F(LabelCommand, TwoMpiRanksGiveTheDatasetOfOneProcess) {
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun";
  const fs::path one = dir_ / "one.h5", two = dir_ / "two.h5";
  ASSERT_EQ(label(one).status, 0);
  const auto result = label(two, "", "OMP_NUM_THREADS=1 mpirun --allow-run-as-root --oversubscribe -np 2");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("in 2 process(es)"), std::string::npos) << result.out;
  expect_same_records(read_label_dataset(two).records, read_label_dataset(one).records);
}

}  // namespace
}  // namespace fpgauge
