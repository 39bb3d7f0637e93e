// Tool calls: the formats models write them in, grammars that force or allow a call whose
// arguments conform to the function's JSON Schema, and an incremental parser that turns the
// generated text back into calls (streamable argument pieces). Layer: infer (uses grammar/
// and text/ chat templates); knows nothing of HTTP.
//
// Formats: Generic (ondo's documented wrapper `{"tool_calls": [{"name": N, "arguments": {..}}]}`),
// Llama3Json (Llama 3.1/3.2: `{"name": N, "parameters": {..}}`, one call), Hermes (Hermes 2
// Pro / Qwen2.5: `<tool_call>\n{"name": N, "arguments": {..}}\n</tool_call>`, repeatable).
// Thread contract: free functions are thread-safe; a ToolCallParser belongs to one request.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/text/chat_template/chat_template.h"

namespace ondo::infer::tools {

enum class ToolFormat : uint8_t { Generic, Llama3Json, Hermes };

std::string_view tool_format_name(ToolFormat format);

// The model's own format, found by rendering a probe conversation (one tool, one assistant
// call) through its chat template and looking for the format's markers; Generic when the
// template renders none of them (or fails).
ToolFormat detect_tool_format(const text::ChatTemplate& tmpl);

struct ToolSpec {
  std::string name;                   // [A-Za-z0-9_-]{1,64}
  nlohmann::ordered_json parameters;  // a JSON Schema; null: any object
};

// Auto: the output is plain text or calls. Required: one or more calls. The caller passes
// only the named function for a named tool_choice (then it is Required).
enum class ToolMode : uint8_t { Auto, Required };

// The root rule of the grammars below.
inline constexpr std::string_view kToolGrammarRoot = "xtc-root";

// Most calls in one answer when parallel calls are allowed: the list then ends for sure.
inline constexpr int32_t kMaxParallelCalls = 8;

// GBNF whose root rule is kToolGrammarRoot: for Auto, calls or text that does not start with
// the format's call marker (`{"tool_calls"` for Generic, `{"name"` for Llama3Json,
// `<tool_call>` for Hermes), so a plain answer may still start with `{`; for Required, calls
// only (1 to kMaxParallelCalls when `parallel`, else one). Each call names one of `tools` and
// its arguments conform to that tool's parameters; no whitespace inside the JSON.
// Errors: the JSON Schema compiler's (Unsupported naming the keyword and its path inside
// "/$defs/fn-<i>" for tool i), InvalidArgument for an empty tool list.
Result<std::string> tool_call_gbnf(std::span<const ToolSpec> tools, ToolMode mode, ToolFormat format,
                                   bool parallel);

// One call as it streams: `name` is known once `started`; `arguments` grows.
struct ParsedCall {
  std::string name;
  std::string arguments;  // the raw JSON text of the arguments value, as generated
  bool complete = false;
};

// What feeding one piece of text produced.
struct ParseStep {
  std::string content;  // plain-text output (Text mode only)
  struct ArgsPiece {
    size_t index = 0;
    bool started = false;   // the call's name became known with this step
    std::string arguments;  // new argument text
  };
  std::vector<ArgsPiece> calls;
};

// Incremental parser of one generation. The start decides: output that starts with the
// format's call marker (see tool_call_gbnf) is calls, which the grammars above guarantee;
// any other output is plain text (held back while it is still a prefix of the marker).
class ToolCallParser {
 public:
  explicit ToolCallParser(ToolFormat format);
  ParseStep feed(std::string_view text);
  // At the end of the output: the text still held back (a proper prefix of the call marker),
  // now plain text; "" otherwise.
  std::string finish();
  enum class Mode { Undecided, Text, Calls };
  Mode mode() const { return mode_; }
  const std::vector<ParsedCall>& calls() const { return calls_; }
  // Calls mode, at least one call, every call complete, and the text well formed so far.
  bool calls_complete() const;
  const std::string& text() const { return all_; }

 private:
  struct Frame {
    bool object = false;
    bool want_key = false;  // inside an object, before a key
    std::string key;        // the current key (objects)
  };
  void step_char(char c, size_t pos, ParseStep& out);
  void step_json(char c, size_t pos, ParseStep& out);
  void begin_value(size_t pos, bool scalar);
  void close_value(size_t end, ParseStep& out);  // the value ended just before all_[end]
  void emit_capture(size_t end, ParseStep& out);
  bool at_call_level() const;

  ToolFormat format_;
  Mode mode_ = Mode::Undecided;
  std::string all_;
  std::vector<ParsedCall> calls_;
  // JSON scanner state
  std::vector<Frame> stack_;
  bool in_string_ = false;
  bool escape_ = false;
  std::string str_;           // the string being read
  bool str_is_key_ = false;
  int capture_depth_ = -1;    // stack depth at which the arguments value started, -1: none
  bool scalar_ = false;       // inside a number or literal
  size_t capture_from_ = 0;   // next position of all_ to emit as arguments
  // Hermes framing: outside a block, position in the opening or closing tag
  int hermes_state_ = 0;      // 0: expect "<tool_call>", 1: JSON, 2: expect "</tool_call>"
  size_t tag_pos_ = 0;
  bool broken_ = false;       // text that no grammar of ours produces
};

}  // namespace ondo::infer::tools
