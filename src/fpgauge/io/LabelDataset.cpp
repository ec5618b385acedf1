#include "fpgauge/io/LabelDataset.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "fpgauge-fp-labels";
constexpr std::int64_t kFormatVersion = 1;
constexpr hsize_t kRealsPerLink = 18;  // [3][3][2]

// HDF5 prints its error stack to stderr by default; here its cause goes into the exception.
void silence_hdf5_errors() {
  static const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  (void)silenced;
}

// The innermost entry of HDF5's error stack, the cause (e.g. "unable to lock file, errno = 11").
std::string hdf5_cause() {
  std::string cause;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* error, void* out) -> herr_t {
        if (error->desc) *static_cast<std::string*>(out) = error->desc;
        return 0;
      },
      &cause);
  H5Eclear2(H5E_DEFAULT);
  return cause;
}

// An HDF5 identifier closed by its own close function.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(close_, other.close_);
    return *this;
  }
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  operator hid_t() const { return id_; }  // NOLINT: used wherever HDF5 takes an identifier

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

// One dataset of the layout (LabelDataset.h): its name, types and the shape of one record.
struct Column {
  const char* name;
  hid_t file_type;
  hid_t memory_type;
  std::vector<hsize_t> row;
};

Handle utf8_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

class Hdf5Location {
 public:
  Hdf5Location(fs::path file, hid_t id) : file_(std::move(file)), id_(id, H5Fclose) {}
  const fs::path& file() const { return file_; }
  hid_t id() const { return id_; }

  [[noreturn]] void fail(const std::string& what) const {
    const std::string cause = hdf5_cause();
    throw std::runtime_error(fmt::format("label dataset '{}': {}{}", file_.string(), what,
                                         cause.empty() ? "" : " (" + cause + ")"));
  }
  hid_t checked(hid_t id, const std::string& what) const {
    if (id < 0) fail(what);
    return id;
  }
  void checked(herr_t status, const std::string& what) const {
    if (status < 0) fail(what);
  }

  void write_string(const char* name, const std::string& value) const {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, std::max<std::size_t>(value.size(), 1));
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const std::string padded = value.empty() ? std::string(1, '\0') : value;
    write_attribute(name, type, type, H5S_SCALAR, {}, padded.data());
  }
  void write_integers(const char* name, const std::vector<std::int64_t>& values) const {
    write_attribute(name, H5T_STD_I64LE, H5T_NATIVE_INT64, H5S_SIMPLE, {values.size()},
                    values.data());
  }
  void write_integer(const char* name, std::int64_t value) const {
    write_attribute(name, H5T_STD_I64LE, H5T_NATIVE_INT64, H5S_SCALAR, {}, &value);
  }
  void write_real(const char* name, double value) const {
    write_attribute(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, H5S_SCALAR, {}, &value);
  }

  std::string read_string(const char* name) const {
    const Handle attribute = open_attribute(name);
    const Handle type(H5Aget_type(attribute), H5Tclose);
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) > 0)
      fail(fmt::format("attribute '{}' is not a fixed-length string", name));
    std::string value(H5Tget_size(type), '\0');
    checked(H5Aread(attribute, type, value.data()), fmt::format("cannot read attribute '{}'", name));
    value.erase(value.find_last_not_of('\0') + 1);
    return value;
  }
  std::vector<std::int64_t> read_integers(const char* name) const {
    const Handle attribute = open_attribute(name);
    const Handle space(H5Aget_space(attribute), H5Sclose);
    std::vector<std::int64_t> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    checked(H5Aread(attribute, H5T_NATIVE_INT64, values.data()),
            fmt::format("cannot read attribute '{}' as integers", name));
    return values;
  }
  std::int64_t read_integer(const char* name) const {
    const std::vector<std::int64_t> values = read_integers(name);
    if (values.size() != 1) fail(fmt::format("attribute '{}' is not one integer", name));
    return values[0];
  }
  double read_real(const char* name) const {
    const Handle attribute = open_attribute(name);
    double value = 0.0;
    checked(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value),
            fmt::format("cannot read attribute '{}' as a number", name));
    return value;
  }

  void flush() const { checked(H5Fflush(id_, H5F_SCOPE_LOCAL), "cannot flush"); }

 private:
  Handle open_attribute(const char* name) const {
    if (H5Aexists(id_, name) <= 0) fail(fmt::format("attribute '{}' is missing", name));
    return Handle(checked(H5Aopen(id_, name, H5P_DEFAULT), fmt::format("cannot open attribute '{}'", name)),
                  H5Aclose);
  }
  void write_attribute(const char* name, hid_t file_type, hid_t memory_type, H5S_class_t kind,
                       const std::vector<hsize_t>& dims, const void* data) const {
    const std::string what = fmt::format("cannot write attribute '{}'", name);
    if (H5Aexists(id_, name) > 0) checked(H5Adelete(id_, name), what);
    const Handle space(kind == H5S_SCALAR ? H5Screate(H5S_SCALAR)
                                          : H5Screate_simple(static_cast<int>(dims.size()),
                                                             dims.data(), nullptr),
                       H5Sclose);
    const Handle attribute(
        checked(H5Acreate2(id_, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT), what),
        H5Aclose);
    checked(H5Awrite(attribute, memory_type, data), what);
  }

  fs::path file_;
  Handle id_;
};

std::vector<hsize_t> with_rows(hsize_t rows, const std::vector<hsize_t>& row) {
  std::vector<hsize_t> dims{rows};
  dims.insert(dims.end(), row.begin(), row.end());
  return dims;
}

// The columns in file order; the string columns at these positions. The columns from
// kFirstOptionalColumn on came with multi-start labels (2026-11-28): a dataset without them holds
// labels from the prolongation alone (one minimum, spread 0), and a writer extending it adds them.
constexpr std::size_t kSourceColumn = 8, kEnsembleColumn = 9, kFirstOptionalColumn = 10;
std::vector<Column> columns(SiteIndex volume, hid_t string_type) {
  const auto v = static_cast<hsize_t>(volume);
  return {{"configuration", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {v, kDimensions, 3, 3, 2}},
          {"derivative", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {v, kDimensions, kAlgebraDim}},
          {"action", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}},
          {"fine_action", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}},
          {"kernel", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}},
          {"residual", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}},
          {"iterations", H5T_STD_I64LE, H5T_NATIVE_INT64, {}},
          {"converged", H5T_STD_U8LE, H5T_NATIVE_UINT8, {}},
          {"source", string_type, string_type, {}},
          {"ensemble", string_type, string_type, {}},
          {"minima", H5T_STD_I64LE, H5T_NATIVE_INT64, {}},
          {"derivative_spread", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}}};
}

bool column_exists(const Hdf5Location& h5, const Column& column) {
  return H5Lexists(h5.id(), column.name, H5P_DEFAULT) > 0;
}

// A new column of `rows` rows, extendible; a chunk per record for the fields, 1024 records per
// chunk for the scalars.
Handle create_column(const Hdf5Location& h5, const Column& column, hsize_t rows) {
  const std::vector<hsize_t> dims = with_rows(rows, column.row);
  std::vector<hsize_t> maximum = dims, chunk = with_rows(column.row.empty() ? 1024 : 1, column.row);
  maximum[0] = H5S_UNLIMITED;
  const Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maximum.data()),
                     H5Sclose);
  const Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data());
  return Handle(h5.checked(H5Dcreate2(h5.id(), column.name, column.file_type, space, H5P_DEFAULT,
                                      properties, H5P_DEFAULT),
                           fmt::format("cannot create dataset '{}'", column.name)),
                H5Dclose);
}

SiteIndex volume_of(const Coordinates& extents) {
  SiteIndex v = 1;
  for (const int l : extents) v *= l;
  return v;
}

// Opens a column's dataset and checks its shape; `rows` is set to its current extent.
Handle open_column(const Hdf5Location& h5, const Column& column, hsize_t& rows) {
  if (H5Lexists(h5.id(), column.name, H5P_DEFAULT) <= 0)
    h5.fail(fmt::format("dataset '{}' is missing", column.name));
  Handle dataset(h5.checked(H5Dopen2(h5.id(), column.name, H5P_DEFAULT),
                            fmt::format("cannot open dataset '{}'", column.name)),
                 H5Dclose);
  const Handle space(H5Dget_space(dataset), H5Sclose);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(H5Sget_simple_extent_ndims(space), 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  if (dims.empty() || !std::equal(column.row.begin(), column.row.end(), dims.begin() + 1, dims.end()))
    h5.fail(fmt::format("dataset '{}' has shape [{}], expected [N, {}]", column.name,
                        fmt::join(dims, ", "), fmt::join(column.row, ", ")));
  rows = dims[0];
  return dataset;
}

// Selects rows [first, first + count) of a dataset; returns the file and memory spaces.
std::pair<Handle, Handle> row_spaces(hid_t dataset, const Column& column, hsize_t first,
                                     hsize_t count) {
  Handle file_space(H5Dget_space(dataset), H5Sclose);
  const std::vector<hsize_t> start = with_rows(first, std::vector<hsize_t>(column.row.size(), 0));
  const std::vector<hsize_t> size = with_rows(count, column.row);
  H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, size.data(), nullptr);
  Handle memory_space(H5Screate_simple(static_cast<int>(size.size()), size.data(), nullptr),
                      H5Sclose);
  return {std::move(file_space), std::move(memory_space)};
}

LabelDatasetHeader read_header(const Hdf5Location& h5) {
  if (H5Aexists(h5.id(), "format") <= 0 || h5.read_string("format") != kFormat)
    h5.fail(fmt::format("not an fpgauge label dataset (no attribute format = \"{}\")", kFormat));
  const std::int64_t version = h5.read_integer("format_version");
  if (version != kFormatVersion)
    h5.fail(fmt::format("format_version = {}: this program reads version {}", version,
                        kFormatVersion));
  LabelDatasetHeader header;
  const std::vector<std::int64_t> extents = h5.read_integers("coarse_extents");
  if (extents.size() != kDimensions) h5.fail("attribute 'coarse_extents' does not hold 4 extents");
  for (int mu = 0; mu < kDimensions; ++mu) header.coarse_extents[mu] = static_cast<int>(extents[mu]);
  header.fine_action = h5.read_string("fine_action");
  header.kernel = h5.read_string("kernel");
  header.kappa = h5.read_real("kappa");
  header.minimiser = h5.read_string("minimiser");
  header.run_card = h5.read_string("run_card");
  header.program_version = h5.read_string("program_version");
  return header;
}

// Reads `column` for rows [0, rows) into `out` (sized by the caller).
void read_rows(const Hdf5Location& h5, const Column& column, hsize_t rows, void* out) {
  hsize_t available = 0;
  const Handle dataset = open_column(h5, column, available);
  if (available != rows)
    h5.fail(fmt::format("dataset '{}' has {} rows, dataset 'source' {}", column.name, available,
                        rows));
  if (rows == 0) return;
  const auto [file_space, memory_space] = row_spaces(dataset, column, 0, rows);
  h5.checked(H5Dread(dataset, column.memory_type, memory_space, file_space, H5P_DEFAULT, out),
             fmt::format("cannot read dataset '{}'", column.name));
}

std::vector<std::string> read_strings(const Hdf5Location& h5, const Column& column,
                                      hsize_t rows) {
  std::vector<char*> pointers(rows, nullptr);
  read_rows(h5, column, rows, pointers.data());
  std::vector<std::string> strings(pointers.begin(), pointers.end());
  if (rows > 0) {
    const Handle space(H5Screate_simple(1, &rows, nullptr), H5Sclose);
    H5Dvlen_reclaim(column.memory_type, space, H5P_DEFAULT, pointers.data());
  }
  return strings;
}

Hdf5Location open_file(const fs::path& file, unsigned flags) {
  silence_hdf5_errors();
  const hid_t id = H5Fopen(file.c_str(), flags, H5P_DEFAULT);
  if (id < 0) {
    const std::string cause = hdf5_cause();
    throw std::runtime_error(fmt::format("label dataset '{}': cannot open it as HDF5{}",
                                         file.string(), cause.empty() ? "" : " (" + cause + ")"));
  }
  return Hdf5Location(file, id);
}

// Writes a file's data to disk before it is renamed, so that the rename never exposes a file
// whose blocks are not yet stored.
void sync_to_disk(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(
        fmt::format("label dataset '{}': cannot sync it to disk: {}", file.string(), std::strerror(error)));
  }
  ::close(fd);
}

}  // namespace

void check_same_labelling(const fs::path& file, const LabelDatasetHeader& existing,
                          const LabelDatasetHeader& wanted) {
  const auto differ = [&](const char* name, const std::string& was, const std::string& now) {
    if (was != now)
      throw std::runtime_error(fmt::format(
          "label dataset '{}' holds labels made with {} = {}; this run has {} = {}: labels of "
          "other parameters cannot share a dataset (write to another file or start it anew)",
          file.string(), name, was, name, now));
  };
  differ("coarse_extents", fmt::format("[{}]", fmt::join(existing.coarse_extents, ", ")),
         fmt::format("[{}]", fmt::join(wanted.coarse_extents, ", ")));
  differ("fine_action", existing.fine_action, wanted.fine_action);
  differ("kernel", existing.kernel, wanted.kernel);
  differ("kappa", fmt::format("{}", existing.kappa), fmt::format("{}", wanted.kappa));
  differ("minimiser", existing.minimiser, wanted.minimiser);
  differ("program_version", existing.program_version, wanted.program_version);
}

void check_same_transformation(const fs::path& file, const LabelDatasetHeader& header,
                               const fs::path& reference_file,
                               const LabelDatasetHeader& reference) {
  const auto differ = [&](const char* name, const std::string& here, const std::string& there) {
    if (here != there)
      throw std::runtime_error(fmt::format(
          "label dataset '{}' was made with {} = {}, label dataset '{}' with {} = {}: labels of "
          "different RG transformations cannot be fitted together",
          file.string(), name, here, reference_file.string(), name, there));
  };
  differ("fine_action", header.fine_action, reference.fine_action);
  differ("kernel", header.kernel, reference.kernel);
  differ("kappa", fmt::format("{}", header.kappa), fmt::format("{}", reference.kappa));
}

struct LabelDatasetWriter::Hdf5File {
  explicit Hdf5File(Hdf5Location location) : h5(std::move(location)) {}
  Hdf5Location h5;
  Handle string_type = utf8_string_type();
  std::vector<Column> layout;
  std::vector<Handle> datasets;  // in the order of `layout`
};

namespace {

fs::path with_suffix(const fs::path& file, const char* suffix) {
  fs::path extended = file;
  extended += suffix;
  return extended;
}

// Rows of every column of an open dataset file (all equal, else the file is refused).
hsize_t count_rows(const Hdf5Location& h5, const std::vector<Column>& layout,
                   std::vector<Handle>& datasets) {
  hsize_t records = 0;
  for (std::size_t c = 0; c < layout.size(); ++c) {
    if (c >= kFirstOptionalColumn && !column_exists(h5, layout[c])) continue;
    hsize_t rows = 0;
    datasets.push_back(open_column(h5, layout[c], rows));
    if (c == 0) records = rows;
    if (rows != records)
      h5.fail(fmt::format("dataset '{}' has {} rows, dataset '{}' {}", layout[c].name, rows,
                          layout[0].name, records));
  }
  return records;
}

// The optional columns a dataset from before them lacks, holding what its labels are: from one
// start, so one minimum and spread 0.
void add_optional_columns(const Hdf5Location& h5, const std::vector<Column>& layout) {
  hsize_t rows = 0;
  open_column(h5, layout[kSourceColumn], rows);
  const std::vector<std::int64_t> minima(rows, 1);
  const std::vector<double> spread(rows, 0.0);
  const void* values[] = {minima.data(), spread.data()};
  static_assert(std::size(values) == 2, "one default per optional column");
  for (std::size_t c = kFirstOptionalColumn; c < layout.size(); ++c) {
    if (column_exists(h5, layout[c])) continue;
    const Handle dataset = create_column(h5, layout[c], rows);
    if (rows > 0)
      h5.checked(H5Dwrite(dataset, layout[c].memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                          values[c - kFirstOptionalColumn]),
                 fmt::format("cannot write dataset '{}'", layout[c].name));
  }
}

// FILE.lock, in FILE's directory (created if need be).
fs::path lock_path(const fs::path& file) {
  if (!file.parent_path().empty()) fs::create_directories(file.parent_path());
  return with_suffix(file, ".lock");
}

// Copy checkpoints may take this share of the run's time at most (see checkpoint()).
constexpr double kCheckpointShare = 0.05;

}  // namespace

// One writer per dataset: FILE.lock, flock()ed for the writer's lifetime (released by the
// kernel if the process dies) and removed by its holder. After locking, the path must still name
// the locked file, else another writer removed it meanwhile and the lock is taken anew.
LabelDatasetWriter::WriterLock::WriterLock(fs::path file) : file_(std::move(file)) {
  while (true) {
    fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0)
      throw std::runtime_error(fmt::format("label dataset lock '{}': cannot create it: {}",
                                           file_.string(), std::strerror(errno)));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw std::runtime_error(fmt::format(
          "label dataset lock '{}' is held: another process writes this dataset", file_.string()));
    }
    struct stat locked {}, named {};
    if (::fstat(fd_, &locked) == 0 && ::stat(file_.c_str(), &named) == 0 &&
        locked.st_dev == named.st_dev && locked.st_ino == named.st_ino)
      return;
    ::close(fd_);
  }
}

LabelDatasetWriter::WriterLock::~WriterLock() {
  ::unlink(file_.c_str());
  ::close(fd_);
}

fs::path LabelDatasetWriter::partial_path(const fs::path& file) {
  return with_suffix(file, ".partial");
}

LabelDatasetWriter::LabelDatasetWriter(const fs::path& file, const LabelDatasetHeader& header,
                                       bool overwrite)
    : file_(file), header_(header), lock_(lock_path(file)) {
  silence_hdf5_errors();
  const fs::path partial = partial_path(file_), work = with_suffix(file_, ".partial.work");
  // Leftovers of a killed run: the working copy and a checkpoint copy cut short.
  fs::remove(work);
  fs::remove(with_suffix(file_, ".partial.tmp"));
  if (overwrite) fs::remove(partial);
  const SiteIndex volume = volume_of(header_.coarse_extents);

  const fs::path start = fs::exists(partial) ? partial
                         : !overwrite && fs::exists(file_) ? file_
                                                           : fs::path();
  if (!start.empty()) {
    const LabelDatasetHeader existing = read_header(open_file(start, H5F_ACC_RDONLY));
    check_same_labelling(start, existing, header_);
    header_.run_card = existing.run_card;
    fs::copy_file(start, work);
    hdf5_ = std::make_unique<Hdf5File>(open_file(work, H5F_ACC_RDWR));
    hdf5_->layout = columns(volume, hdf5_->string_type);
    add_optional_columns(hdf5_->h5, hdf5_->layout);
    const hsize_t records = count_rows(hdf5_->h5, hdf5_->layout, hdf5_->datasets);
    for (std::string& source : read_strings(hdf5_->h5, hdf5_->layout[kSourceColumn], records))
      sources_.insert(std::move(source));
    last_checkpoint_ = std::chrono::steady_clock::now();
    return;
  }

  const hid_t id = H5Fcreate(work.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) {
    const std::string cause = hdf5_cause();
    throw std::runtime_error(fmt::format("label dataset '{}': cannot create it{}", work.string(),
                                         cause.empty() ? "" : " (" + cause + ")"));
  }
  hdf5_ = std::make_unique<Hdf5File>(Hdf5Location(work, id));
  const Hdf5Location& h5 = hdf5_->h5;
  h5.write_string("format", kFormat);
  h5.write_integer("format_version", kFormatVersion);
  h5.write_integers("coarse_extents", std::vector<std::int64_t>(header_.coarse_extents.begin(),
                                                                header_.coarse_extents.end()));
  h5.write_string("fine_action", header_.fine_action);
  h5.write_string("kernel", header_.kernel);
  h5.write_real("kappa", header_.kappa);
  h5.write_string("minimiser", header_.minimiser);
  h5.write_string("run_card", header_.run_card);
  h5.write_string("program_version", header_.program_version);
  hdf5_->layout = columns(volume, hdf5_->string_type);
  for (const Column& column : hdf5_->layout)
    hdf5_->datasets.push_back(create_column(h5, column, 0));
  h5.flush();
  last_checkpoint_ = std::chrono::steady_clock::now();
}

LabelDatasetWriter::~LabelDatasetWriter() {
  if (!hdf5_) return;
  // Not a kill (an exception, say): keep every record appended so far.
  try {
    if (unsaved_ > 0) checkpoint();
  } catch (const std::exception&) {
    // The records since the last checkpoint are labelled again on the next run.
  }
  hdf5_.reset();
  std::error_code ignored;
  fs::remove(with_suffix(file_, ".partial.work"), ignored);
}

void LabelDatasetWriter::append(const LabelRecord& record) {
  if (!hdf5_) throw std::logic_error("LabelDatasetWriter::append after commit()");
  const auto invalid = [&](const std::string& what) {
    throw std::invalid_argument(
        fmt::format("label dataset '{}', record '{}': {}", file_.string(), record.source, what));
  };
  if (contains(record.source)) invalid("the dataset holds a record of this source already");
  if (record.configuration.size() == 0 ||
      record.configuration.geometry().extents() != header_.coarse_extents)
    invalid(fmt::format("configuration on {}, the dataset's coarse lattice is [{}]",
                        record.configuration.size() == 0
                            ? std::string("no lattice")
                            : record.configuration.geometry().to_string(),
                        fmt::join(header_.coarse_extents, ", ")));
  if (static_cast<SiteIndex>(record.derivative.size()) != record.configuration.size())
    invalid(fmt::format("{} derivative entries for {} coarse links", record.derivative.size(),
                        record.configuration.size()));

  std::vector<double> links(static_cast<std::size_t>(record.configuration.size()) * kRealsPerLink);
  for (SiteIndex l = 0; l < record.configuration.size(); ++l)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        links[kRealsPerLink * l + 6 * i + 2 * j] = record.configuration[l].e[i][j].re;
        links[kRealsPerLink * l + 6 * i + 2 * j + 1] = record.configuration[l].e[i][j].im;
      }
  const std::uint8_t converged = record.converged ? 1 : 0;
  const char* source = record.source.c_str();
  const char* ensemble = record.ensemble.c_str();
  const void* row[] = {links.data(),       record.derivative.data(), &record.action,
                       &record.fine_action, &record.kernel,          &record.residual,
                       &record.iterations,  &converged,              &source,
                       &ensemble,           &record.minima,          &record.derivative_spread};

  const Hdf5Location& h5 = hdf5_->h5;
  const auto n = static_cast<hsize_t>(size());
  for (std::size_t c = 0; c < hdf5_->layout.size(); ++c) {
    const Column& column = hdf5_->layout[c];
    const hid_t dataset = hdf5_->datasets[c];
    const std::string what = fmt::format("cannot append record '{}' to dataset '{}'",
                                         record.source, column.name);
    const std::vector<hsize_t> dims = with_rows(n + 1, column.row);
    h5.checked(H5Dset_extent(dataset, dims.data()), what);
    const auto [file_space, memory_space] = row_spaces(dataset, column, n, 1);
    h5.checked(H5Dwrite(dataset, column.memory_type, memory_space, file_space, H5P_DEFAULT, row[c]),
               what);
  }
  h5.flush();
  sources_.insert(record.source);
  ++unsaved_;
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                     last_checkpoint_).count();
  if (since * kCheckpointShare >= last_copy_seconds_) checkpoint();
}

// The working copy, flushed and not written to meanwhile, is copied and renamed onto the partial
// file: the partial file is always a complete HDF5 file, replaced atomically. (Flushing alone
// does not make an HDF5 file safe against a kill: a kill while HDF5 writes can leave a file that
// opens but is corrupt, as the test of a writer killed mid-append showed for ~1 kill in 100.)
void LabelDatasetWriter::checkpoint() {
  const auto start = std::chrono::steady_clock::now();
  const fs::path copy = with_suffix(file_, ".partial.tmp");
  fs::copy_file(with_suffix(file_, ".partial.work"), copy, fs::copy_options::overwrite_existing);
  fs::rename(copy, partial_path(file_));
  last_checkpoint_ = std::chrono::steady_clock::now();
  last_copy_seconds_ = std::chrono::duration<double>(last_checkpoint_ - start).count();
  unsaved_ = 0;
}

void LabelDatasetWriter::commit() {
  if (!hdf5_) throw std::logic_error("LabelDatasetWriter::commit called twice");
  hdf5_.reset();
  const fs::path work = with_suffix(file_, ".partial.work");
  sync_to_disk(work);
  fs::rename(work, file_);
  fs::remove(partial_path(file_));
}

LabelDataset read_label_dataset(const fs::path& file) {
  const Hdf5Location h5 = open_file(file, H5F_ACC_RDONLY);
  LabelDataset dataset;
  dataset.header = read_header(h5);
  const Coordinates& extents = dataset.header.coarse_extents;
  for (const int l : extents)
    if (l < 2) h5.fail(fmt::format("coarse_extents [{}]: extents must be >= 2", fmt::join(extents, ", ")));
  const auto geometry = Geometry::make(extents);
  const Handle string_type = utf8_string_type();
  const std::vector<Column> layout = columns(geometry->volume(), string_type);
  std::vector<Handle> datasets;
  const hsize_t rows = count_rows(h5, layout, datasets);
  const std::size_t n = rows, links = static_cast<std::size_t>(geometry->link_count());

  std::vector<double> configurations(n * links * kRealsPerLink);
  std::vector<Algebra<double>> derivatives(n * links);
  std::vector<double> action(n), fine_action(n), kernel(n), residual(n);
  std::vector<std::int64_t> iterations(n), minima(n, 1);
  std::vector<std::uint8_t> converged(n);
  std::vector<double> spread(n, 0.0);
  void* out[] = {configurations.data(), derivatives.data(), action.data(), fine_action.data(),
                 kernel.data(),         residual.data(),    iterations.data(), converged.data()};
  for (std::size_t c = 0; c < std::size(out); ++c) read_rows(h5, layout[c], rows, out[c]);
  void* optional[] = {minima.data(), spread.data()};
  for (std::size_t c = kFirstOptionalColumn; c < layout.size(); ++c)
    if (column_exists(h5, layout[c]))
      read_rows(h5, layout[c], rows, optional[c - kFirstOptionalColumn]);
  const std::vector<std::string> sources = read_strings(h5, layout[kSourceColumn], rows);
  const std::vector<std::string> ensembles = read_strings(h5, layout[kEnsembleColumn], rows);

  for (std::size_t r = 0; r < n; ++r) {
    LabelRecord record;
    record.source = sources[r];
    record.ensemble = ensembles[r];
    record.configuration = GaugeField(geometry);
    const double* x = configurations.data() + r * links * kRealsPerLink;
    for (std::size_t l = 0; l < links; ++l)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          record.configuration[static_cast<SiteIndex>(l)].e[i][j] = {
              x[kRealsPerLink * l + 6 * i + 2 * j], x[kRealsPerLink * l + 6 * i + 2 * j + 1]};
    record.derivative.assign(derivatives.begin() + static_cast<std::ptrdiff_t>(r * links),
                             derivatives.begin() + static_cast<std::ptrdiff_t>((r + 1) * links));
    record.action = action[r];
    record.fine_action = fine_action[r];
    record.kernel = kernel[r];
    record.residual = residual[r];
    record.iterations = iterations[r];
    record.converged = converged[r] != 0;
    record.minima = minima[r];
    record.derivative_spread = spread[r];
    dataset.records.push_back(std::move(record));
  }
  return dataset;
}

}  // namespace fpgauge
