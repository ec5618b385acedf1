#pragma once
// Every output of fpgauge appears complete or not at all, and never replaces an existing file
// unless asked to (developers' guide; openQCD's rule): the data go to a hidden temporary file in
// the target's directory, which is flushed to disk and then renamed onto the target. Without
// `overwrite` the final step is link(2) + unlink(2), which fails atomically if the target
// appeared meanwhile. A file that is destroyed without commit() removes its temporary.
#include <cstddef>
#include <filesystem>
#include <string_view>

namespace fpgauge {

class OutputFile {
 public:
  // Throws std::runtime_error naming `file` if it exists and !overwrite, or if the temporary
  // cannot be created.
  OutputFile(std::filesystem::path file, bool overwrite);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const void* data, std::size_t bytes);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flushes, closes and moves the temporary onto the target.
  void commit();

  const std::filesystem::path& path() const { return file_; }

 private:
  void discard() noexcept;

  std::filesystem::path file_;
  std::filesystem::path temporary_;
  bool overwrite_;
  int fd_ = -1;
};

// The whole file at once: OutputFile(file, overwrite), write(contents), commit().
void write_output_file(const std::filesystem::path& file, std::string_view contents,
                       bool overwrite);

}  // namespace fpgauge
