// ImatrixCollector (imatrix_collector.h): activation taps -> per-weight sums of squares.
// Layer: model.
#include "ondo/model/quantize/imatrix_collector.h"

namespace ondo::model::quantize {

ImatrixCollector::ImatrixCollector(const gguf::GgufFile& file, bool process_output) : process_output_(process_output) {
  for (const gguf::TensorInfo& t : file.tensors()) {
    if (t.shape.size() == 2) n_in_.emplace(std::string(t.name), t.shape[0]);
  }
}

std::vector<std::string> ImatrixCollector::weights_fed_by(std::string_view activation, bool process_output) {
  if (activation == "output_norm") return process_output ? std::vector<std::string>{"output.weight"} : std::vector<std::string>{};
  if (activation.substr(0, 4) != "blk.") return {};
  const size_t dot = activation.find('.', 4);
  if (dot == std::string_view::npos) return {};
  const std::string prefix(activation.substr(0, dot + 1));  // "blk.N."
  const std::string_view what = activation.substr(dot + 1);
  std::vector<std::string_view> fed;
  if (what == "attn_norm") fed = {"attn_q", "attn_k", "attn_v"};
  else if (what == "attn") fed = {"attn_output"};
  else if (what == "ffn_norm") fed = {"ffn_gate", "ffn_up"};
  else if (what == "ffn_swiglu") fed = {"ffn_down"};
  std::vector<std::string> out;
  for (std::string_view w : fed) out.push_back(prefix + std::string(w) + ".weight");
  return out;
}

void ImatrixCollector::add(std::string_view name, std::span<const int64_t> shape, const float* data) {
  if (shape.size() != 2) return;
  const int64_t rows = shape[0], cols = shape[1];
  for (const std::string& w : weights_fed_by(name, process_output_)) {
    const auto it = n_in_.find(w);
    if (it == n_in_.end() || it->second != cols) continue;
    ImatrixEntry& e = sums_[w];
    if (e.n_in == 0) {
      e.n_in = cols;
      e.in_sum2.assign(size_t(cols), 0.0);
      e.counts.assign(1, 0.0);
    }
    // in_sum2[c] += sum_r x[r][c]^2; counts += rows
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = data + r * cols;
      for (int64_t c = 0; c < cols; ++c) e.in_sum2[size_t(c)] += double(x[c]) * double(x[c]);
    }
    e.counts[0] += double(rows);
  }
}

ActivationTap ImatrixCollector::tap() {
  return [this](std::string_view name, std::span<const int64_t> shape, const float* data) { add(name, shape, data); };
}

Imatrix ImatrixCollector::result() const {
  Imatrix m;
  for (const auto& [name, e] : sums_) m.entries.emplace(name, e);
  return m;
}

}  // namespace ondo::model::quantize
