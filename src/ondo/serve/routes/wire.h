// How one API family writes a generation. The generation runner (generate.cpp) turns the
// scheduler's events into API-neutral pieces (text with logprob entries, tool-call pieces,
// the end with its finish reason and token counts); a WireFormat renders them as its API's
// JSON body (a blocking request) or its stream bytes (SSE, NDJSON). OpenAI's chat and
// completions shapes are one WireFormat (openai_wire.cpp); the Responses, Anthropic and
// Ollama families bring their own. Layer: serve (internal to it).
// Thread contract: one WireFormat per request, used from the thread that writes its body.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/tools/tool_calls.h"
#include "ondo/serve/generation.h"

namespace ondo::serve {

struct GenerationFields;
enum class Flavor;

// Token counts of one generation.
struct UsageCounts {
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
  int32_t cached_tokens = 0;  // prompt tokens answered from the prefix cache
  // Times in seconds since the request was submitted to the scheduler (Ollama's durations).
  double queue_s = 0.0;        // until it was first scheduled
  double first_token_s = 0.0;  // until its first token (0 when none came)
  double elapsed_s = 0.0;      // until these counts were taken
};

// A blocking request's whole answer.
struct GenerationResult {
  std::string text;                               // the output text (all of it, calls included)
  std::vector<infer::tools::ParsedCall> calls;    // complete tool calls (then finish "tool_calls")
  std::string finish_reason;                      // "stop", "length" or "tool_calls"
  std::vector<TokenEntry> tokens;                 // logprob entries, when the request asked
  UsageCounts usage;
};

// A piece of a tool call while streaming: the call's header (when `started`: id and name),
// then pieces of its JSON arguments.
struct ToolCallPiece {
  int32_t index = 0;
  bool started = false;
  std::string id;    // set with started
  std::string name;  // set with started
  std::string arguments;
};

class WireFormat {
 public:
  virtual ~WireFormat() = default;

  // Blocking: the whole answer, or an error (in the API's error shape).
  virtual void write_result(httplib::Response& res, const GenerationResult& result) = 0;
  virtual void write_error(httplib::Response& res, const Error& error);

  // Streaming: each returns the bytes to send next (may be empty).
  virtual std::string stream_content_type() const { return "text/event-stream"; }
  // Before the first piece.
  virtual std::string stream_begin() = 0;
  // Output text (maybe empty when only logprob entries come) with its logprob entries.
  virtual std::string stream_text(const std::string& text, const std::vector<TokenEntry>& tokens) = 0;
  virtual std::string stream_tool_call(const ToolCallPiece& piece) = 0;
  // The end of a generation that finished normally: finish reason and counts.
  virtual std::string stream_end(const std::string& finish_reason, const UsageCounts& usage) = 0;
  // The end of a stream cut by an error (timeout, shutdown, internal).
  virtual std::string stream_error(const Error& error) = 0;
  // Sent while no token comes, to notice a client that left ("" when the format has none).
  virtual std::string stream_keepalive();
  // The stop string that ended the generation, told before write_result / stream_end, for
  // formats that report which one (Anthropic's stop_sequence); others ignore it.
  virtual void set_stop_sequence(const std::string& stop) { (void)stop; }

  // Several choices (OpenAI's n > 1 and prompt batches). A format that answers with several
  // choices returns true and overrides the hooks below; the generation runner then uses them
  // instead of write_result / stream_text / stream_tool_call / stream_end. A format that keeps
  // the defaults is never given more than one choice (the request is refused, field "n").
  virtual bool multi_choice() const { return false; }
  // Blocking: every choice's answer in order (index 0..), and the request's summed counts.
  virtual void write_results(httplib::Response& res, const std::vector<GenerationResult>& results,
                             const UsageCounts& usage) {
    GenerationResult first = results.front();
    first.usage = usage;
    write_result(res, first);
  }
  // Streaming: the pieces of choice `choice`, as stream_text / stream_tool_call do for one.
  virtual std::string stream_choice_text(int32_t choice, const std::string& text, const std::vector<TokenEntry>& tokens) {
    (void)choice;
    return stream_text(text, tokens);
  }
  virtual std::string stream_choice_tool_call(int32_t choice, const ToolCallPiece& piece) {
    (void)choice;
    return stream_tool_call(piece);
  }
  // The end of one choice, then (after every choice ended) the end of the stream.
  virtual std::string stream_choice_end(int32_t choice, const std::string& finish_reason) {
    (void)choice;
    (void)finish_reason;
    return "";
  }
  virtual std::string stream_choices_end(const UsageCounts& usage) {
    (void)usage;
    return "";
  }
};

// OpenAI's chat.completion / text_completion bodies and chunks for `model`.
std::unique_ptr<WireFormat> openai_wire(Flavor flavor, const std::string& model, const GenerationFields& fields);

}  // namespace ondo::serve
