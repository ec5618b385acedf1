#include "fpgauge/nn/LcnnModel.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/io/ByteOrder.h"
#include "fpgauge/io/OutputFile.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"
#include "fpgauge/nn/LcnnEvaluation.h"
#include "fpgauge/nn/LcnnTrainingPass.h"
#include "fpgauge/nn/SiteBlocks.h"

namespace fpgauge::nn {
namespace {

// Model file, version 2 (nn/README.md): magic, version, architecture text, weights, base action,
// checksum. Version 1 files (no base action) are read as well.
constexpr char kMagic[8] = {'F', 'P', 'G', 'L', 'C', 'N', 'N', '\0'};
constexpr std::uint32_t kFormatVersion = 2;

std::uint64_t fnv1a64(const unsigned char* data, std::size_t size) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

template <class Word>
void append_word(std::string& bytes, Word w) {
  unsigned char p[sizeof(Word)];
  store_word(w, p, ByteOrder::little);
  bytes.append(reinterpret_cast<const char*>(p), sizeof(Word));
}

std::string weight_bytes(const std::vector<double>& weights) {
  std::string bytes;
  bytes.reserve(8 * weights.size());
  for (const double w : weights) append_word(bytes, std::bit_cast<std::uint64_t>(w));
  return bytes;
}

void check_weights(const Architecture& architecture, const std::vector<double>& weights) {
  if (static_cast<std::int64_t>(weights.size()) != architecture.parameter_count())
    throw std::invalid_argument(fmt::format("L-CNN '{}' has {} weights, got {}",
                                            architecture.to_string(),
                                            architecture.parameter_count(), weights.size()));
  for (std::size_t k = 0; k < weights.size(); ++k)
    if (!std::isfinite(weights[k]))
      throw std::invalid_argument(fmt::format("L-CNN weight {} is {}", k, weights[k]));
}

}  // namespace

LcnnModel::LcnnModel(Architecture architecture, std::vector<double> weights,
                     nlohmann::json base_action)
    : architecture_(std::move(architecture)),
      weights_(std::move(weights)),
      base_action_(std::move(base_action)) {
  check_weights(architecture_, weights_);
  if (!base_action_.is_null() && !base_action_.is_object())
    throw std::invalid_argument(
        fmt::format("L-CNN base action: expected a JSON object, got '{}'", base_action_.dump()));
  compute_unit_reference();
}

void LcnnModel::set_weights(std::vector<double> weights) {
  check_weights(architecture_, weights);
  weights_ = std::move(weights);
  compute_unit_reference();
}

void LcnnModel::compute_unit_reference() {
  // Every site of the unit field has the same neighbourhood, so the smallest lattice suffices.
  const GaugeField unit = unit_gauge_field(Geometry::make({2, 2, 2, 2}));
  const LcnnEvaluation<double> pass(architecture_, weights_, unit);
  unit_density_ = pass.density()[0];
  unit_density_gradient_.assign(weights_.size(), 0.0);
  pass.reverse(unit_density_gradient_, nullptr);
  for (double& g : unit_density_gradient_) g /= static_cast<double>(unit.geometry().volume());
}

LcnnModel LcnnModel::random(Architecture architecture, std::uint64_t seed,
                            nlohmann::json base_action) {
  std::vector<double> sigma;  // standard deviation of every weight
  for (std::size_t i = 0; i < architecture.layers.size(); ++i) {
    const auto* lcb = std::get_if<LcbLayer>(&architecture.layers[i]);
    if (!lcb) continue;
    const LcbShape shape = lcb_shape(
        *lcb, i == 0 ? architecture.input_channels() : architecture.channels_after(i - 1));
    sigma.insert(sigma.end(), shape.weight_count(),
                 1.0 / std::sqrt(double(shape.left_factors()) * shape.right_factors()));
  }
  int n_in = 2 * architecture.output_channels();
  std::vector<int> widths = architecture.head.hidden;
  widths.push_back(1);
  for (std::size_t k = 0; k < widths.size(); ++k) {
    const int n_out = widths[k];
    // A correction to a base action starts at zero: the output layer's weights are zero.
    const bool output = k + 1 == widths.size();
    const double scale = output && !base_action.is_null() ? 0.0 : 1.0 / std::sqrt(double(n_in));
    sigma.insert(sigma.end(), std::size_t(n_out) * n_in, scale);
    sigma.insert(sigma.end(), n_out, 0.0);
    n_in = n_out;
  }
  std::vector<double> weights(sigma.size());
  parallel_for(static_cast<SiteIndex>(weights.size()), [&](SiteIndex k) {
    RngStream rng(seed, RngPurpose::lcnn_weights, 0, static_cast<std::uint64_t>(k));
    weights[k] = sigma[k] * rng.normal();
  });
  return LcnnModel(std::move(architecture), std::move(weights), std::move(base_action));
}

std::uint64_t LcnnModel::fingerprint() const {
  const std::string bytes = weight_bytes(weights_);
  return fnv1a64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

double LcnnModel::action(const LcnnEvaluation<double>& pass) const {
  const std::vector<double>& density = pass.density();
  return static_cast<double>(parallel_sum(static_cast<SiteIndex>(density.size()),
                                          [&](SiteIndex s) { return density[s] - unit_density_; }));
}

void LcnnModel::subtract_unit_reference(std::vector<double>& gradient, double scale) const {
  for (std::size_t k = 0; k < weights_.size(); ++k)
    gradient[k] -= scale * unit_density_gradient_[k];
}

void LcnnModel::reverse(const LcnnEvaluation<double>& pass, const GaugeField& u,
                        AlgebraField* force, std::vector<double>* weight_gradient) const {
  LinkField<Matrix3d> link_adjoint;
  if (force) link_adjoint = LinkField<Matrix3d>(u.geometry_ptr());
  if (weight_gradient) weight_gradient->assign(weights_.size(), 0.0);
  pass.reverse(weight_gradient ? std::span<double>(*weight_gradient) : std::span<double>(),
               force ? &link_adjoint : nullptr);
  if (weight_gradient)
    subtract_unit_reference(*weight_gradient, static_cast<double>(u.geometry().volume()));
  if (force) {
    if (force->size() != u.size()) *force = AlgebraField(u.geometry_ptr());
    // ∂^a A = Re tr(i t^a U G_U†) (LcnnEvaluation.h), so D = lie_gradient(U G_U†).
    for_each_site(u.geometry().volume(), [&](SiteIndex s) {
      for (int mu = 0; mu < kDimensions; ++mu)
        (*force)(s, mu) = lie_gradient(mul_adj(u(s, mu), link_adjoint(s, mu)));
    });
  }
}

double LcnnModel::evaluate(const GaugeField& u, AlgebraField* force,
                           std::vector<double>* weight_gradient) const {
  const LcnnEvaluation<double> pass(architecture_, weights_, u);
  if (force || weight_gradient) reverse(pass, u, force, weight_gradient);
  return action(pass);
}

std::vector<double> LcnnModel::hessian_vector_product(const GaugeField& u, const AlgebraField& r,
                                                      std::vector<double>* weight_gradient) const {
  return LcnnTrainingPass(*this, u).hessian_vector_product(r, weight_gradient);
}

void LcnnModel::save(const std::filesystem::path& file, bool overwrite) const {
  const std::string text = architecture_.to_string();
  std::string bytes(kMagic, sizeof kMagic);
  append_word(bytes, kFormatVersion);
  append_word(bytes, static_cast<std::uint32_t>(text.size()));
  bytes += text;
  append_word(bytes, static_cast<std::uint64_t>(weights_.size()));
  bytes += weight_bytes(weights_);
  const std::string base = base_action_.is_null() ? std::string() : base_action_.dump();
  append_word(bytes, static_cast<std::uint32_t>(base.size()));
  bytes += base;
  append_word(bytes, fnv1a64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
  write_output_file(file, bytes, overwrite);
}

LcnnModel LcnnModel::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("L-CNN model '{}': cannot open", file.string()));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  auto fail = [&](const std::string& what) -> std::runtime_error {
    return std::runtime_error(fmt::format("L-CNN model '{}': {}", file.string(), what));
  };
  const std::size_t header = sizeof kMagic + 8;
  if (bytes.size() < header + 16 || bytes.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0)
    throw fail("not an fpgauge L-CNN model file (no FPGLCNN magic)");
  const auto version = load_word<std::uint32_t>(p + 8, ByteOrder::little);
  if (version != 1 && version != kFormatVersion)
    throw fail(fmt::format("format version {} is not supported (this program reads 1 to {})",
                           version, kFormatVersion));
  const std::size_t stored_sum_at = bytes.size() - 8;
  const std::uint64_t stored_sum = load_word<std::uint64_t>(p + stored_sum_at, ByteOrder::little);
  const std::uint64_t sum = fnv1a64(p, stored_sum_at);
  if (stored_sum != sum)
    throw fail(
        fmt::format("checksum mismatch (stored {:016x}, computed {:016x}): the file is "
                    "damaged or truncated",
                    stored_sum, sum));
  const auto text_size = load_word<std::uint32_t>(p + 12, ByteOrder::little);
  if (header + text_size + 8 > stored_sum_at)
    throw fail(fmt::format("architecture text of {} bytes does not fit the file", text_size));
  Architecture architecture;
  try {
    architecture = Architecture::parse(bytes.substr(header, text_size));
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
  const std::size_t weights_at = header + text_size + 8;
  const auto count = load_word<std::uint64_t>(p + header + text_size, ByteOrder::little);
  // Version 2: the base action's length and JSON text follow the weights.
  const std::size_t base_at = weights_at + 8 * count + (version == 1 ? 0 : 4);
  if (static_cast<std::int64_t>(count) != architecture.parameter_count() ||
      base_at > stored_sum_at)
    throw fail(fmt::format("{} weights stored, the architecture '{}' has {}", count,
                           architecture.to_string(), architecture.parameter_count()));
  std::vector<double> weights(count);
  for (std::size_t k = 0; k < count; ++k)
    weights[k] =
        std::bit_cast<double>(load_word<std::uint64_t>(p + weights_at + 8 * k, ByteOrder::little));
  nlohmann::json base_action;
  const std::size_t base_size =
      version == 1 ? 0 : load_word<std::uint32_t>(p + base_at - 4, ByteOrder::little);
  if (base_at + base_size != stored_sum_at)
    throw fail(fmt::format("{} bytes follow the weights where format version {} has {}",
                           stored_sum_at - (weights_at + 8 * count), version,
                           base_at + base_size - (weights_at + 8 * count)));
  if (base_size > 0) {
    try {
      base_action = nlohmann::json::parse(bytes.substr(base_at, base_size));
    } catch (const nlohmann::json::exception& e) {
      throw fail(fmt::format("base action is not valid JSON ({})", e.what()));
    }
  }
  try {
    return LcnnModel(std::move(architecture), std::move(weights), std::move(base_action));
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
}

}  // namespace fpgauge::nn
