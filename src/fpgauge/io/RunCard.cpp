#include "fpgauge/io/RunCard.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "fpgauge/io/OutputFile.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "true or false";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a section";
    default: return "a date or time";
  }
}

// A value as it would appear in the card.
std::string shown(const toml::node& value) {
  std::ostringstream s;
  value.visit([&](const auto& v) {
    if constexpr (toml::is_table<decltype(v)>)
      s << "{...}";
    else
      s << toml::toml_formatter(v);
  });
  return s.str();
}

std::string key_list(const toml::table& table) {
  std::string list;
  for (const auto& [name, value] : table)
    list += fmt::format("{}{}", list.empty() ? "" : ", ", name.str());
  return list;
}

std::string unknown_key(const std::string& prefix, std::string_view name,
                        const toml::table& section) {
  const std::string known =
      prefix.empty() ? "sections" : "keys of [" + prefix.substr(0, prefix.size() - 1) + "]";
  return fmt::format("unknown key '{}{}' (known {}: {})", prefix, name, known, key_list(section));
}

// Where a value came from, for the messages: the card and its line, or the override.
struct Origin {
  const fs::path& file;
  std::string override_text;  // empty for values from the card

  [[noreturn]] void fail(std::string_view message, const toml::node* at = nullptr) const {
    std::string where = fmt::format("run card '{}'", file.string());
    if (!override_text.empty())
      where += fmt::format(", --set {}", override_text);
    else if (at && at->source().begin.line > 0)
      where += fmt::format(" line {}", at->source().begin.line);
    throw std::runtime_error(fmt::format("{}: {}", where, message));
  }
};

// Appends `value`, converted to the type of `prototype`, to `out`; throws naming `key` if the
// types differ (integers are accepted as floating-point numbers).
void convert(const toml::node& value, const toml::node& prototype, const std::string& key,
             const Origin& origin, toml::array& out) {
  const auto mismatch = [&](std::string_view expected) {
    origin.fail(fmt::format("{} = {}: expected {}", key, shown(value), expected), &value);
  };
  if (prototype.is_floating_point()) {
    double x = 0.0;
    if (const auto* i = value.as_integer())
      x = static_cast<double>(i->get());
    else if (const auto* f = value.as_floating_point())
      x = f->get();
    else
      mismatch("a number");
    if (!std::isfinite(x)) mismatch("a finite number");
    out.push_back(x);
  } else if (const auto* prototype_array = prototype.as_array()) {
    const auto* array = value.as_array();
    if (!array) mismatch(fmt::format("an array like {}", shown(prototype)));
    toml::array converted;
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (prototype_array->empty())
        (*array)[i].visit([&](const auto& v) { converted.push_back(v); });
      else
        convert((*array)[i], (*prototype_array)[0], fmt::format("{}[{}]", key, i), origin,
                converted);
    }
    out.push_back(std::move(converted));
  } else if (value.type() != prototype.type()) {
    mismatch(type_name(prototype.type()));
  } else {
    value.visit([&](const auto& v) { out.push_back(v); });
  }
}

// Stores `value`, converted to the type of `prototype`, as section[name].
void store(toml::table& section, std::string_view name, const toml::node& value,
           const toml::node& prototype, const std::string& key, const Origin& origin) {
  toml::array converted;
  convert(value, prototype, key, origin, converted);
  converted[0].visit([&](auto& v) { section.insert_or_assign(name, std::move(v)); });
}

// Checks every key of `card` against `defaults` and stores it into `resolved`.
void merge(toml::table& resolved, const toml::table& card, const toml::table& defaults,
           const std::string& prefix, const Origin& origin) {
  for (const auto& [name, value] : card) {
    const std::string key = prefix + std::string(name.str());
    const toml::node* prototype = defaults.get(name.str());
    if (!prototype)
      origin.fail(unknown_key(prefix, name.str(), defaults), &value);
    if (const auto* section = prototype->as_table()) {
      if (!value.is_table())
        origin.fail(fmt::format("{} = {}: expected a section [{}] with keys {}", key,
                                shown(value), key, key_list(*section)),
                    &value);
      merge(*resolved.get(name.str())->as_table(), *value.as_table(), *section, key + ".",
            origin);
    } else {
      store(resolved, name.str(), value, *prototype, key, origin);
    }
  }
}

void apply_override(toml::table& resolved, const toml::table& defaults, const std::string& text,
                    const Origin& card) {
  const Origin origin{card.file, text};
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    origin.fail("expected KEY=VALUE, e.g. --set action.beta=6.0");
  const std::string key = text.substr(0, equals);
  const std::string value_text = text.substr(equals + 1);

  // Walk the dotted key through the defaults and the resolved card in step.
  const toml::table* defaults_section = &defaults;
  toml::table* resolved_section = &resolved;
  std::string prefix;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string name = key.substr(start, dot == std::string::npos ? dot : dot - start);
    const toml::node* prototype = defaults_section->get(name);
    if (!prototype)
      origin.fail(unknown_key(prefix, name, *defaults_section));
    if (dot == std::string::npos) {
      if (prototype->is_table())
        origin.fail(fmt::format("'{}' is a section: set its keys ({}) one by one", key,
                                key_list(*prototype->as_table())));
      toml::table parsed;
      try {
        parsed = toml::parse(std::string_view("value = " + value_text));
      } catch (const toml::parse_error& e) {
        if (!prototype->is_string())
          origin.fail(fmt::format("cannot read '{}' as a TOML value ({}): expected {}",
                                  value_text, e.description(), type_name(prototype->type())));
      }
      const toml::node* value = parsed.get("value");
      if (prototype->is_string() && (!value || !value->is_string() || parsed.size() != 1))
        resolved_section->insert_or_assign(name, value_text);
      else if (parsed.size() != 1)
        origin.fail(fmt::format("'{}' is more than one TOML value", value_text));
      else
        store(*resolved_section, name, *value, *prototype, key, origin);
      return;
    }
    if (!prototype->is_table())
      origin.fail(fmt::format("'{}' is a single value, not a section", prefix + name));
    defaults_section = prototype->as_table();
    resolved_section = resolved_section->get(name)->as_table();
    prefix += name + ".";
    start = dot + 1;
  }
}

}  // namespace

RunCard::RunCard(const fs::path& file, std::string_view defaults,
                 std::span<const std::string> overrides)
    : file_(file) {
  toml::table defaults_table;
  try {
    defaults_table = toml::parse(defaults, std::string_view("defaults"));
  } catch (const toml::parse_error& e) {
    throw std::logic_error(fmt::format("run card defaults are not valid TOML: {} (line {})",
                                       e.description(), e.source().begin.line));
  }
  const Origin origin{file_, ""};
  std::ifstream in(file_);
  if (!in) origin.fail(fmt::format("cannot open it: {}", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  toml::table card;
  try {
    card = toml::parse(text.str(), std::string_view(file_.string()));
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(fmt::format("run card '{}' line {}, column {}: {}", file_.string(),
                                         e.source().begin.line, e.source().begin.column,
                                         e.description()));
  }
  resolved_ = defaults_table;
  merge(resolved_, card, defaults_table, "", origin);
  for (const std::string& text_override : overrides)
    apply_override(resolved_, defaults_table, text_override, origin);
}

const toml::node& RunCard::node(std::string_view key) const {
  const toml::node* n = resolved_.at_path(key).node();
  if (!n) throw std::logic_error(fmt::format("run card has no key '{}'", key));
  return *n;
}

std::string RunCard::string(std::string_view key) const {
  if (const auto* v = node(key).as_string()) return v->get();
  throw std::logic_error(fmt::format("run card key '{}' is not a string", key));
}

std::int64_t RunCard::integer(std::string_view key) const {
  if (const auto* v = node(key).as_integer()) return v->get();
  throw std::logic_error(fmt::format("run card key '{}' is not an integer", key));
}

double RunCard::real(std::string_view key) const {
  if (const auto* v = node(key).as_floating_point()) return v->get();
  throw std::logic_error(fmt::format("run card key '{}' is not a floating-point number", key));
}

bool RunCard::boolean(std::string_view key) const {
  if (const auto* v = node(key).as_boolean()) return v->get();
  throw std::logic_error(fmt::format("run card key '{}' is not a boolean", key));
}

std::vector<std::int64_t> RunCard::integers(std::string_view key) const {
  const auto* array = node(key).as_array();
  std::vector<std::int64_t> values;
  if (array)
    for (const toml::node& element : *array)
      if (const auto* v = element.as_integer()) values.push_back(v->get());
  if (!array || values.size() != array->size())
    throw std::logic_error(fmt::format("run card key '{}' is not an array of integers", key));
  return values;
}

std::vector<std::string> RunCard::strings(std::string_view key) const {
  const auto* array = node(key).as_array();
  std::vector<std::string> values;
  if (array)
    for (const toml::node& element : *array)
      if (const auto* v = element.as_string()) values.push_back(v->get());
  if (!array) throw std::logic_error(fmt::format("run card key '{}' is not an array", key));
  if (values.size() != array->size()) reject(key, "an array of strings");
  return values;
}

std::vector<double> RunCard::reals(std::string_view key) const {
  const auto* array = node(key).as_array();
  if (!array) throw std::logic_error(fmt::format("run card key '{}' is not an array", key));
  std::vector<double> values;
  for (const toml::node& element : *array) {
    if (const auto* v = element.as_floating_point())
      values.push_back(v->get());
    else if (const auto* i = element.as_integer())
      values.push_back(double(i->get()));
    else
      reject(key, "an array of numbers");
  }
  return values;
}

void RunCard::reject(std::string_view key, std::string_view expected) const {
  throw std::runtime_error(fmt::format("run card '{}': {} = {}: expected {}", file_.string(), key,
                                       shown(node(key)), expected));
}

std::string RunCard::to_toml() const {
  std::ostringstream s;
  s << "# Fully resolved run card: the defaults, then " << file_.filename().string()
    << ", then the --set overrides.\n\n"
    << toml::toml_formatter(resolved_) << "\n";
  return s.str();
}

void RunCard::write(const fs::path& file, bool overwrite) const {
  write_output_file(file, to_toml(), overwrite);
}

}  // namespace fpgauge
