// OpenAI's wire format for /v1/chat/completions and /v1/completions: the chat.completion and
// text_completion bodies, and their chunk streams ending in "data: [DONE]". Layer: serve.
#include "ondo/serve/api_types.h"
#include "ondo/serve/error_map.h"
#include "ondo/serve/routes/openai_json.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/routes/wire.h"
#include "ondo/serve/sse.h"

namespace ondo::serve {

void WireFormat::write_error(httplib::Response& res, const Error& error) { send_error(res, error); }

std::string WireFormat::stream_keepalive() { return sse_comment(); }

namespace {

using nlohmann::json;

class OpenAiWire final : public WireFormat {
 public:
  OpenAiWire(Flavor flavor, const std::string& model, const GenerationFields& f)
      : ids_(new_response_ids(flavor, model)), include_usage_(f.include_usage), logprobs_(f.n_logprobs >= 0) {}

  void write_result(httplib::Response& res, const GenerationResult& r) override {
    const json lp = logprobs_ ? logprobs_json(ids_.flavor, r.tokens, 0) : json(nullptr);
    const json calls = r.calls.empty() ? json(nullptr) : tool_calls_json(r.calls, {});
    send_json(res, 200, full_response(ids_, r.text, r.finish_reason, lp, usage(r.usage), calls));
  }

  std::string stream_begin() override {
    if (ids_.flavor != Flavor::Chat) return "";
    return sse_event(stream_chunk(ids_, "", true, std::nullopt, nullptr, include_usage_));
  }

  std::string stream_text(const std::string& text, const std::vector<TokenEntry>& tokens) override {
    const json lp = logprobs_ && !tokens.empty() ? logprobs_json(ids_.flavor, tokens, text_offset_) : json(nullptr);
    text_offset_ += text.size();
    return sse_event(stream_chunk(ids_, text, false, std::nullopt, lp, include_usage_));
  }

  std::string stream_tool_call(const ToolCallPiece& piece) override {
    json call = {{"index", piece.index}, {"function", {{"arguments", piece.arguments}}}};
    if (piece.started) {
      call["id"] = piece.id;
      call["type"] = "function";
      call["function"]["name"] = piece.name;
    }
    return sse_event(tool_call_chunk(ids_, json::array({call}), include_usage_));
  }

  std::string stream_end(const std::string& finish_reason, const UsageCounts& counts) override {
    std::string out = sse_event(stream_chunk(ids_, "", false, finish_reason, nullptr, include_usage_));
    if (include_usage_) out += sse_event(usage_chunk(ids_, usage(counts)));
    return out + sse_done();
  }

  std::string stream_error(const Error& error) override {
    return sse_event(json::parse(error_body(to_api_error(error)))) + sse_done();
  }

 private:
  static json usage(const UsageCounts& u) { return usage_json(u.prompt_tokens, u.completion_tokens, u.cached_tokens); }

  ResponseIds ids_;
  bool include_usage_;
  bool logprobs_;
  size_t text_offset_ = 0;  // completions' logprobs count text offsets from the stream's start
};

}  // namespace

std::unique_ptr<WireFormat> openai_wire(Flavor flavor, const std::string& model, const GenerationFields& fields) {
  return std::make_unique<OpenAiWire>(flavor, model, fields);
}

}  // namespace ondo::serve
