#include "fpgauge/io/OutputFile.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace fpgauge {
namespace {

std::runtime_error system_error(std::string_view what, const std::filesystem::path& file,
                                int error) {
  return std::runtime_error(
      fmt::format("{} '{}': {}", what, file.string(), std::strerror(error)));
}

bool path_exists(const std::filesystem::path& file) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(file, ec));
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path file, bool overwrite)
    : file_(std::move(file)), overwrite_(overwrite) {
  if (!overwrite_ && path_exists(file_))
    throw std::runtime_error(fmt::format(
        "output file '{}' exists already: refusing to overwrite it", file_.string()));
  static std::atomic<unsigned> counter{0};
  // Hidden and unique per process and call; O_EXCL guards against any leftover of the same name.
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temporary_ = file_.parent_path() /
                 fmt::format(".{}.tmp.{}.{}", file_.filename().string(), ::getpid(),
                             counter.fetch_add(1));
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST)
      throw system_error("cannot create a temporary file for output file", file_, errno);
  }
  if (fd_ < 0)
    throw std::runtime_error(
        fmt::format("cannot create a temporary file for output file '{}'", file_.string()));
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temporary_.c_str());
  }
}

void OutputFile::write(const void* data, std::size_t bytes) {
  if (fd_ < 0)
    throw std::logic_error(fmt::format("output file '{}' is closed", file_.string()));
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t written = ::write(fd_, p, bytes);
    if (written < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      discard();
      throw system_error("cannot write output file", file_, error);
    }
    p += written;
    bytes -= static_cast<std::size_t>(written);
  }
}

void OutputFile::commit() {
  if (fd_ < 0)
    throw std::logic_error(fmt::format("output file '{}' is closed", file_.string()));
  int error = ::fsync(fd_) == 0 ? 0 : errno;
  if (::close(fd_) != 0 && error == 0) error = errno;
  fd_ = -1;
  if (error != 0) {
    ::unlink(temporary_.c_str());
    throw system_error("cannot write output file", file_, error);
  }
  if (overwrite_) {
    if (::rename(temporary_.c_str(), file_.c_str()) != 0) error = errno;
  } else if (::link(temporary_.c_str(), file_.c_str()) != 0) {
    error = errno;
  }
  if (error != 0 || !overwrite_) ::unlink(temporary_.c_str());
  if (error == EEXIST)
    throw std::runtime_error(fmt::format(
        "output file '{}' appeared while it was being written: refusing to overwrite it",
        file_.string()));
  if (error != 0) throw system_error("cannot create output file", file_, error);
}

void write_output_file(const std::filesystem::path& file, std::string_view contents,
                       bool overwrite) {
  OutputFile out(file, overwrite);
  out.write(contents);
  out.commit();
}

}  // namespace fpgauge
