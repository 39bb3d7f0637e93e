// Running one prepared generation: submit to the model's Scheduler, then either collect the
// whole answer or stream it, written by the request's WireFormat (wire.h), cancelling on disconnect, stop
// string or timeout, and writing what really happened (tokens, times, how it ended) into the
// request's record for the access log, metrics and usage hook. Several choices (n > 1,
// prompt batches) are one scheduler request each, read in order (blocking) or interleaved
// (streaming). Layer: serve. Waits on RequestHandle only; never runs model code.
#include <chrono>
#include <cstdio>
#include <functional>
#include <utility>

#include "ondo/serve/guardrail_gate.h"
#include "ondo/serve/http_guard.h"
#include "ondo/serve/limits.h"
#include "ondo/serve/response_cache.h"
#include "ondo/serve/routes/adapters.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/routes/wire.h"

namespace ondo::serve {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Tool calling while streaming: content text goes out as text, calls as tool-call pieces (a
// header with id and name, then argument pieces).
struct ToolStream {
  explicit ToolStream(infer::tools::ToolFormat f) : parser(f) {}
  infer::tools::ToolCallParser parser;
  std::vector<std::string> ids;
};

// One choice: a prompt's sample, with its own scheduler request and output state.
struct Choice {
  Choice(const PreparedRequest& p, int32_t i, int32_t prompt_i)
      : index(i), prompt(prompt_i), builder(*p.model->tokenizer, p.fields.stop, p.fields.n_logprobs >= 0) {
    if (p.tool_calling) tools.emplace(p.model->tool_format);
  }
  int32_t index = 0;   // in the response: prompt * n + sample
  int32_t prompt = 0;  // which prompt of the request
  std::shared_ptr<infer::RequestHandle> handle;
  std::optional<infer::TokenEvent> first;  // an event read while the siblings were submitted
  ChoiceBuilder builder;
  std::optional<ToolStream> tools;  // streaming with tools
  GenerationResult result;          // blocking: the answer so far
  bool tool_calls = false;          // the answer is tool calls (complete, or cut by max_tokens)
  bool done = false;                // its end was handled

  Result<infer::TokenEvent> next(Clock::time_point deadline, const std::function<bool()>& keep_waiting) {
    if (first) {
      infer::TokenEvent e = std::move(*first);
      first.reset();
      return e;
    }
    return next_event(*handle, deadline, keep_waiting);
  }
};

// Everything one generation carries between the handler and the body writer.
struct Run {
  ServerState* state = nullptr;
  PreparedRequest prep;
  std::shared_ptr<RequestRecord> record;  // made before routing; completed after the body is sent
  std::unique_ptr<WireFormat> wire;
  std::vector<std::unique_ptr<Choice>> choices;  // prompts x n, in response order
  Clock::time_point start;
  Clock::time_point deadline;
  Clock::time_point last_token;
  bool any_token = false;
  std::string ended;         // an end other than the generation's own: "disconnected", "timeout", ...
  bool error_written = false;  // streaming: the stream ended with an error event
  bool accounted = false;
  OutputGuard guard;  // output guardrails (guardrail_gate.h): a filter per choice
  std::string cache_key;     // a cache miss: keep the answer under this key when it ends well
  std::optional<CachedGeneration> replayed;  // a cache hit: the answer served (no handles)

  Run(ServerState& s, PreparedRequest p, std::unique_ptr<WireFormat> w)
      : state(&s),
        prep(std::move(p)),
        record(current_request() ? current_request() : std::make_shared<RequestRecord>()),
        wire(std::move(w)),
        start(Clock::now()) {
    deadline = start + std::chrono::seconds(s.options().request_timeout_s);
    const int32_t n_prompts = 1 + int32_t(prep.more_prompts.size());
    for (int32_t i = 0; i < n_prompts * prep.fields.n; ++i) {
      choices.push_back(std::make_unique<Choice>(prep, i, i / prep.fields.n));
    }
    guard = OutputGuard(prep.guardrails, choices.size());
  }

  bool multi() const { return choices.size() > 1; }

  const std::vector<int32_t>& prompt_of(int32_t prompt) const {
    return prompt == 0 ? prep.request.prompt : prep.more_prompts[size_t(prompt - 1)];
  }

  void cancel_all() {
    for (auto& c : choices) {
      if (c->handle) c->handle->cancel();
    }
  }

  void note_event(const infer::TokenEvent& ev) {
    if (ev.token < 0) return;
    const auto now = Clock::now();
    if (any_token) state->metrics().observe_inter_token(prep.model->alias, std::chrono::duration<double>(now - last_token).count());
    any_token = true;
    last_token = now;
  }

  // Prompts count once each (not per sample); cached tokens are those of each prompt's first
  // sample (its other samples share that sample's prompt K/V, see respond_generation()).
  UsageCounts usage() const {
    UsageCounts u;
    if (replayed) {  // as first served; no times (the model did not run)
      u.prompt_tokens = replayed->prompt_tokens;
      u.completion_tokens = replayed->completion_tokens;
      u.cached_tokens = replayed->cached_tokens;
      return u;
    }
    for (const auto& c : choices) {
      const bool first_sample = c->index % prep.fields.n == 0;
      if (first_sample) u.prompt_tokens += int32_t(prompt_of(c->prompt).size());
      if (first_sample && c->handle) u.cached_tokens += c->handle->timing().cached_prompt_tokens;
      u.completion_tokens += c->builder.completion_tokens();
    }
    if (choices[0]->handle) {  // times of the first choice
      const infer::RequestTiming t = choices[0]->handle->timing();
      u.queue_s = t.queue_seconds;
      u.first_token_s = any_token ? t.first_token_seconds : 0.0;
    }
    u.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    return u;
  }

  // Writes what really happened into the request's record, however the request ended: the
  // tokens received from the scheduler so far, the times, the finish reason (of the first
  // choice). Once.
  void account() {
    if (replayed) return account_hit();
    if (accounted || !choices[0]->handle) return;
    accounted = true;
    if (auto st = record_decisions(*state, guard.decisions(), record->context.id, record->context.caller); !st.ok()) {
      std::fprintf(stderr, "ondo serve: %s: output guardrail decisions not recorded: %s\n", record->context.id.c_str(),
                   st.error().message.c_str());
    }
    const infer::RequestTiming t = choices[0]->handle->timing();
    const UsageCounts u = usage();
    const Choice& c = *choices[0];
    RequestRecord& r = *record;
    r.generated = true;
    r.streamed = prep.fields.stream;
    r.prompt_tokens = u.prompt_tokens;
    r.cached_tokens = u.cached_tokens;
    r.completion_tokens = u.completion_tokens;
    r.queue_s = t.queue_seconds;
    r.first_token_s = any_token ? t.first_token_seconds : -1.0;
    if (!ended.empty()) r.finish_reason = ended;
    else if (c.tool_calls && c.builder.finish_reason() != "length") r.finish_reason = "tool_calls";
    else if (c.builder.finished()) r.finish_reason = c.builder.finish_reason();
    else r.finish_reason = "error";
  }

  void account_hit() {
    if (accounted) return;
    accounted = true;
    const UsageCounts u = usage();
    RequestRecord& r = *record;
    r.cache_hit = true;
    r.streamed = prep.fields.stream;
    r.prompt_tokens = u.prompt_tokens;
    r.cached_tokens = u.cached_tokens;
    r.completion_tokens = u.completion_tokens;
    const Choice& c = *choices[0];
    if (!ended.empty()) r.finish_reason = ended;
    else if (c.tool_calls && replayed->choices[0].finish_reason != "length") r.finish_reason = "tool_calls";
    else r.finish_reason = replayed->choices[0].finish_reason;
  }

  // A live answer that ended well, kept in the response cache (a miss), once. A stream keeps it
  // before its last event goes out, so a client that repeats the request as soon as it read the
  // end finds it. Failures are logged: the answer is served, and the cache only saves work.
  void keep_in_cache() {
    if (cache_key.empty() || !ended.empty() || error_written) return;
    const std::string key = std::exchange(cache_key, std::string());
    CachedGeneration g;
    for (const auto& c : choices) {
      const ChoiceBuilder& b = c->builder;
      if (!b.finished() || (b.finish_reason() != "stop" && b.finish_reason() != "length")) return;
      g.choices.push_back({c->result.text, b.finish_reason(), b.stop_hit() ? b.stop_sequence() : std::string()});
    }
    const UsageCounts u = usage();
    g.prompt_tokens = u.prompt_tokens;
    g.completion_tokens = u.completion_tokens;
    g.cached_tokens = u.cached_tokens;
    Status st = cache_save(*state->options().store, state->options().cache, key, prep.model->alias, g, unix_ms_now());
    if (!st.ok()) std::fprintf(stderr, "ondo serve: response cache: not kept: %s\n", st.error().message.c_str());
  }
};

// Accounts the run when the blocking response is written, on every path.
struct AccountOnExit {
  Run& run;
  ~AccountOnExit() { run.account(); }
};

// A finish that is not a normal end becomes an error (and `ended` says which).
std::optional<Error> abnormal_finish(const infer::TokenEvent& ev, const ChoiceBuilder& b, Run& run) {
  if (ev.finish == infer::FinishReason::Error) {
    run.ended = "error";
    return make_error(ErrorCode::Internal, "generation: " + b.error());
  }
  if (ev.finish == infer::FinishReason::Cancelled && !b.stop_hit()) {
    run.ended = "cancelled";
    return make_error(ErrorCode::Unavailable, "generation: cancelled (the server is shutting down)");
  }
  return std::nullopt;
}

// The calls of a finished blocking answer: all of them when the list is complete (finish
// "tool_calls"); when max_tokens cut the list after at least one complete call, those calls
// (finish stays "length"; the cut call is dropped).
void take_calls(const PreparedRequest& p, Choice& c) {
  GenerationResult& r = c.result;
  infer::tools::ToolCallParser parser(p.model->tool_format);
  parser.feed(r.text);
  if (parser.calls_complete()) {
    c.tool_calls = true;
    r.calls = parser.calls();
    r.finish_reason = "tool_calls";
    return;
  }
  if (r.finish_reason != "length" || parser.mode() != infer::tools::ToolCallParser::Mode::Calls) return;
  for (const auto& call : parser.calls()) {
    if (call.complete) r.calls.push_back(call);
  }
  c.tool_calls = !r.calls.empty();
}

// Reads one choice to its end. Returns an error to write instead of the answer.
std::optional<Error> collect(Run& run, Choice& c) {
  ChoiceBuilder& b = c.builder;
  while (!b.finished()) {
    auto ev = c.next(run.deadline, [] { return !client_gone(); });  // cancel if the client left
    if (!ev.ok()) {
      run.ended = Clock::now() < run.deadline ? "disconnected" : "timeout";
      return ev.error();
    }
    run.note_event(*ev);
    Delta d = b.on_event(*ev);
    c.result.text += d.text;
    for (auto& t : d.tokens) c.result.tokens.push_back(std::move(t));
    if (b.stop_hit()) c.handle->cancel();
    if (auto err = abnormal_finish(*ev, b, run)) return err;
  }
  c.result.finish_reason = b.finish_reason();
  if (auto err = run.guard.check(c.result.text)) {  // output guardrails on the whole answer
    run.ended = "guardrail";
    return err;
  }
  if (run.prep.tool_calling) take_calls(run.prep, c);
  return std::nullopt;
}

// Writes the collected (or replayed) answers; `stop` is the first choice's stop string.
void write_answers(Run& run, httplib::Response& res, const std::string& stop) {
  const UsageCounts usage = run.usage();
  if (!run.multi()) {
    Choice& c = *run.choices[0];
    c.result.usage = usage;
    if (!stop.empty()) run.wire->set_stop_sequence(stop);
    return run.wire->write_result(res, c.result);
  }
  std::vector<GenerationResult> results;
  for (auto& c : run.choices) results.push_back(std::move(c->result));
  run.wire->write_results(res, results, usage);
}

void respond_blocking(Run& run, httplib::Response& res) {
  AccountOnExit accounted{run};
  for (auto& c : run.choices) {
    if (auto err = collect(run, *c)) {
      run.cancel_all();
      return run.wire->write_error(res, *err);
    }
  }
  run.keep_in_cache();
  const ChoiceBuilder& b = run.choices[0]->builder;
  write_answers(run, res, b.stop_hit() ? b.stop_sequence() : std::string());
}

using WriteFn = std::function<bool(const std::string&)>;

std::string out_text(Run& run, const Choice& c, const std::string& text, const std::vector<TokenEntry>& tokens) {
  return run.multi() ? run.wire->stream_choice_text(c.index, text, tokens) : run.wire->stream_text(text, tokens);
}

// The end of one choice (and, for a single choice, of the stream).
bool write_choice_end(Run& run, const Choice& c, const std::string& fin, const WriteFn& write) {
  if (!run.multi()) {
    run.keep_in_cache();
    return write(run.wire->stream_end(fin, run.usage()));
  }
  return write(run.wire->stream_choice_end(c.index, fin));
}

// Writes the pieces of one delta; `fin` is the finish reason when this is the last one.
bool write_tool_delta(Run& run, Choice& c, const Delta& d, std::optional<std::string> fin, const WriteFn& write) {
  ToolStream& ts = *c.tools;
  infer::tools::ParseStep step = ts.parser.feed(d.text);
  if (fin) step.content += ts.parser.finish();
  if (!step.content.empty() && !write(out_text(run, c, step.content, {}))) return false;
  for (const auto& p : step.calls) {
    ToolCallPiece piece;
    piece.index = int32_t(p.index);
    piece.started = p.started;
    piece.arguments = p.arguments;
    if (p.started) {
      ts.ids.push_back(new_call_id());
      piece.id = ts.ids.back();
      piece.name = ts.parser.calls()[p.index].name;
    }
    const std::string bytes =
        run.multi() ? run.wire->stream_choice_tool_call(c.index, piece) : run.wire->stream_tool_call(piece);
    if (!write(bytes)) return false;
  }
  if (!fin) return true;
  if (ts.parser.calls_complete()) fin = "tool_calls";
  c.tool_calls = !ts.parser.calls().empty();
  return write_choice_end(run, c, *fin, write);
}

// Takes one event of choice `c` and writes what it brings. Returns false when the stream
// must stop (the client left, or an error was written).
bool stream_event(Run& run, Choice& c, Result<infer::TokenEvent> ev, const WriteFn& write) {
  ChoiceBuilder& b = c.builder;
  if (!ev.ok() && Clock::now() < run.deadline) {  // the client went away
    if (run.ended.empty()) run.ended = "disconnected";
    return false;
  }
  if (!ev.ok()) run.ended = "timeout";
  std::optional<Error> err = ev.ok() ? abnormal_finish(*ev, b, run) : std::optional<Error>(ev.error());
  if (err) {
    run.cancel_all();
    run.error_written = write(run.wire->stream_error(*err));
    return false;
  }
  run.note_event(*ev);
  Delta d = b.on_event(*ev);
  c.result.text += d.text;  // for the response cache
  if (b.stop_hit()) c.handle->cancel();
  const std::optional<std::string> fin = b.finished() ? std::optional<std::string>(b.finish_reason()) : std::nullopt;
  if (fin) c.done = true;
  if (fin && b.stop_hit() && !run.multi()) run.wire->set_stop_sequence(b.stop_sequence());
  if (auto err = run.guard.filter(size_t(c.index), d.text, fin.has_value())) {  // output guardrails
    run.ended = "guardrail";
    run.cancel_all();
    run.error_written = write(run.wire->stream_error(*err));
    return false;
  }
  if (c.tools) return write_tool_delta(run, c, d, fin, write);
  if ((!d.text.empty() || !d.tokens.empty()) && !write(out_text(run, c, d.text, d.tokens))) return false;
  return !fin || write_choice_end(run, c, *fin, write);
}

// Writes the whole stream in one call of the content provider (so a drain that closes the
// listener does not cut running streams short). Returns false when the client went away.
// Several choices: each round takes every event already waiting, choice by choice, and
// waits briefly on the first unfinished choice when none had one.
bool write_stream(Run& run, httplib::DataSink& sink) {
  WireFormat& wire = *run.wire;
  auto last_write = Clock::now();
  WriteFn write = [&](const std::string& s) {
    last_write = Clock::now();
    if (s.empty() || sink.write(s.data(), s.size())) return true;
    if (run.ended.empty()) run.ended = "disconnected";
    return false;
  };
  // While no token comes, a keep-alive every 2 s shows whether the client is still there.
  auto keep_waiting = [&] {
    if (client_gone()) return false;
    if (Clock::now() - last_write < std::chrono::seconds(2)) return true;
    return write(wire.stream_keepalive());
  };
  if (!write(wire.stream_begin())) return false;
  if (!run.multi()) {
    Choice& c = *run.choices[0];
    while (!c.done) {
      if (!stream_event(run, c, c.next(run.deadline, keep_waiting), write)) return run.error_written;
    }
    return true;
  }
  constexpr int kWaitMs = 20;
  for (;;) {
    bool any = false;
    Choice* waiting = nullptr;
    for (auto& cp : run.choices) {
      Choice& c = *cp;
      while (!c.done) {
        std::optional<infer::TokenEvent> ev = std::move(c.first);
        c.first.reset();
        if (!ev) ev = c.handle->next(0);
        if (!ev) break;
        any = true;
        if (!stream_event(run, c, std::move(*ev), write)) return run.error_written;
      }
      if (!c.done && !waiting) waiting = &c;
    }
    if (!waiting) break;
    if (any) continue;
    if (Clock::now() >= run.deadline || !keep_waiting()) {
      if (!stream_event(run, *waiting, waiting->next(run.deadline, keep_waiting), write)) return run.error_written;
      continue;
    }
    if (auto ev = waiting->handle->next(kWaitMs)) {
      if (!stream_event(run, *waiting, std::move(*ev), write)) return run.error_written;
    }
  }
  run.keep_in_cache();
  return write(wire.stream_choices_end(run.usage()));
}

// Streams a kept answer (a cache hit) as the live path writes one: each choice's whole text
// as one piece (tool calls parsed from it again, with fresh ids), then its end.
bool write_replay(Run& run, httplib::DataSink& sink) {
  WriteFn write = [&](const std::string& s) {
    if (s.empty() || sink.write(s.data(), s.size())) return true;
    if (run.ended.empty()) run.ended = "disconnected";
    return false;
  };
  if (!write(run.wire->stream_begin())) return false;
  for (size_t i = 0; i < run.choices.size(); ++i) {
    Choice& c = *run.choices[i];
    const CachedChoice& kept = run.replayed->choices[i];
    const Delta d{kept.text, {}};
    c.done = true;
    if (!kept.stop_sequence.empty() && !run.multi()) run.wire->set_stop_sequence(kept.stop_sequence);
    if (c.tools) {
      if (!write_tool_delta(run, c, d, kept.finish_reason, write)) return false;
      continue;
    }
    if (!d.text.empty() && !write(out_text(run, c, d.text, {}))) return false;
    if (!write_choice_end(run, c, kept.finish_reason, write)) return false;
  }
  return !run.multi() || write(run.wire->stream_choices_end(run.usage()));
}

// A kept answer (a cache hit) as a blocking response: tool calls are parsed again.
void replay_blocking(Run& run, httplib::Response& res) {
  AccountOnExit accounted{run};
  for (size_t i = 0; i < run.choices.size(); ++i) {
    Choice& c = *run.choices[i];
    c.result.text = run.replayed->choices[i].text;
    c.result.finish_reason = run.replayed->choices[i].finish_reason;
    if (run.prep.tool_calling) take_calls(run.prep, c);
  }
  write_answers(run, res, run.replayed->choices[0].stop_sequence);
}

void respond_stream(std::shared_ptr<Run> run, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  run->record->streamed = true;
  run->state->enter();  // left by the releaser, after the body is written
  res.set_chunked_content_provider(
      run->wire->stream_content_type(),
      [run](size_t, httplib::DataSink& sink) {
        bool ok = false;
        try {
          ok = run->replayed ? write_replay(*run, sink) : write_stream(*run, sink);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "ondo serve: stream failed: %s\n", e.what());
          run->ended = "error";
        }
        run->account();  // before cpp-httplib's logger, which runs after this returns
        if (!ok) {
          run->cancel_all();
          return false;
        }
        sink.done();
        return true;
      },
      [run](bool success) {
        if (!success) {
          run->cancel_all();
          if (run->ended.empty()) run->ended = "disconnected";  // the body never started
        }
        run->account();
        run->state->leave();
      });
}

// A well-mixed seed per sample (splitmix64 finalizer): sample 0 keeps the request's seed, so
// n = 1 answers as before; the same request twice gives the same n choices.
uint64_t sample_seed(uint64_t seed, int32_t sample) {
  if (sample == 0) return seed;
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * uint64_t(sample);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The scheduler request of choice `c`.
infer::GenerationRequest choice_request(const Run& run, const Choice& c) {
  infer::GenerationRequest r = run.prep.request;
  if (c.prompt > 0) {
    r.prompt = run.prompt_of(c.prompt);
    const int32_t n_ctx = run.prep.model->scheduler->options().n_ctx;
    r.max_tokens = run.prep.fields.max_tokens ? *run.prep.fields.max_tokens : int32_t(n_ctx - int32_t(r.prompt.size()));
  }
  r.sampling.seed = sample_seed(run.prep.request.sampling.seed, c.index % run.prep.fields.n);
  return r;
}

// Submits every choice. The first sample of each prompt goes first; its other samples wait
// for its first event (its prompt is then in its slot) so the scheduler copies that prompt's
// K/V instead of evaluating the prompt again.
Status submit_all(Run& run) {
  auto submit = [&](Choice& c) -> Status {
    auto h = run.prep.model->scheduler->submit(choice_request(run, c));
    if (!h.ok()) return h.error();
    c.handle = std::move(*h);
    return ok_status();
  };
  const int32_t n = run.prep.fields.n;
  for (auto& c : run.choices) {
    if (c->index % n == 0) ONDO_TRY(submit(*c));
  }
  for (auto& c : run.choices) {
    if (c->index % n != 0) continue;
    if (n > 1) {
      auto ev = next_event(*c->handle, run.deadline, [] { return !client_gone(); });
      if (!ev.ok()) return ev.error();
      c->first = std::move(*ev);
    }
    for (int32_t s = 1; s < n; ++s) ONDO_TRY(submit(*run.choices[size_t(c->index + s)]));
  }
  return ok_status();
}

// What a request reserves against its key's limits: each prompt once, and max_tokens per
// choice (the effective max_tokens: the context left when the request gave none).
int64_t reserved_completion(const PreparedRequest& p) {
  const int32_t n_ctx = p.model->scheduler->options().n_ctx;
  int64_t out = int64_t(p.request.max_tokens) * p.fields.n;
  for (const auto& prompt : p.more_prompts) {
    out += int64_t(p.fields.max_tokens ? *p.fields.max_tokens : n_ctx - int32_t(prompt.size())) * p.fields.n;
  }
  return out;
}
int64_t reserved_prompt(const PreparedRequest& p) {
  int64_t out = int64_t(p.request.prompt.size());
  for (const auto& prompt : p.more_prompts) out += int64_t(prompt.size());
  return out;
}
int64_t reserved_tokens(const PreparedRequest& p) { return reserved_prompt(p) + reserved_completion(p); }
int64_t reserved_cost(const ServerState& state, const PreparedRequest& p) {
  const auto& prices = state.options().prices;
  return prices ? cost_nano_usd(prices->of(p.model->alias), reserved_prompt(p), 0, reserved_completion(p)) : 0;
}

// The response cache's decision for this request, said in x-ondo-cache. True on a hit (the
// answer is then in run.replayed); a miss sets run.cache_key. A store that fails the lookup
// makes it a miss: the model answers (the failure is logged).
bool look_up_cache(Run& run, httplib::Response& res) {
  const ServerOptions& o = run.state->options();
  // the adapters' files too: a name reloaded from another file must not hit old answers
  const std::string lora_key = adapters_cache_identity(run.prep.request.lora.get());
  const CachePlan plan =
      plan_response_cache(o, run.prep, run.record->context.adapter + (lora_key.empty() ? "" : "#" + lora_key));
  bool hit = false;
  if (plan.decision == CacheDecision::Lookup) {
    auto found = cache_lookup(*o.store, plan.key, unix_ms_now());
    if (!found.ok()) {
      std::fprintf(stderr, "ondo serve: response cache: lookup failed, answering without it: %s\n",
                   found.error().message.c_str());
    } else if (*found && (*found)->choices.size() == run.choices.size()) {
      run.replayed = std::move(**found);
      hit = true;
    }
    if (!hit) run.cache_key = plan.key;
  }
  if (const std::string h = cache_header(plan.decision, hit); !h.empty()) res.set_header("x-ondo-cache", h);
  return hit;
}

}  // namespace

void respond_generation(ServerState& state, PreparedRequest p, httplib::Response& res, std::unique_ptr<WireFormat> wire) {
  const Status adapters = resolve_request_adapters(state, p);  // "model": an adapter, "lora": [...]
  if (!wire) wire = openai_wire(p.flavor, served_name(state, p), p.fields);
  if (!adapters.ok()) return wire->write_error(res, adapters.error());
  if ((p.fields.n > 1 || !p.more_prompts.empty()) && !wire->multi_choice()) {
    return wire->write_error(res, field_error(ErrorCode::InvalidArgument, "n", "this API answers with one choice (seen " +
                                                                                  std::to_string(p.fields.n) + ")"));
  }
  if (current_request() && !admit_limits(state, *current_request(), reserved_tokens(p), reserved_cost(state, p), res)) return;
  auto run = std::make_shared<Run>(state, std::move(p), std::move(wire));
  run->prep.request.context = std::make_shared<const infer::RequestContext>(run->record->context);
  if (look_up_cache(*run, res)) {
    if (run->prep.fields.stream) return respond_stream(std::move(run), res);
    return replay_blocking(*run, res);
  }
  if (Status st = submit_all(*run); !st.ok()) {
    run->cancel_all();
    run->account();
    return run->wire->write_error(res, st.error());
  }
  if (run->prep.fields.stream) return respond_stream(std::move(run), res);
  respond_blocking(*run, res);
}

}  // namespace ondo::serve
