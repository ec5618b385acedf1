#pragma once
// The entry point of a study program in tools/: runs it and turns an exception into one line on
// stderr, "NAME: what", and exit status 1.
#include <exception>
#include <iostream>

namespace fpgauge {

inline int tool_main(const char* name, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace fpgauge
