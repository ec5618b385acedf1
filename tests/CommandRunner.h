#pragma once
// Runs the fpgauge binary (FPGAUGE_BINARY, set by tests/CMakeLists.txt) through the shell and
// captures its exit status, stdout and stderr, for the tests of the command-line interface.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "ScratchDirectory.h"

namespace fpgauge::test {

// A path as one shell word.
inline std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

struct CommandResult {
  int status;  // exit status; -1 if the command did not exit normally
  std::string out;
  std::string err;
};

// `arguments` are appended to the binary's path as they are (quote them as for sh);
// `environment` (e.g. "OMP_NUM_THREADS=1") is put in front. The captured streams go to
// `scratch` (a per-test directory).
inline CommandResult run_fpgauge(const std::string& arguments,
                                 const std::filesystem::path& scratch,
                                 const std::string& environment = "") {
  const std::filesystem::path out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  const std::string command = environment + " " + FPGAUGE_BINARY + " " + arguments + " > '" +
                              out.string() + "' 2> '" + err.string() + "' < /dev/null";
  const int raw = std::system(command.c_str());
  CommandResult result{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, file_bytes(out), file_bytes(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

// A JSON output of a command (report.json, index.json, ...).
inline nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

}  // namespace fpgauge::test
