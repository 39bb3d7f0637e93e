// Running one prepared generation: submit to the model's Scheduler, then either collect the
// whole answer (JSON) or stream it as server-sent events, cancelling on disconnect, stop
// string or timeout, and writing what really happened (tokens, times, how it ended) into the
// request's record for the access log, metrics and usage hook. Layer: serve. Waits on
// RequestHandle only; never runs model code.
#include <chrono>
#include <cstdio>
#include <functional>

#include "ondo/serve/http_guard.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/sse.h"

namespace ondo::serve {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Everything one generation carries between the handler and the body writer.
struct Run {
  ServerState* state = nullptr;
  PreparedRequest prep;
  std::shared_ptr<RequestRecord> record;  // made before routing; completed after the body is sent
  std::shared_ptr<infer::RequestHandle> handle;
  ResponseIds ids;
  ChoiceBuilder builder;
  Clock::time_point start;
  Clock::time_point deadline;
  Clock::time_point last_token;
  bool any_token = false;
  int32_t n_prompt = 0;
  bool tool_calls = false;   // the answer is complete tool calls (finish reason "tool_calls")
  std::string ended;         // an end other than the generation's own: "disconnected", "timeout", ...
  bool accounted = false;

  Run(ServerState& s, PreparedRequest p)
      : state(&s),
        prep(std::move(p)),
        record(current_request() ? current_request() : std::make_shared<RequestRecord>()),
        ids(new_response_ids(prep.flavor, prep.model->alias)),
        builder(*prep.model->tokenizer, prep.fields.stop, prep.fields.n_logprobs >= 0),
        start(Clock::now()) {
    deadline = start + std::chrono::seconds(s.options().request_timeout_s);
    n_prompt = int32_t(prep.request.prompt.size());
  }

  void note_event(const infer::TokenEvent& ev) {
    if (ev.token < 0) return;
    const auto now = Clock::now();
    if (any_token) state->metrics().observe_inter_token(ids.model, std::chrono::duration<double>(now - last_token).count());
    any_token = true;
    last_token = now;
  }

  json usage() const {
    return usage_json(n_prompt, builder.completion_tokens(), handle ? handle->timing().cached_prompt_tokens : 0);
  }

  // Writes what really happened into the request's record, however the request ended: the
  // tokens received from the scheduler so far, the times, the finish reason. Once.
  void account() {
    if (accounted || !handle) return;
    accounted = true;
    const infer::RequestTiming t = handle->timing();
    RequestRecord& r = *record;
    r.generated = true;
    r.streamed = prep.fields.stream;
    r.prompt_tokens = n_prompt;
    r.cached_tokens = t.cached_prompt_tokens;
    r.completion_tokens = builder.completion_tokens();
    r.queue_s = t.queue_seconds;
    r.first_token_s = any_token ? t.first_token_seconds : -1.0;
    if (!ended.empty()) r.finish_reason = ended;
    else if (tool_calls) r.finish_reason = "tool_calls";
    else if (builder.finished()) r.finish_reason = builder.finish_reason();
    else r.finish_reason = "error";
  }
};

// Accounts the run when the blocking response is written, on every path.
struct AccountOnExit {
  Run& run;
  ~AccountOnExit() { run.account(); }
};

// A finish that is not a normal end becomes an error (and `ended` says which).
std::optional<Error> abnormal_finish(const infer::TokenEvent& ev, Run& run) {
  const ChoiceBuilder& b = run.builder;
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

void respond_blocking(Run& run, httplib::Response& res) {
  AccountOnExit accounted{run};
  ChoiceBuilder& b = run.builder;
  std::string text;
  std::vector<TokenEntry> tokens;
  while (!b.finished()) {
    auto ev = next_event(*run.handle, run.deadline, [] { return !client_gone(); });  // cancel if the client left
    if (!ev.ok()) {
      run.ended = Clock::now() < run.deadline ? "disconnected" : "timeout";
      return send_error(res, ev.error());
    }
    run.note_event(*ev);
    Delta d = b.on_event(*ev);
    text += d.text;
    for (auto& t : d.tokens) tokens.push_back(std::move(t));
    if (b.stop_hit()) run.handle->cancel();
    if (auto err = abnormal_finish(*ev, run)) return send_error(res, *err);
  }
  const json lp = run.prep.fields.n_logprobs >= 0 ? logprobs_json(run.ids.flavor, tokens, 0) : json(nullptr);
  if (run.prep.tool_calling) {
    infer::tools::ToolCallParser parser(run.prep.model->tool_format);
    parser.feed(text);
    if (parser.calls_complete()) {
      run.tool_calls = true;
      const json calls = tool_calls_json(parser.calls(), {});
      return send_json(res, 200, full_response(run.ids, text, "tool_calls", lp, run.usage(), calls));
    }
  }
  send_json(res, 200, full_response(run.ids, text, b.finish_reason(), lp, run.usage()));
}

// Tool calling while streaming: content text goes out as content deltas, calls as
// tool_calls deltas (a header with id and name, then argument pieces).
struct ToolStream {
  explicit ToolStream(infer::tools::ToolFormat f) : parser(f) {}
  infer::tools::ToolCallParser parser;
  std::vector<std::string> ids;
};

// Writes the chunks of one delta; `fin` is the finish reason when this is the last one.
bool write_tool_delta(Run& run, ToolStream& ts, const Delta& d, std::optional<std::string> fin,
                      const std::function<bool(const std::string&)>& write) {
  const bool usage_null = run.prep.fields.include_usage;
  const infer::tools::ParseStep step = ts.parser.feed(d.text);
  if (!step.content.empty() && !write(sse_event(stream_chunk(run.ids, step.content, false, std::nullopt, nullptr, usage_null)))) {
    return false;
  }
  for (const auto& piece : step.calls) {
    json call = {{"index", piece.index}, {"function", {{"arguments", piece.arguments}}}};
    if (piece.started) {
      ts.ids.push_back(new_call_id());
      call["id"] = ts.ids.back();
      call["type"] = "function";
      call["function"]["name"] = ts.parser.calls()[piece.index].name;
    }
    if (!write(sse_event(tool_call_chunk(run.ids, json::array({call}), usage_null)))) return false;
  }
  if (!fin) return true;
  if (ts.parser.calls_complete()) {
    fin = "tool_calls";
    run.tool_calls = true;
  }
  return write(sse_event(stream_chunk(run.ids, "", false, fin, nullptr, usage_null)));
}

// Writes the whole stream in one call of the content provider (so a drain that closes the
// listener does not cut running streams short). Returns false when the client went away.
bool write_stream(Run& run, httplib::DataSink& sink) {
  const GenerationFields& f = run.prep.fields;
  auto last_write = Clock::now();
  auto write = [&](const std::string& s) {
    last_write = Clock::now();
    if (sink.write(s.data(), s.size())) return true;
    if (run.ended.empty()) run.ended = "disconnected";
    return false;
  };
  // While no token comes, a comment every 2 s shows whether the client is still there.
  auto keep_waiting = [&] {
    if (client_gone()) return false;
    if (Clock::now() - last_write < std::chrono::seconds(2)) return true;
    return write(sse_comment());
  };
  ChoiceBuilder& b = run.builder;
  std::optional<ToolStream> tools;
  if (run.prep.tool_calling) tools.emplace(run.prep.model->tool_format);
  size_t text_offset = 0;
  if (run.ids.flavor == Flavor::Chat && !write(sse_event(stream_chunk(run.ids, "", true, std::nullopt, nullptr, f.include_usage)))) {
    return false;
  }
  while (!b.finished()) {
    auto ev = next_event(*run.handle, run.deadline, keep_waiting);
    if (!ev.ok() && Clock::now() < run.deadline) {  // the client went away
      if (run.ended.empty()) run.ended = "disconnected";
      return false;
    }
    if (!ev.ok()) run.ended = "timeout";
    std::optional<Error> err = ev.ok() ? abnormal_finish(*ev, run) : std::optional<Error>(ev.error());
    if (err) {
      run.handle->cancel();
      write(sse_event(json::parse(error_body(to_api_error(*err)))));
      return write(sse_done());
    }
    run.note_event(*ev);
    Delta d = b.on_event(*ev);
    if (b.stop_hit()) run.handle->cancel();
    const std::optional<std::string> fin = b.finished() ? std::optional<std::string>(b.finish_reason()) : std::nullopt;
    if (tools) {
      if (!write_tool_delta(run, *tools, d, fin, write)) return false;
      continue;
    }
    if (d.text.empty() && d.tokens.empty() && !fin) continue;
    const json lp = f.n_logprobs >= 0 && !d.tokens.empty() ? logprobs_json(run.ids.flavor, d.tokens, text_offset) : json(nullptr);
    text_offset += d.text.size();
    if (fin && (!d.text.empty() || !d.tokens.empty())) {  // the last text, then a chunk with the finish reason
      if (!write(sse_event(stream_chunk(run.ids, d.text, false, std::nullopt, lp, f.include_usage)))) return false;
      if (!write(sse_event(stream_chunk(run.ids, "", false, fin, nullptr, f.include_usage)))) return false;
    } else if (!write(sse_event(stream_chunk(run.ids, d.text, false, fin, lp, f.include_usage)))) {
      return false;
    }
  }
  if (f.include_usage && !write(sse_event(usage_chunk(run.ids, run.usage())))) return false;
  return write(sse_done());
}

void respond_stream(std::shared_ptr<Run> run, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  run->record->streamed = true;
  run->state->enter();  // left by the releaser, after the body is written
  res.set_chunked_content_provider(
      "text/event-stream",
      [run](size_t, httplib::DataSink& sink) {
        bool ok = false;
        try {
          ok = write_stream(*run, sink);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "ondo serve: stream failed: %s\n", e.what());
          run->ended = "error";
        }
        run->account();  // before cpp-httplib's logger, which runs after this returns
        if (!ok) {
          run->handle->cancel();
          return false;
        }
        sink.done();
        return true;
      },
      [run](bool success) {
        if (!success) {
          run->handle->cancel();
          if (run->ended.empty()) run->ended = "disconnected";  // the body never started
        }
        run->account();
        run->state->leave();
      });
}

}  // namespace

void respond_generation(ServerState& state, PreparedRequest p, httplib::Response& res) {
  auto run = std::make_shared<Run>(state, std::move(p));
  run->prep.request.context = std::make_shared<const infer::RequestContext>(run->record->context);
  auto handle = run->prep.model->scheduler->submit(run->prep.request);
  if (!handle.ok()) return send_error(res, handle.error());
  run->handle = std::move(*handle);
  if (run->prep.fields.stream) return respond_stream(std::move(run), res);
  respond_blocking(*run, res);
}

}  // namespace ondo::serve
