// A scripted Scheduler for serve unit tests: each request generates the tokens of a fixed
// script (then Stop, or Length at max_tokens), with logprob -0.5 per token. Submit can be
// told to fail (Overloaded) and next() can be held until released (from the start or after
// some tokens), to test disconnects, timeouts and draining. Also: a byte-level SPM tokenizer (ids 3..258 are the bytes) to script any text.
// Test support only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/text/tokenizer.h"
#include "ondo/text/vocab.h"

namespace ondo::testing {

inline std::unique_ptr<text::Tokenizer> byte_tokenizer() {
  text::Vocab v;
  v.kind = text::VocabKind::Spm;
  v.model_name = "llama";
  auto add = [&](std::string t, uint32_t attr) { v.tokens.push_back({std::move(t), 0.0f, attr}); };
  add("<unk>", text::kAttrUnknown);
  add("<s>", text::kAttrControl);
  add("</s>", text::kAttrControl);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(buf, text::kAttrByte);
  }
  v.bos = 1;
  v.eos = 2;
  v.unk = 0;
  v.add_bos = true;
  (void)v.finish("fake");
  auto t = text::Tokenizer::from_vocab(std::move(v));
  return std::move(t).value();
}

inline std::vector<int32_t> byte_ids(std::string_view s) {
  std::vector<int32_t> ids;
  for (unsigned char c : s) ids.push_back(3 + int32_t(c));
  return ids;
}

class FakeHandle : public infer::RequestHandle {
 public:
  // `hold_after` >= 0: the first `hold_after` tokens come at once, the rest wait for release().
  FakeHandle(std::vector<int32_t> script, infer::GenerationRequest req, bool hold, std::shared_ptr<std::atomic<int>> cancels,
             int32_t hold_after = -1)
      : script_(std::move(script)), req_(std::move(req)), hold_(hold), cancels_(std::move(cancels)), hold_after_(hold_after) {}

  std::optional<infer::TokenEvent> next(int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (done_) return std::nullopt;
    auto holding = [&] { return (hold_ || (hold_after_ >= 0 && int32_t(pos_) >= hold_after_)) && !cancelled_; };
    if (holding()) {
      cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms < 0 ? 1000000 : timeout_ms), [&] { return !holding(); });
      if (holding()) return std::nullopt;
    }
    infer::TokenEvent ev;
    if (cancelled_) {
      ev.finish = infer::FinishReason::Cancelled;
      done_ = true;
      return ev;
    }
    const bool ended = pos_ >= script_.size();
    // After the script the model "samples" EOS; like the real generation step, that ends it
    // with a Stop event carrying no token.
    ev.token = ended ? -1 : script_[pos_];
    ev.logprob = -0.5f;
    if (req_.n_logprobs > 0 && !ended) ev.top.push_back({ev.token, -0.5f});
    ++pos_;
    if (ended) ev.finish = infer::FinishReason::Stop;
    else if (int32_t(pos_) >= req_.max_tokens) ev.finish = infer::FinishReason::Length;
    if (ev.finish != infer::FinishReason::None) done_ = true;
    return ev;
  }
  void cancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_) ++*cancels_;
    cancelled_ = true;
    cv_.notify_all();
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    hold_after_ = -1;
    cv_.notify_all();
  }
  infer::RequestTiming timing() const override { return {0.001, 0.002, 3}; }
  const infer::GenerationRequest& request() const { return req_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int32_t> script_;
  infer::GenerationRequest req_;
  bool hold_;
  std::shared_ptr<std::atomic<int>> cancels_;
  int32_t hold_after_;
  size_t pos_ = 0;
  bool cancelled_ = false;
  bool done_ = false;
};

class FakeScheduler : public infer::Scheduler {
 public:
  explicit FakeScheduler(std::vector<int32_t> script, int32_t n_ctx = 128) : script_(std::move(script)) {
    opts_.n_ctx = n_ctx;
  }
  Result<std::shared_ptr<infer::RequestHandle>> submit(infer::GenerationRequest request) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (overloaded) return make_error(ErrorCode::Overloaded, "scheduler: queue full (64 waiting)");
    auto h = std::make_shared<FakeHandle>(script_, std::move(request), hold, cancels, hold_after);
    handles.push_back(h);
    return std::shared_ptr<infer::RequestHandle>(h);
  }
  Result<std::shared_ptr<infer::EmbeddingHandle>> submit_embedding(infer::EmbeddingRequest) override {
    return make_error(ErrorCode::InvalidArgument, "the fake scheduler serves a generator");
  }
  infer::SchedulerStats stats() const override { return {1, 2, 0.25, 10, 4, 0}; }
  const infer::SchedulerOptions& options() const override { return opts_; }
  void shutdown(int) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& h : handles) h->cancel();
  }
  std::shared_ptr<FakeHandle> last() {
    std::lock_guard<std::mutex> lock(mu_);
    return handles.empty() ? nullptr : handles.back();
  }

  bool overloaded = false;
  bool hold = false;
  int32_t hold_after = -1;  // see FakeHandle
  std::shared_ptr<std::atomic<int>> cancels = std::make_shared<std::atomic<int>>(0);
  std::vector<std::shared_ptr<FakeHandle>> handles;

 private:
  std::mutex mu_;
  std::vector<int32_t> script_;
  infer::SchedulerOptions opts_;
};

}  // namespace ondo::testing
