#include "fpgauge/nn/Architecture.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace fpgauge::nn {
namespace {

std::vector<std::string_view> split(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find_first_of(separators, begin), text.size());
    parts.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

std::vector<std::string_view> tokens(std::string_view item) {
  std::vector<std::string_view> words;
  for (const std::string_view word : split(item, " \t\r"))
    if (!word.empty()) words.push_back(word);
  return words;
}

std::string_view trimmed(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// One item of the text with its position, for error messages.
struct Item {
  int number;
  std::string_view text;
  std::vector<std::string_view> words;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(
        fmt::format("L-CNN architecture, item {} '{}': {}", number, text, what));
  }

  int integer(std::string_view word, std::string_view what, int minimum) const {
    int value = 0;
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc() || end != word.data() + word.size() || value < minimum)
      fail(fmt::format("{} must be an integer >= {}, got '{}'", what, minimum, word));
    return value;
  }

  Activation activation(std::string_view word) const {
    if (word == "tanh") return Activation::tanh;
    if (word == "sigmoid") return Activation::sigmoid;
    fail(fmt::format("unknown activation '{}': known are tanh, sigmoid", word));
  }

  // Splits "key=value"; fails unless the key is one of `keys`.
  std::pair<std::string_view, std::string_view> option(std::string_view word,
                                                       std::string_view keys) const {
    const std::size_t eq = word.find('=');
    if (eq == std::string_view::npos)
      fail(fmt::format("expected an option {}=VALUE, got '{}'", keys, word));
    const std::string_view key = word.substr(0, eq);
    for (const std::string_view known : split(keys, "|"))
      if (key == known) return {key, word.substr(eq + 1)};
    fail(fmt::format("unknown option '{}': known are {}", key, keys));
  }
};

LcbLayer parse_lcb(const Item& item) {
  if (item.words.size() < 2) item.fail("expected 'lcb N [reach=R] [dilation=D] [diagonals]'");
  LcbLayer layer;
  layer.channels = item.integer(item.words[1], "the channel count N", 1);
  for (std::size_t k = 2; k < item.words.size(); ++k) {
    if (item.words[k] == "diagonals") {
      if (layer.diagonals) item.fail("'diagonals' given twice");
      layer.diagonals = true;
      continue;
    }
    const auto [key, value] = item.option(item.words[k], "reach|dilation");
    if (key == "reach")
      layer.reach = item.integer(value, "reach", 0);
    else
      layer.dilation = item.integer(value, "dilation", 1);
  }
  return layer;
}

MlpHead parse_mlp(const Item& item) {
  MlpHead head;
  for (std::size_t k = 1; k < item.words.size(); ++k) {
    if (item.words[k].find('=') != std::string_view::npos) {
      const auto [key, value] = item.option(item.words[k], "act");
      head.activation = item.activation(value);
    } else {
      head.hidden.push_back(item.integer(item.words[k], "a hidden width", 1));
    }
  }
  return head;
}

}  // namespace

std::string_view activation_name(Activation activation) {
  switch (activation) {
    case Activation::tanh:
      return "tanh";
    case Activation::sigmoid:
      return "sigmoid";
  }
  return "?";
}

Architecture Architecture::parse(std::string_view text) {
  std::vector<Item> items;
  int number = 0;
  for (const std::string_view line : split(text, "\n")) {
    const std::string_view code = line.substr(0, line.find('#'));
    for (const std::string_view piece : split(code, ";")) {
      std::vector<std::string_view> words = tokens(piece);
      if (!words.empty()) items.push_back({++number, trimmed(piece), std::move(words)});
    }
  }
  if (items.empty())
    throw std::invalid_argument(
        "L-CNN architecture: empty text; expected e.g. 'input plaquettes; lcb 12; act tanh; "
        "trace; mlp 16'");

  // The grammar: input (lcb | act)* trace mlp.
  enum class Stage { input, matrix_layers, after_trace, done };
  Stage stage = Stage::input;
  Architecture arch;
  for (const Item& item : items) {
    const std::string_view keyword = item.words[0];
    switch (stage) {
      case Stage::input:
        if (keyword != "input")
          item.fail("the first item must be 'input plaquettes [rectangles] [centred]'");
        if (item.words.size() < 2 || item.words[1] != "plaquettes")
          item.fail("expected 'input plaquettes [rectangles] [centred]'");
        for (std::size_t k = 2; k < item.words.size(); ++k) {
          const std::string_view word = item.words[k];
          if (word != "rectangles" && word != "centred")
            item.fail(
                fmt::format("unknown input option '{}': known are rectangles, centred", word));
          bool& option = word == "rectangles" ? arch.input.rectangles : arch.input.centred;
          if (option) item.fail(fmt::format("'{}' given twice", word));
          option = true;
        }
        stage = Stage::matrix_layers;
        break;
      case Stage::matrix_layers:
        if (keyword == "lcb") {
          arch.layers.emplace_back(parse_lcb(item));
        } else if (keyword == "act") {
          if (item.words.size() != 2) item.fail("expected 'act tanh' or 'act sigmoid'");
          arch.layers.emplace_back(ActLayer{item.activation(item.words[1])});
        } else if (keyword == "trace") {
          if (item.words.size() != 1) item.fail("'trace' takes no arguments");
          stage = Stage::after_trace;
        } else {
          item.fail("expected 'lcb', 'act' or 'trace'");
        }
        break;
      case Stage::after_trace:
        if (keyword != "mlp") item.fail("after 'trace' comes 'mlp [H1 H2 ...] [act=tanh|sigmoid]'");
        arch.head = parse_mlp(item);
        stage = Stage::done;
        break;
      case Stage::done:
        item.fail("nothing may follow 'mlp'");
    }
  }
  if (stage != Stage::done)
    throw std::invalid_argument(fmt::format(
        "L-CNN architecture '{}': incomplete, it must end with 'trace; mlp [widths]'", text));
  return arch;
}

std::string Architecture::to_string() const {
  std::string text = "input plaquettes";
  if (input.rectangles) text += " rectangles";
  if (input.centred) text += " centred";
  for (const MatrixLayer& layer : layers) {
    if (const auto* lcb = std::get_if<LcbLayer>(&layer))
      text += fmt::format("; lcb {} reach={} dilation={}{}", lcb->channels, lcb->reach,
                          lcb->dilation, lcb->diagonals ? " diagonals" : "");
    else
      text += fmt::format("; act {}", activation_name(std::get<ActLayer>(layer).activation));
  }
  text += "; trace; mlp";
  for (const int width : head.hidden) text += fmt::format(" {}", width);
  text += fmt::format(" act={}", activation_name(head.activation));
  return text;
}

int Architecture::channels_after(std::size_t i) const {
  int channels = input_channels();
  for (std::size_t k = 0; k <= i && k < layers.size(); ++k)
    if (const auto* lcb = std::get_if<LcbLayer>(&layers[k])) channels = lcb->channels;
  return channels;
}

int Architecture::output_channels() const {
  return layers.empty() ? input_channels() : channels_after(layers.size() - 1);
}

LcbShape lcb_shape(const LcbLayer& layer, int in_channels) {
  const int diagonals = layer.diagonals ? kDiagonals : 0;
  return {in_channels, layer.channels, 1 + 2 * 4 * layer.reach + diagonals};
}

std::int64_t Architecture::layer_parameter_count(std::size_t i) const {
  const auto* lcb = std::get_if<LcbLayer>(&layers[i]);
  if (!lcb) return 0;
  return lcb_shape(*lcb, i == 0 ? input_channels() : channels_after(i - 1)).weight_count();
}

std::int64_t Architecture::head_parameter_count() const {
  std::int64_t count = 0;
  int in = 2 * output_channels();
  for (const int width : head.hidden) {
    count += std::int64_t(width) * (in + 1);
    in = width;
  }
  return count + in + 1;
}

std::int64_t Architecture::parameter_count() const {
  std::int64_t count = head_parameter_count();
  for (std::size_t i = 0; i < layers.size(); ++i) count += layer_parameter_count(i);
  return count;
}

int Architecture::max_transport_length() const {
  int length = 0;
  for (const MatrixLayer& layer : layers)
    if (const auto* lcb = std::get_if<LcbLayer>(&layer))
      length = std::max(length, lcb->reach * lcb->dilation);
  return length;
}

bool Architecture::uses_diagonals() const {
  return std::ranges::any_of(layers, [](const MatrixLayer& layer) {
    const auto* lcb = std::get_if<LcbLayer>(&layer);
    return lcb && lcb->diagonals;
  });
}

ReceptiveField Architecture::receptive_field() const {
  // Every L-CB layer widens the field by its longest transport (reach·dilation, or one step
  // for diagonal offsets) on both sides of every axis; the loops at x reach from x to x + extent.
  int widening = 0;
  for (const MatrixLayer& layer : layers)
    if (const auto* lcb = std::get_if<LcbLayer>(&layer))
      widening += std::max(lcb->reach * lcb->dilation, lcb->diagonals ? 1 : 0);
  return {widening, widening + input.extent()};
}

}  // namespace fpgauge::nn
