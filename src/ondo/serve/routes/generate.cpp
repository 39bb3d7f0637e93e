// Running one prepared generation: submit to the model's Scheduler, then either collect the
// whole answer or stream it, written by the request's WireFormat (wire.h), cancelling on disconnect, stop
// string or timeout, and writing what really happened (tokens, times, how it ended) into the
// request's record for the access log, metrics and usage hook. Layer: serve. Waits on
// RequestHandle only; never runs model code.
#include <chrono>
#include <cstdio>
#include <functional>

#include "ondo/serve/http_guard.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/routes/wire.h"

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
  std::unique_ptr<WireFormat> wire;
  ChoiceBuilder builder;
  Clock::time_point start;
  Clock::time_point deadline;
  Clock::time_point last_token;
  bool any_token = false;
  int32_t n_prompt = 0;
  bool tool_calls = false;   // the answer is complete tool calls (finish reason "tool_calls")
  std::string ended;         // an end other than the generation's own: "disconnected", "timeout", ...
  bool accounted = false;

  Run(ServerState& s, PreparedRequest p, std::unique_ptr<WireFormat> w)
      : state(&s),
        prep(std::move(p)),
        record(current_request() ? current_request() : std::make_shared<RequestRecord>()),
        wire(std::move(w)),
        builder(*prep.model->tokenizer, prep.fields.stop, prep.fields.n_logprobs >= 0),
        start(Clock::now()) {
    deadline = start + std::chrono::seconds(s.options().request_timeout_s);
    n_prompt = int32_t(prep.request.prompt.size());
  }

  void note_event(const infer::TokenEvent& ev) {
    if (ev.token < 0) return;
    const auto now = Clock::now();
    if (any_token) state->metrics().observe_inter_token(prep.model->alias, std::chrono::duration<double>(now - last_token).count());
    any_token = true;
    last_token = now;
  }

  UsageCounts usage() const {
    UsageCounts u;
    u.prompt_tokens = n_prompt;
    u.completion_tokens = builder.completion_tokens();
    if (handle) {
      const infer::RequestTiming t = handle->timing();
      u.cached_tokens = t.cached_prompt_tokens;
      u.queue_s = t.queue_seconds;
      u.first_token_s = any_token ? t.first_token_seconds : 0.0;
    }
    u.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    return u;
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
  GenerationResult result;
  while (!b.finished()) {
    auto ev = next_event(*run.handle, run.deadline, [] { return !client_gone(); });  // cancel if the client left
    if (!ev.ok()) {
      run.ended = Clock::now() < run.deadline ? "disconnected" : "timeout";
      return run.wire->write_error(res, ev.error());
    }
    run.note_event(*ev);
    Delta d = b.on_event(*ev);
    result.text += d.text;
    for (auto& t : d.tokens) result.tokens.push_back(std::move(t));
    if (b.stop_hit()) run.handle->cancel();
    if (auto err = abnormal_finish(*ev, run)) return run.wire->write_error(res, *err);
  }
  result.finish_reason = b.finish_reason();
  if (run.prep.tool_calling) {
    infer::tools::ToolCallParser parser(run.prep.model->tool_format);
    parser.feed(result.text);
    if (parser.calls_complete()) {
      run.tool_calls = true;
      result.calls = parser.calls();
      result.finish_reason = "tool_calls";
    }
  }
  result.usage = run.usage();
  if (b.stop_hit()) run.wire->set_stop_sequence(b.stop_sequence());
  run.wire->write_result(res, result);
}

// Tool calling while streaming: content text goes out as text, calls as tool-call pieces (a
// header with id and name, then argument pieces).
struct ToolStream {
  explicit ToolStream(infer::tools::ToolFormat f) : parser(f) {}
  infer::tools::ToolCallParser parser;
  std::vector<std::string> ids;
};

// Writes the pieces of one delta; `fin` is the finish reason when this is the last one.
bool write_tool_delta(Run& run, ToolStream& ts, const Delta& d, std::optional<std::string> fin,
                      const std::function<bool(const std::string&)>& write) {
  const infer::tools::ParseStep step = ts.parser.feed(d.text);
  if (!step.content.empty() && !write(run.wire->stream_text(step.content, {}))) return false;
  for (const auto& p : step.calls) {
    ToolCallPiece piece;
    piece.index = p.index;
    piece.started = p.started;
    piece.arguments = p.arguments;
    if (p.started) {
      ts.ids.push_back(new_call_id());
      piece.id = ts.ids.back();
      piece.name = ts.parser.calls()[p.index].name;
    }
    if (!write(run.wire->stream_tool_call(piece))) return false;
  }
  if (!fin) return true;
  if (ts.parser.calls_complete()) {
    fin = "tool_calls";
    run.tool_calls = true;
  }
  return write(run.wire->stream_end(*fin, run.usage()));
}

// Writes the whole stream in one call of the content provider (so a drain that closes the
// listener does not cut running streams short). Returns false when the client went away.
bool write_stream(Run& run, httplib::DataSink& sink) {
  WireFormat& wire = *run.wire;
  auto last_write = Clock::now();
  auto write = [&](const std::string& s) {
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
  ChoiceBuilder& b = run.builder;
  std::optional<ToolStream> tools;
  if (run.prep.tool_calling) tools.emplace(run.prep.model->tool_format);
  if (!write(wire.stream_begin())) return false;
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
      return write(wire.stream_error(*err));
    }
    run.note_event(*ev);
    Delta d = b.on_event(*ev);
    if (b.stop_hit()) run.handle->cancel();
    const std::optional<std::string> fin = b.finished() ? std::optional<std::string>(b.finish_reason()) : std::nullopt;
    if (fin && b.stop_hit()) wire.set_stop_sequence(b.stop_sequence());
    if (tools) {
      if (!write_tool_delta(run, *tools, d, fin, write)) return false;
      continue;
    }
    if ((!d.text.empty() || !d.tokens.empty()) && !write(wire.stream_text(d.text, d.tokens))) return false;
    if (fin && !write(wire.stream_end(*fin, run.usage()))) return false;
  }
  return true;
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

void respond_generation(ServerState& state, PreparedRequest p, httplib::Response& res, std::unique_ptr<WireFormat> wire) {
  if (!wire) wire = openai_wire(p.flavor, p.model->alias, p.fields);
  auto run = std::make_shared<Run>(state, std::move(p), std::move(wire));
  run->prep.request.context = std::make_shared<const infer::RequestContext>(run->record->context);
  auto handle = run->prep.model->scheduler->submit(run->prep.request);
  if (!handle.ok()) return run->wire->write_error(res, handle.error());
  run->handle = std::move(*handle);
  if (run->prep.fields.stream) return respond_stream(std::move(run), res);
  respond_blocking(*run, res);
}

}  // namespace ondo::serve
