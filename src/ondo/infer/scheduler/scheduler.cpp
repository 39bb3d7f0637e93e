// The continuous-batching loop. Layer: infer.
#include "ondo/infer/scheduler/scheduler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "ondo/infer/generation_step.h"
#include "ondo/infer/grammar/token_table.h"
#include "ondo/infer/kv_cache/kv_cache.h"
#include "ondo/infer/scheduler/embedding_state.h"
#include "ondo/infer/scheduler/prefix_cache.h"
#include "ondo/infer/scheduler/request_state.h"

namespace ondo::infer {
namespace {

constexpr int32_t kPrefixBlock = 32;

struct Slot {
  std::shared_ptr<RequestState> req;
  std::vector<int32_t> tokens;  // tokens whose K/V are in the slot
  int32_t n_prompt_done = 0;    // prompt tokens in `tokens`
  int32_t next_token = -1;      // sampled, to be evaluated next step
  std::unique_ptr<GenerationStep> step;
  bool stored_prefix = false;
  const model::LoraSet* lora = nullptr;  // the request's adapters (it holds them), or null
  std::string lora_key;                  // model::lora_set_key of them ("" for none)
  // A free slot: the tokens whose K/V it still holds from its last request, until the next
  // request is admitted to it (share_from_running() reuses them), and their adapters' key.
  std::vector<int32_t> kept;
  std::string kept_key;
  bool busy() const { return req != nullptr; }
};

// The step's end reasons as the API reports them.
FinishReason finish_reason(StepEnd end) {
  switch (end) {
    case StepEnd::None: return FinishReason::None;
    case StepEnd::EndOfGeneration:
    case StepEnd::GrammarComplete: return FinishReason::Stop;
    case StepEnd::Length:
    case StepEnd::ContextFull: return FinishReason::Length;
    case StepEnd::Error: return FinishReason::Error;
  }
  return FinishReason::Error;
}

// log-softmax of the chosen token and the top-k alternatives of a logits row; `ids` is
// scratch of n_vocab entries.
void fill_logprobs(std::span<const float> logits, int32_t chosen, int32_t k, std::vector<int32_t>& ids, TokenEvent* e) {
  float mx = -INFINITY;
  for (float v : logits) mx = std::max(mx, v);
  double sum = 0.0;
  for (float v : logits) sum += std::exp(double(v) - mx);
  const double lse = double(mx) + std::log(sum);
  e->logprob = float(double(logits[size_t(chosen)]) - lse);
  if (k <= 0) return;
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t(i);
  const size_t kk = std::min(size_t(k), ids.size());
  std::partial_sort(ids.begin(), ids.begin() + long(kk), ids.end(), [&](int32_t a, int32_t b) {
    return logits[size_t(a)] > logits[size_t(b)] || (logits[size_t(a)] == logits[size_t(b)] && a < b);
  });
  for (size_t i = 0; i < kk; ++i) e->top.push_back({ids[i], float(double(logits[size_t(ids[i])]) - lse)});
}

class SchedulerImpl final : public Scheduler {
 public:
  SchedulerImpl(const model::Model& m, const text::Tokenizer& tok, const SchedulerOptions& o, std::optional<KvCache> kv,
                core::ComputePool& pool, TokenHook hook)
      : model_(m),
        tok_(tok),
        opt_(o),
        kv_(std::move(kv)),
        pool_(pool),
        hook_(std::move(hook)),
        scratch_(m.hparams(), o.max_batch_tokens, o.n_ctx, pool.size()),
        prefix_(m.file().name() + "#" + std::to_string(m.memory().weight_bytes), m.hparams().n_layer,
                m.hparams().kv_dim(), kPrefixBlock, o.cache_mem_bytes),
        slots_(size_t(o.n_parallel)) {
    logits_.resize(size_t(o.n_parallel) * size_t(m.hparams().n_vocab));
    logprob_ids_.resize(size_t(m.hparams().n_vocab));
    batch_.reserve(size_t(o.max_batch_tokens));
    batch_slot_.reserve(size_t(o.n_parallel));
    if (m.kind() == model::ModelKind::Encode) {
      embed_out_.resize(size_t(o.max_batch_tokens) * size_t(m.n_embd_out()));
      embed_rows_.reserve(size_t(o.max_batch_tokens));
    }
    thread_ = std::thread([this] { loop(); });
  }
  ~SchedulerImpl() override { shutdown(0); }

  Result<std::shared_ptr<RequestHandle>> submit(GenerationRequest r) override;
  Result<std::shared_ptr<EmbeddingHandle>> submit_embedding(EmbeddingRequest r) override;
  SchedulerStats stats() const override;
  const SchedulerOptions& options() const override { return opt_; }
  void shutdown(int grace_ms) override;

 private:
  void loop();
  void admit_locked();
  void step();
  void finish(Slot& s, FinishReason why, const std::string& error = "");
  void release(Slot& s);
  void admit(Slot& s, int32_t slot, std::shared_ptr<RequestState> req);
  int32_t share_from_running(int32_t slot, std::span<const int32_t> prompt, int32_t have);
  void forward_batch();
  void after_logits(Slot& s, std::span<const float> logits);
  void fail_running(const char* where, const char* what);
  void embed_step();
  void finish_embeddings(const Status& st);
  bool has_work_locked() const {
    return running_count_ > 0 || !waiting_.empty() || !embed_waiting_.empty() || !embed_queue_.empty();
  }

  const model::Model& model_;
  const text::Tokenizer& tok_;
  const SchedulerOptions opt_;
  std::optional<KvCache> kv_;  // generators only
  core::ComputePool& pool_;
  const TokenHook hook_;
  model::ForwardScratch scratch_;
  PrefixCache prefix_;
  std::shared_ptr<const grammar::TokenTable> table_;  // built on the first grammar request
  std::vector<Slot> slots_;
  std::vector<float> logits_;
  std::vector<int32_t> logprob_ids_;  // fill_logprobs scratch
  std::vector<model::BatchToken> batch_;
  std::vector<int32_t> batch_slot_;  // slot of each logits row

  mutable std::mutex mu_;  // guards waiting_, embed_waiting_, stopping_, accepting_, running_count_
  std::condition_variable cv_;
  std::deque<std::shared_ptr<RequestState>> waiting_;
  std::deque<std::shared_ptr<EmbeddingState>> embed_waiting_;
  std::deque<std::shared_ptr<EmbeddingState>> embed_queue_;  // loop thread only: admitted, in order
  std::vector<std::pair<EmbeddingState*, size_t>> embed_rows_;  // loop thread only: (request, input) per row
  std::vector<float> embed_out_;  // [max_batch_tokens][n_embd_out] pooled rows of a pass
  bool accepting_ = true;
  bool stopping_ = false;
  int32_t running_count_ = 0;
  std::atomic<int64_t> used_positions_{0};  // K/V positions held by running slots
  std::atomic<uint64_t> prompt_evaluated_{0};  // prompt tokens run through a forward pass
  std::atomic<uint64_t> prompt_shared_{0};     // prompt tokens copied from a running slot
  std::thread thread_;
};

Result<std::shared_ptr<RequestHandle>> SchedulerImpl::submit(GenerationRequest r) {
  if (model_.kind() != model::ModelKind::Generate) {
    return make_error(ErrorCode::InvalidArgument, "model: an encoder makes embeddings, it does not generate text");
  }
  if (r.prompt.empty()) return make_error(ErrorCode::InvalidArgument, "prompt: no tokens");
  if (int64_t(r.prompt.size()) >= opt_.n_ctx) {
    return make_error(ErrorCode::InvalidArgument, "prompt: " + std::to_string(r.prompt.size()) +
                                                      " tokens do not fit the context of " + std::to_string(opt_.n_ctx) +
                                                      " tokens per sequence");
  }
  for (int32_t t : r.prompt) {
    if (t < 0 || t >= tok_.n_vocab()) return make_error(ErrorCode::InvalidArgument, "prompt: token id " + std::to_string(t) + " is out of range");
  }
  if (r.max_tokens < 0) return make_error(ErrorCode::InvalidArgument, "max_tokens must not be negative");
  if (r.n_logprobs > 20) return make_error(ErrorCode::InvalidArgument, "top_logprobs must be at most 20");
  if (r.lora) {
    for (const model::LoraUse& u : r.lora->uses) {
      if (!u.adapter || &u.adapter->base() != &model_) {
        return make_error(ErrorCode::InvalidArgument, "lora: an adapter is not bound to this scheduler's model");
      }
    }
  }
  ONDO_TRY(validate(r.sampling));
  auto state = std::make_shared<RequestState>(std::move(r));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_) return make_error(ErrorCode::Unavailable, "the server is shutting down");
    const int32_t free_slots = opt_.n_parallel - running_count_;
    if (int32_t(waiting_.size()) >= opt_.max_queue + std::max(0, free_slots)) {
      return make_error(ErrorCode::Overloaded, "the request queue is full (" + std::to_string(opt_.max_queue) + " waiting)");
    }
    waiting_.push_back(state);
  }
  cv_.notify_all();
  return std::shared_ptr<RequestHandle>(state);
}

SchedulerStats SchedulerImpl::stats() const {
  SchedulerStats s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.running = running_count_;
    s.waiting = int32_t(waiting_.size() + embed_waiting_.size());
  }
  s.prefix_cache_queries = prefix_.queries();
  s.prefix_cache_hits = prefix_.hits();
  s.prefix_cache_bytes = prefix_.bytes();
  s.prompt_tokens_evaluated = prompt_evaluated_.load();
  s.prompt_tokens_shared = prompt_shared_.load();
  s.kv_usage_ratio = double(used_positions_.load()) / double(int64_t(opt_.n_parallel) * opt_.n_ctx);
  return s;
}

void SchedulerImpl::shutdown(int grace_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    accepting_ = false;
  }
  cv_.notify_all();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, grace_ms));
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!has_work_locked()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SchedulerImpl::finish(Slot& s, FinishReason why, const std::string& error) {
  TokenEvent e;
  e.finish = why;
  e.error = error;
  s.req->post(std::move(e));
  release(s);
}

void SchedulerImpl::release(Slot& s) {
  used_positions_.fetch_sub(int64_t(s.tokens.size()));
  std::vector<int32_t> kept = std::move(s.tokens);
  std::string kept_key = std::move(s.lora_key);
  s = Slot{};
  s.kept = std::move(kept);
  s.kept_key = std::move(kept_key);
  std::lock_guard<std::mutex> lock(mu_);
  --running_count_;
}

// Moves waiting requests into free slots. A request whose admission throws (a bug) fails
// alone.
void SchedulerImpl::admit_locked() {
  for (size_t i = 0; i < slots_.size() && !waiting_.empty(); ++i) {
    Slot& s = slots_[i];
    if (s.busy()) continue;
    auto req = waiting_.front();
    waiting_.pop_front();
    if (req->cancelled.load()) {
      TokenEvent e;
      e.finish = FinishReason::Cancelled;
      req->post(std::move(e));
      --i;
      continue;
    }
    try {
      admit(s, int32_t(i), req);
      ++running_count_;
    } catch (const std::exception& ex) {
      s = Slot{};
      TokenEvent e;
      e.finish = FinishReason::Error;
      e.error = std::string("internal error: admitting the request: ") + ex.what();
      req->post(std::move(e));
      --i;
    }
  }
}

// Sets up slot `i` for `req`, restoring a cached prompt prefix.
void SchedulerImpl::admit(Slot& s, int32_t i, std::shared_ptr<RequestState> req) {
  const GenerationRequest& r = req->request;
  if (r.grammar && !table_) table_ = grammar::TokenTable::from_tokenizer(tok_);
  s.step = std::make_unique<GenerationStep>(
      StepOptions{r.sampling, r.max_tokens, opt_.n_ctx, r.ignore_eos, r.grammar, r.grammar ? table_ : nullptr}, tok_);
  s.step->accept_prompt(r.prompt);
  s.tokens.reserve(size_t(opt_.n_ctx));  // no growth while decoding
  s.lora = r.lora && !r.lora->empty() ? r.lora.get() : nullptr;
  s.lora_key = model::lora_set_key(s.lora);
  // at least the last prompt token is evaluated, for its logits
  int32_t cached = prefix_.restore(r.prompt, int32_t(r.prompt.size()) - 1, kv_->store(), i, s.lora_key);
  cached = share_from_running(i, r.prompt, cached);
  s.tokens.assign(r.prompt.begin(), r.prompt.begin() + cached);
  s.n_prompt_done = cached;
  used_positions_.fetch_add(cached);
  req->set_scheduled(cached);
  s.req = std::move(req);
}

// Copies the K/V of another slot whose tokens start with more of `prompt` than the slot `i`
// already holds (`have` positions), up to all but the last prompt token (evaluated for its
// logits): a running slot, or a free one that still holds its last request's K/V (slot `i`
// itself included: then nothing is copied), computed with the same LoRA adapters and
// scales. So the choices of an n > 1 request, submitted once the first one's prompt is in,
// evaluate the prompt once, with or without the prefix cache, even when the first one has
// already finished. Returns the positions now held. The
// K/V of a position depends only on the tokens up to it, so the copy is exact.
int32_t SchedulerImpl::share_from_running(int32_t i, std::span<const int32_t> prompt, int32_t have) {
  const int32_t want = int32_t(prompt.size()) - 1;
  int32_t best = have;
  int32_t from = -1;
  for (size_t j = 0; j < slots_.size() && best < want; ++j) {
    const Slot& o = slots_[j];
    const std::vector<int32_t>& held = o.busy() ? o.tokens : o.kept;
    if ((o.busy() ? o.lora_key : o.kept_key) != slots_[size_t(i)].lora_key) continue;
    const int32_t lim = std::min<int32_t>(want, int32_t(held.size()));
    int32_t m = 0;
    while (m < lim && held[size_t(m)] == prompt[size_t(m)]) ++m;
    if (m > best || (m == best && m > have && int32_t(j) == i)) {  // slot i's own K/V needs no copy
      best = m;
      from = int32_t(j);
    }
  }
  slots_[size_t(i)].kept.clear();  // from here on its K/V is the new request's
  slots_[size_t(i)].kept_key.clear();
  if (from < 0) return have;
  if (from != i) {
    model::KvStore& kv = kv_->store();
    const size_t n = size_t(best - have) * size_t(kv.kv_dim);
    for (int32_t l = 0; l < kv.n_layer; ++l) {
      std::copy_n(kv.k + kv.offset(l, from, have), n, kv.k + kv.offset(l, i, have));
      std::copy_n(kv.v + kv.offset(l, from, have), n, kv.v + kv.offset(l, i, have));
    }
  }
  prompt_shared_.fetch_add(uint64_t(best - have));
  return best;
}

void SchedulerImpl::loop() {
  // Held while this scheduler has work, so Background work (jobs) waits between two steps
  // instead of taking the pool (compute_pool.h, "Serving priority").
  std::optional<core::ComputePool::ServingActivity> activity;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!has_work_locked() && activity) {  // going idle: let Background work run
        lock.unlock();
        activity.reset();
        lock.lock();
      }
      cv_.wait(lock, [&] { return stopping_ || has_work_locked(); });
      if (stopping_) break;
      if (!activity) activity.emplace(pool_);  // lock order: scheduler mu_, then the pool's
      admit_locked();
      for (auto& e : embed_waiting_) {
        e->set_scheduled();
        embed_queue_.push_back(std::move(e));
      }
      embed_waiting_.clear();
    }
    try {
      step();
      if (!embed_queue_.empty()) embed_step();
    } catch (const std::exception& ex) {  // the barrier of last resort: drop what runs, go on
      fail_running("the scheduler step", ex.what());
    }
  }
  // cancel whatever is left
  for (Slot& s : slots_) {
    if (s.busy()) finish(s, FinishReason::Cancelled);
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto* q : {&embed_queue_, &embed_waiting_}) {
    for (auto& e : *q) e->fail(make_error(ErrorCode::Cancelled, "the server is shutting down"));
    q->clear();
  }
  for (auto& r : waiting_) {
    TokenEvent e;
    e.finish = FinishReason::Cancelled;
    r->post(std::move(e));
  }
  waiting_.clear();
}

void SchedulerImpl::fail_running(const char* where, const char* what) {
  for (Slot& s : slots_) {
    if (s.busy()) finish(s, FinishReason::Error, std::string("internal error: ") + where + ": " + what);
  }
}

// One forward step over every running slot: decode tokens first, then prompt chunks.
void SchedulerImpl::step() {
  for (Slot& s : slots_) {
    if (s.busy() && s.req->cancelled.load()) finish(s, FinishReason::Cancelled);
  }
  batch_.clear();
  batch_slot_.clear();
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (!s.busy() || s.next_token < 0) continue;
    batch_.push_back({s.next_token, int32_t(s.tokens.size()), int32_t(i), true, s.lora});
    batch_slot_.push_back(int32_t(i));
  }
  int32_t budget = opt_.max_batch_tokens - int32_t(batch_.size());
  for (size_t i = 0; i < slots_.size() && budget > 0; ++i) {
    Slot& s = slots_[i];
    if (!s.busy() || s.next_token >= 0) continue;
    const auto& prompt = s.req->request.prompt;
    const int32_t pos0 = int32_t(s.tokens.size());
    const int32_t n = std::min<int32_t>(budget, int32_t(prompt.size()) - pos0);
    for (int32_t j = 0; j < n; ++j) {
      const bool last = pos0 + j + 1 == int32_t(prompt.size());
      batch_.push_back({prompt[size_t(pos0 + j)], pos0 + j, int32_t(i), last, s.lora});
      if (last) batch_slot_.push_back(int32_t(i));
    }
    budget -= n;
  }
  if (batch_.empty()) return;
  forward_batch();
}

// Runs the batch on a Serving lease and hands each logits row to its slot.
void SchedulerImpl::forward_batch() {
  Status st = ok_status();
  try {
    const core::ComputePool::Lease lease = pool_.acquire(core::Priority::Serving);
    st = model_.forward(batch_, kv_->store(), scratch_, lease.pool(), logits_.data());
  } catch (const std::exception& ex) {
    st = make_error(ErrorCode::Internal, std::string("internal error: the forward pass: ") + ex.what());
  }
  // record evaluated tokens
  for (const model::BatchToken& b : batch_) {
    Slot& s = slots_[size_t(b.seq)];
    if (s.next_token < 0) prompt_evaluated_.fetch_add(1);
    s.tokens.push_back(b.token);
    used_positions_.fetch_add(1);
  }
  for (Slot& s : slots_) {
    if (s.busy() && s.next_token < 0) s.n_prompt_done = int32_t(s.tokens.size());
  }
  const int64_t V = model_.hparams().n_vocab;
  for (size_t r = 0; r < batch_slot_.size(); ++r) {
    Slot& s = slots_[size_t(batch_slot_[r])];
    if (!s.busy()) continue;
    if (!st.ok()) {
      finish(s, FinishReason::Error, st.error().message);
      continue;
    }
    s.next_token = -1;
    try {
      after_logits(s, std::span<const float>(logits_.data() + r * size_t(V), size_t(V)));
    } catch (const std::exception& ex) {  // a bug in this request's handling fails it alone
      if (s.busy()) finish(s, FinishReason::Error, std::string("internal error: ") + ex.what());
    }
  }
}

// Takes one generation step of a slot whose logits are ready and posts its token; the step
// decides whether the request is finished.
void SchedulerImpl::after_logits(Slot& s, std::span<const float> logits) {
  const GenerationRequest& r = s.req->request;
  if (!s.stored_prefix) {  // the whole prompt is in the slot now
    prefix_.store(r.prompt, int32_t(r.prompt.size()), kv_->store(), int32_t(&s - slots_.data()), s.lora_key);
    s.stored_prefix = true;
  }
  StepResult res = s.step->next(logits, int32_t(s.tokens.size()));
  if (res.token < 0) return finish(s, finish_reason(res.end), res.error);
  if (hook_) hook_(r, res.token);
  TokenEvent e;
  e.token = res.token;
  if (r.n_logprobs >= 0) fill_logprobs(logits, res.token, r.n_logprobs, logprob_ids_, &e);
  e.finish = finish_reason(res.end);
  if (e.finish != FinishReason::None) {
    s.req->post(std::move(e));
    release(s);
    return;
  }
  s.req->post(std::move(e));
  s.next_token = res.token;
}

// Embeddings ----------------------------------------------------------------------------

Result<std::shared_ptr<EmbeddingHandle>> SchedulerImpl::submit_embedding(EmbeddingRequest r) {
  if (model_.kind() != model::ModelKind::Encode) {
    return make_error(ErrorCode::InvalidArgument, "model: a generator does not make embeddings");
  }
  if (r.inputs.empty()) return make_error(ErrorCode::InvalidArgument, "input: no sequences");
  int64_t longest = std::min(opt_.n_ctx, opt_.max_batch_tokens);
  if (model_.hparams().n_ctx_train > 0) longest = std::min<int64_t>(longest, model_.hparams().n_ctx_train);
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const std::string where = "input[" + std::to_string(i) + "]: ";
    if (r.inputs[i].empty()) return make_error(ErrorCode::InvalidArgument, where + "no tokens");
    if (int64_t(r.inputs[i].size()) > longest) {
      return make_error(ErrorCode::InvalidArgument, where + std::to_string(r.inputs[i].size()) +
                                                        " tokens do not fit (at most " + std::to_string(longest) + ")");
    }
    for (int32_t t : r.inputs[i]) {
      if (t < 0 || t >= model_.hparams().n_vocab) {
        return make_error(ErrorCode::InvalidArgument, where + "token id " + std::to_string(t) + " is out of range");
      }
    }
  }
  auto state = std::make_shared<EmbeddingState>(std::move(r), model_.n_embd_out());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_) return make_error(ErrorCode::Unavailable, "the server is shutting down");
    if (int32_t(embed_waiting_.size()) >= opt_.max_queue + opt_.n_parallel) {
      return make_error(ErrorCode::Overloaded, "the request queue is full (" + std::to_string(opt_.max_queue) + " waiting)");
    }
    embed_waiting_.push_back(state);
  }
  cv_.notify_all();
  return std::shared_ptr<EmbeddingHandle>(state);
}

// One encode() pass: whole input sequences of the admitted requests, in order, until the
// next one would not fit in max_batch_tokens (a request may span passes).
void SchedulerImpl::embed_step() {
  std::erase_if(embed_queue_, [](const std::shared_ptr<EmbeddingState>& e) {
    if (!e->cancelled.load()) return false;
    e->fail(make_error(ErrorCode::Cancelled, "the request was cancelled"));
    return true;
  });
  batch_.clear();
  embed_rows_.clear();
  int64_t budget = opt_.max_batch_tokens;
  for (const auto& e : embed_queue_) {
    const auto& inputs = e->request.inputs;
    while (e->next_input < inputs.size() && int64_t(inputs[e->next_input].size()) <= budget) {
      const auto& in = inputs[e->next_input];
      const int32_t seq = int32_t(embed_rows_.size());
      for (size_t p = 0; p < in.size(); ++p) batch_.push_back({in[p], int32_t(p), seq, false});
      embed_rows_.push_back({e.get(), e->next_input++});
      budget -= int64_t(in.size());
    }
    if (e->next_input < inputs.size()) break;  // keep request order: the rest goes next pass
  }
  if (batch_.empty()) return;
  Status st = ok_status();
  try {
    const core::ComputePool::Lease lease = pool_.acquire(core::Priority::Serving);
    st = model_.encode(batch_, scratch_, lease.pool(), embed_out_.data());
  } catch (const std::exception& ex) {
    st = make_error(ErrorCode::Internal, std::string("internal error: the encode pass: ") + ex.what());
  }
  finish_embeddings(st);
}

// Hands out the rows of the last pass; completes (or fails) the requests that are done.
void SchedulerImpl::finish_embeddings(const Status& st) {
  const size_t width = size_t(model_.n_embd_out());
  for (size_t r = 0; r < embed_rows_.size(); ++r) {
    auto [e, input] = embed_rows_[r];
    if (!st.ok()) {
      e->fail(st.error().code == ErrorCode::Internal ? st.error()
                                                     : make_error(ErrorCode::Internal, "encode: " + st.error().message));
      e->next_input = e->request.inputs.size();
      continue;
    }
    e->set_vector(input, embed_out_.data() + r * width);
  }
  std::erase_if(embed_queue_, [](const std::shared_ptr<EmbeddingState>& e) {
    if (e->next_input < e->request.inputs.size()) return false;
    e->complete();  // no-op after fail()
    return true;
  });
}

}  // namespace

Result<std::unique_ptr<Scheduler>> Scheduler::create(const model::Model& model, const text::Tokenizer& tokenizer,
                                                     const SchedulerOptions& o, core::ComputePool& pool,
                                                     TokenHook on_token) {
  if (o.n_parallel < 1 || o.n_parallel > 256) return make_error(ErrorCode::InvalidArgument, "parallel must be between 1 and 256");
  if (o.n_ctx < 8 || o.n_ctx > (1 << 22)) return make_error(ErrorCode::InvalidArgument, "ctx must be between 8 and 4194304");
  if (o.max_queue < 0) return make_error(ErrorCode::InvalidArgument, "max-queue must not be negative");
  if (o.max_batch_tokens < o.n_parallel) return make_error(ErrorCode::InvalidArgument, "the batch must hold one token per slot");
  if (tokenizer.n_vocab() != model.hparams().n_vocab) {
    return make_error(ErrorCode::InvalidArgument, "tokenizer and model disagree on the vocabulary size");
  }
  std::optional<KvCache> kv;
  if (model.kind() == model::ModelKind::Generate) {
    ONDO_ASSIGN_OR_RETURN(kv, KvCache::create(model.hparams(), o.n_parallel, o.n_ctx));
  }
  return std::unique_ptr<Scheduler>(new SchedulerImpl(model, tokenizer, o, std::move(kv), pool, std::move(on_token)));
}

}  // namespace ondo::infer
