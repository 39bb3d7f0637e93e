// Reference-logits loader. Test support only.
#include "support/reference_data.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ondo::testing {

ReferenceLogits load_reference(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  nlohmann::json j = nlohmann::json::parse(in);
  ReferenceLogits r;
  r.model_file = j.at("model_file").get<std::string>();
  r.n_vocab = j.at("n_vocab").get<int64_t>();
  r.tokens = j.at("tokens").get<std::vector<int32_t>>();
  if (j.contains("logits")) r.logits = j.at("logits").get<std::vector<std::vector<float>>>();
  if (j.contains("logits_topk")) {
    for (const auto& row : j.at("logits_topk")) {
      std::vector<std::pair<int32_t, float>> pairs;
      for (const auto& p : row) pairs.emplace_back(p.at(0).get<int32_t>(), p.at(1).get<float>());
      r.topk.push_back(std::move(pairs));
    }
  }
  if (j.contains("logits_last")) r.logits_last = j.at("logits_last").get<std::vector<float>>();
  const auto& g = j.at("greedy");
  r.greedy_tokens = g.at("tokens").get<std::vector<int32_t>>();
  r.greedy_gap = g.at("gap_to_second").get<std::vector<float>>();
  r.greedy_text_hex = g.at("text_hex").get<std::string>();
  return r;
}

std::vector<std::string> reference_names(const std::filesystem::path& testdata) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(testdata / "reference")) {
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

float logit_tolerance(const std::string& name) {
  // See forward_ref_test.cpp for the reasoning behind each figure.
  static const std::map<std::string, float> kTol = {
      {"stories260K", 1e-4f},
      {"ref-llama-spm-f32", 1e-4f},
      {"ref-llama3-bpe-f32-embq8_0", 1e-4f},
      {"ref-qwen2-small-f32-embq8_0", 1e-4f},
      {"ref-qwen2-small-q8_0", 1e-3f},
      {"ref-llama-spm-f16", 2e-2f},
      {"ref-llama-spm-bf16", 1e-1f},
      {"ref-llama-spm-q8_0", 1e-3f},
      {"ref-llama-spm-q4_0", 1e-3f},
      {"ref-llama-spm-q4_1", 1e-3f},
      {"ref-llama-spm-q5_0", 1e-3f},
      {"ref-llama-spm-q5_1", 1e-3f},
      {"ref-llama-spm-q2_k", 1e-3f},
      {"ref-llama-spm-q3_k_m", 1e-3f},
      {"ref-llama-spm-q4_k_m", 1e-3f},
      {"ref-llama-spm-q5_k_m", 1e-3f},
      {"ref-llama-spm-q6_k", 1e-3f},
  };
  auto it = kTol.find(name);
  return it == kTol.end() ? 0.0f : it->second;
}

}  // namespace ondo::testing
