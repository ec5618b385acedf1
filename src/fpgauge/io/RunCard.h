#pragma once
// Run cards: TOML files that fix every parameter of a run (openQCD's rule: a run is repeatable
// from its card alone). A command declares its parameters as a defaults document that lists
// every key with its default value; the default's type (string, integer, floating-point,
// boolean, array of these) is the type the key must have, and a key the defaults do not list is
// an error, so a misspelt key can never be silently ignored. A card sets any subset of the keys;
// overrides "key.path=value" (value in TOML syntax) apply after it, and every other key keeps its
// default. Where a string is expected, an override value that is not a TOML string is taken
// verbatim, so that --set action.name=wilson works without shell-quoted quotes. The fully
// resolved card is written next to a run's outputs.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace fpgauge {

class RunCard {
 public:
  // Throws std::runtime_error naming the card file, the key (and line) and the value for a card
  // that cannot be read or parsed, a key the defaults do not have, a value whose type differs
  // from the default's (integers are accepted where floating-point numbers are expected), a
  // non-finite number, or a malformed override. Throws std::logic_error if `defaults` is not
  // valid TOML.
  RunCard(const std::filesystem::path& file, std::string_view defaults,
          std::span<const std::string> overrides = {});

  const std::filesystem::path& file() const { return file_; }
  const toml::table& table() const { return resolved_; }

  // Values by dotted key; the key and its type are fixed by the defaults, so asking for another
  // is a programming error (std::logic_error).
  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  double real(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::vector<std::int64_t> integers(std::string_view key) const;
  // An array of strings; an array whose defaults are empty may hold anything, so a non-string
  // element is the card's error (reject), not a programming error.
  std::vector<std::string> strings(std::string_view key) const;
  // An array of numbers (integers read as reals), with the same rule for empty defaults.
  std::vector<double> reals(std::string_view key) const;

  // For a value of the right type that the command cannot use: throws std::runtime_error
  // "run card 'FILE': KEY = VALUE: expected EXPECTED".
  [[noreturn]] void reject(std::string_view key, std::string_view expected) const;

  // The resolved card as TOML, and written to a file (complete or not at all, see OutputFile).
  std::string to_toml() const;
  void write(const std::filesystem::path& file, bool overwrite = false) const;

 private:
  const toml::node& node(std::string_view key) const;

  std::filesystem::path file_;
  toml::table resolved_;
};

}  // namespace fpgauge
