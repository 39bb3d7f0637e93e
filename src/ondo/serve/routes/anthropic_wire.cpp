// The Anthropic Messages wire format (anthropic.h): the Message object and its event stream,
// in the shapes of the Anthropic Messages API (the @anthropic-ai/sdk 1.x type definitions:
// Message, TextBlock, ToolUseBlock, Usage, RawMessageStreamEvent). Layer: serve. Renders what
// the generation runner (generate.cpp) emits; never runs model code.
#include <map>
#include <optional>

#include "ondo/serve/error_map.h"
#include "ondo/serve/routes/anthropic.h"
#include "ondo/serve/routes/openai_json.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;

std::string text_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A tool call's arguments as the tool_use block's input: the JSON object generated (the tool
// grammar makes it one); text that is not one is passed on as it is.
json tool_input(const std::string& arguments) {
  json v = json::parse(arguments, nullptr, false);
  if (v.is_discarded() || !v.is_object()) return arguments;
  return v;
}

// Anthropic's usage: input_tokens counts the prompt tokens not read from the prefix cache.
json usage_json(const UsageCounts& u) {
  return {{"input_tokens", u.prompt_tokens - u.cached_tokens},
          {"cache_creation_input_tokens", 0},
          {"cache_read_input_tokens", u.cached_tokens},
          {"output_tokens", u.completion_tokens}};
}

class AnthropicWire final : public WireFormat {
 public:
  AnthropicWire(std::string model, int32_t n_prompt) : id_(random_id("msg_")), model_(std::move(model)), n_prompt_(n_prompt) {}

  void write_result(httplib::Response& res, const GenerationResult& r) override {
    json content = json::array();
    if (r.calls.empty() && !r.text.empty()) content.push_back({{"type", "text"}, {"text", r.text}});
    for (const auto& call : r.calls) {
      content.push_back({{"type", "tool_use"}, {"id", random_id("toolu_")}, {"name", call.name}, {"input", tool_input(call.arguments)}});
    }
    json m = message(std::move(content), stop_reason(r.finish_reason), usage_json(r.usage));
    res.status = 200;
    res.set_content(text_of(m), "application/json");
  }

  void write_error(httplib::Response& res, const Error& error) override { send_error(res, error, ErrorShape::Anthropic); }

  void set_stop_sequence(const std::string& stop) override { stop_sequence_ = stop; }

  std::string stream_begin() override {
    const UsageCounts start{n_prompt_, 0, 0};
    std::string out = emit("message_start", {{"message", message(json::array(), nullptr, usage_json(start))}});
    return out + emit("ping", json::object());
  }

  std::string stream_text(const std::string& text, const std::vector<TokenEntry>&) override {
    if (text.empty()) return "";
    std::string out;
    if (!open_ || !open_text_) {
      out += close_open();
      out += open_block({{"type", "text"}, {"text", ""}}, true);
    }
    return out + emit("content_block_delta", {{"index", *open_}, {"delta", {{"type", "text_delta"}, {"text", text}}}});
  }

  std::string stream_tool_call(const ToolCallPiece& piece) override {
    std::string out;
    if (piece.started) {
      out += close_open();
      out += open_block({{"type", "tool_use"}, {"id", random_id("toolu_")}, {"name", piece.name}, {"input", json::object()}}, false);
      calls_[piece.index] = *open_;
    }
    const auto call = calls_.find(piece.index);
    if (piece.arguments.empty() || call == calls_.end()) return out;
    return out + emit("content_block_delta",
                      {{"index", call->second}, {"delta", {{"type", "input_json_delta"}, {"partial_json", piece.arguments}}}});
  }

  std::string stream_end(const std::string& finish_reason, const UsageCounts& usage) override {
    std::string out = close_open();
    const json reason = stop_reason(finish_reason);
    out += emit("message_delta", {{"delta", {{"stop_reason", reason}, {"stop_sequence", stop_sequence_json(reason)}}},
                                  {"usage", usage_json(usage)}});
    return out + emit("message_stop", json::object());
  }

  std::string stream_error(const Error& error) override {
    return "event: error\ndata: " + error_body(to_api_error(error), ErrorShape::Anthropic) + "\n\n";
  }

  // Anthropic's own keep-alive: a ping event.
  std::string stream_keepalive() override { return emit("ping", json::object()); }

 private:
  // "end_turn", "max_tokens", "stop_sequence" or "tool_use" for the runner's finish reason.
  json stop_reason(const std::string& finish_reason) const {
    if (finish_reason == "length") return "max_tokens";
    if (finish_reason == "tool_calls") return "tool_use";
    return stop_sequence_.empty() ? "end_turn" : "stop_sequence";
  }
  json stop_sequence_json(const json& reason) const { return reason == "stop_sequence" ? json(stop_sequence_) : json(nullptr); }

  json message(json content, const json& reason, json usage) const {
    return {{"id", id_},
            {"type", "message"},
            {"role", "assistant"},
            {"model", model_},
            {"content", std::move(content)},
            {"stop_reason", reason},
            {"stop_sequence", reason.is_null() ? json(nullptr) : stop_sequence_json(reason)},
            {"usage", std::move(usage)}};
  }

  // One event: "event: <type>" and data {"type", ...fields}.
  static std::string emit(const char* type, const json& fields) {
    json data = {{"type", type}};
    for (auto it = fields.begin(); it != fields.end(); ++it) data[it.key()] = *it;
    return std::string("event: ") + type + "\ndata: " + text_of(data) + "\n\n";
  }

  std::string open_block(json block, bool text) {
    open_ = next_index_++;
    open_text_ = text;
    return emit("content_block_start", {{"index", *open_}, {"content_block", std::move(block)}});
  }

  std::string close_open() {
    if (!open_) return "";
    const int32_t i = *open_;
    open_.reset();
    return emit("content_block_stop", {{"index", i}});
  }

  std::string id_;
  std::string model_;
  int32_t n_prompt_;
  std::string stop_sequence_;
  int32_t next_index_ = 0;
  std::optional<int32_t> open_;      // the index of the content block being streamed
  bool open_text_ = false;           // whether that block is text (else tool_use)
  std::map<int32_t, int32_t> calls_;  // tool call index -> content block index
};

}  // namespace

std::unique_ptr<WireFormat> anthropic_wire(const std::string& model, int32_t n_prompt) {
  return std::make_unique<AnthropicWire>(model, n_prompt);
}

}  // namespace ondo::serve
