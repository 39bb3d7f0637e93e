// Loading, tokenizing and batching training data. Layer: train.
#include "ondo/train/dataset.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/train/config.h"

namespace ondo::train {
namespace {

Result<Example> chat_example(const std::string& prompt, const std::string& completion, const text::Tokenizer& tok,
                             const text::ChatTemplate& tmpl) {
  nlohmann::ordered_json msgs = nlohmann::ordered_json::array();
  msgs.push_back({{"role", "user"}, {"content", prompt}});
  ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt head, infer::build_chat_prompt(tmpl, tok, msgs, nullptr, true));
  msgs.push_back({{"role", "assistant"}, {"content", completion}});
  ONDO_ASSIGN_OR_RETURN(infer::ChatPrompt full, infer::build_chat_prompt(tmpl, tok, msgs, nullptr, false));
  Example e;
  e.tokens = full.tokens;
  // Count what follows the longest common prefix with the prompt-only rendering.
  size_t common = 0;
  while (common < head.tokens.size() && common < full.tokens.size() && head.tokens[common] == full.tokens[common]) {
    ++common;
  }
  e.mask.assign(e.tokens.size(), 0);
  for (size_t i = common; i < e.tokens.size(); ++i) e.mask[i] = 1;
  return e;
}

Result<Example> jsonl_example(const std::string& line, const text::Tokenizer& tok, const text::ChatTemplate* tmpl) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(ErrorCode::InvalidFile, "not a JSON object");
  if (j.contains("text") && j["text"].is_string()) {
    ONDO_ASSIGN_OR_RETURN(std::vector<int32_t> ids, tok.encode(j["text"].get<std::string>()));
    Example e;
    e.tokens = std::move(ids);
    if (tok.eos_id() >= 0) e.tokens.push_back(tok.eos_id());
    e.mask.assign(e.tokens.size(), 1);
    return e;
  }
  if (j.contains("prompt") && j["prompt"].is_string() && j.contains("completion") && j["completion"].is_string()) {
    if (!tmpl) return make_error(ErrorCode::InvalidArgument, "prompt/completion data needs a chat template");
    return chat_example(j["prompt"].get<std::string>(), j["completion"].get<std::string>(), tok, *tmpl);
  }
  return make_error(ErrorCode::InvalidFile, "expected a \"text\" string or \"prompt\" and \"completion\" strings");
}

}  // namespace

Result<std::vector<Example>> load_examples(const std::filesystem::path& path, const text::Tokenizer& tok,
                                           const text::ChatTemplate* tmpl, int32_t n_ctx) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path.string() + ": cannot open the data file");
  std::vector<Example> out;
  if (path.extension() == ".jsonl") {
    std::string line;
    for (int64_t n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto e = jsonl_example(line, tok, tmpl);
      if (!e.ok()) return e.error().with_context(path.string() + ": line " + std::to_string(n));
      out.push_back(std::move(e).value());
    }
  } else {
    std::ostringstream ss;
    ss << in.rdbuf();
    ONDO_ASSIGN_OR_RETURN(std::vector<int32_t> ids, tok.encode(ss.str()));
    // pieces of n_ctx+1 tokens overlapping by one, so every token is a target once
    for (size_t at = 0; at + 1 < ids.size(); at += size_t(n_ctx)) {
      Example e;
      e.tokens.assign(ids.begin() + long(at), ids.begin() + long(std::min(ids.size(), at + size_t(n_ctx) + 1)));
      e.mask.assign(e.tokens.size(), 1);
      out.push_back(std::move(e));
    }
  }
  if (out.empty()) return make_error(ErrorCode::InvalidFile, path.string() + ": no training examples");
  return out;
}

std::vector<Example> split_validation(std::vector<Example>& all, double fraction, uint64_t seed) {
  if (fraction <= 0 || all.size() < 2) return {};
  Rng rng(seed ^ 0x5EED5EEDull);
  for (size_t i = all.size() - 1; i > 0; --i) std::swap(all[i], all[rng.below(i + 1)]);
  size_t n = std::max<size_t>(1, size_t(double(all.size()) * fraction));
  n = std::min(n, all.size() - 1);
  std::vector<Example> val(std::make_move_iterator(all.end() - long(n)), std::make_move_iterator(all.end()));
  all.resize(all.size() - n);
  return val;
}

Batcher::Batcher(const std::vector<Example>& examples, int64_t n_ctx, uint64_t seed, int32_t pad)
    : ex_(examples), S_(n_ctx), seed_(seed), pad_(pad) {}

const std::vector<uint32_t>& Batcher::order(uint64_t epoch) {
  if (order_epoch_ != epoch) {
    order_.resize(ex_.size());
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = uint32_t(i);
    Rng rng(seed_ * 0x9E3779B97F4A7C15ull + epoch + 1);
    for (size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[rng.below(i + 1)]);
    order_epoch_ = epoch;
  }
  return order_;
}

template <class Get>
size_t Batcher::fill_row(int64_t r, Get get, Batch& out) const {
  // row tokens: S+1 slots; inputs are slots 0..S-1, targets slots 1..S
  std::vector<int32_t> row;
  std::vector<uint8_t> m;
  size_t used = 0;
  while (const Example* e = get(used)) {
    const size_t room = size_t(S_ + 1) - row.size();
    if (e->tokens.size() > room && !row.empty()) break;
    const size_t n = std::min(room, e->tokens.size());
    row.insert(row.end(), e->tokens.begin(), e->tokens.begin() + long(n));
    m.insert(m.end(), e->mask.begin(), e->mask.begin() + long(n));
    m[m.size() - n] = 0;  // an example's first token is never predicted from the previous one
    ++used;
    if (row.size() == size_t(S_ + 1)) break;
  }
  row.resize(size_t(S_ + 1), pad_);
  m.resize(size_t(S_ + 1), 0);
  for (int64_t s = 0; s < S_; ++s) {
    out.tokens[size_t(r * S_ + s)] = row[size_t(s)];
    out.targets[size_t(r * S_ + s)] = row[size_t(s + 1)];
    out.mask[size_t(r * S_ + s)] = m[size_t(s + 1)];
  }
  return used;
}

void Batcher::next(int64_t B, DataCursor& cur, Batch& out) {
  out.B = B, out.S = S_;
  out.tokens.resize(size_t(B * S_)), out.targets.resize(size_t(B * S_)), out.mask.resize(size_t(B * S_));
  for (int64_t r = 0; r < B; ++r) {
    const DataCursor start = cur;
    auto get = [&](size_t k) -> const Example* {
      // the k-th example from `start`, crossing into the next epoch's shuffle when needed
      uint64_t epoch = start.epoch, idx = start.index + k;
      epoch += idx / ex_.size(), idx %= ex_.size();
      if (k >= ex_.size()) return nullptr;
      return &ex_[order(epoch)[idx]];
    };
    const size_t used = fill_row(r, get, out);
    const uint64_t idx = start.index + used;
    cur.epoch = start.epoch + idx / ex_.size();
    cur.index = idx % ex_.size();
  }
}

bool Batcher::next_in_order(int64_t B, size_t* pos, Batch& out) {
  if (*pos >= ex_.size()) return false;
  out.B = B, out.S = S_;
  out.tokens.resize(size_t(B * S_)), out.targets.resize(size_t(B * S_)), out.mask.resize(size_t(B * S_));
  for (int64_t r = 0; r < B; ++r) {
    auto get = [&](size_t k) -> const Example* { return *pos + k < ex_.size() ? &ex_[*pos + k] : nullptr; };
    *pos += fill_row(r, get, out);
  }
  return true;
}

}  // namespace ondo::train
