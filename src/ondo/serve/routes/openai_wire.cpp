// OpenAI's wire format for /v1/chat/completions and /v1/completions: the chat.completion and
// text_completion bodies, and their chunk streams ending in "data: [DONE]". Layer: serve.
#include <map>
#include <set>

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

  std::string stream_tool_call(const ToolCallPiece& piece) override { return sse_event(tool_piece_chunk(piece)); }

  std::string stream_end(const std::string& finish_reason, const UsageCounts& counts) override {
    std::string out = sse_event(stream_chunk(ids_, "", false, finish_reason, nullptr, include_usage_));
    if (include_usage_) out += sse_event(usage_chunk(ids_, usage(counts)));
    return out + sse_done();
  }

  bool multi_choice() const override { return true; }

  void write_results(httplib::Response& res, const std::vector<GenerationResult>& results,
                     const UsageCounts& counts) override {
    json body;
    for (size_t i = 0; i < results.size(); ++i) {
      const GenerationResult& r = results[i];
      const json lp = logprobs_ ? logprobs_json(ids_.flavor, r.tokens, 0) : json(nullptr);
      const json calls = r.calls.empty() ? json(nullptr) : tool_calls_json(r.calls, {});
      json one = full_response(ids_, r.text, r.finish_reason, lp, usage(counts), calls);
      if (i == 0) {
        body = std::move(one);
        continue;
      }
      json choice = std::move(one["choices"][0]);
      choice["index"] = i;
      body["choices"].push_back(std::move(choice));
    }
    send_json(res, 200, body);
  }

  std::string stream_choice_text(int32_t choice, const std::string& text, const std::vector<TokenEntry>& tokens) override {
    size_t& offset = offset_of(choice);
    const json lp = logprobs_ && !tokens.empty() ? logprobs_json(ids_.flavor, tokens, offset) : json(nullptr);
    offset += text.size();
    return begin_choice(choice) + indexed(stream_chunk(ids_, text, false, std::nullopt, lp, include_usage_), choice);
  }

  std::string stream_choice_tool_call(int32_t choice, const ToolCallPiece& piece) override {
    return begin_choice(choice) + indexed(tool_piece_chunk(piece), choice);
  }

  std::string stream_choice_end(int32_t choice, const std::string& finish_reason) override {
    return begin_choice(choice) + indexed(stream_chunk(ids_, "", false, finish_reason, nullptr, include_usage_), choice);
  }

  std::string stream_choices_end(const UsageCounts& counts) override {
    std::string out;
    if (include_usage_) out += sse_event(usage_chunk(ids_, usage(counts)));
    return out + sse_done();
  }

  std::string stream_error(const Error& error) override {
    return sse_event(json::parse(error_body(to_api_error(error)))) + sse_done();
  }

 private:
  // The chunk `j` as an event of choice `choice`.
  static std::string indexed(json j, int32_t choice) {
    j["choices"][0]["index"] = choice;
    return sse_event(j);
  }
  json tool_piece_chunk(const ToolCallPiece& piece) const {
    json call = {{"index", piece.index}, {"function", {{"arguments", piece.arguments}}}};
    if (piece.started) {
      call["id"] = piece.id;
      call["type"] = "function";
      call["function"]["name"] = piece.name;
    }
    return tool_call_chunk(ids_, json::array({call}), include_usage_);
  }
  // Chat: the first chunk of each choice but the first (sent by stream_begin) carries the role.
  std::string begin_choice(int32_t choice) {
    if (ids_.flavor != Flavor::Chat || choice == 0 || begun_.count(choice)) return "";
    begun_.insert(choice);
    return indexed(stream_chunk(ids_, "", true, std::nullopt, nullptr, include_usage_), choice);
  }
  size_t& offset_of(int32_t choice) { return choice == 0 ? text_offset_ : offsets_[choice]; }

  static json usage(const UsageCounts& u) { return usage_json(u.prompt_tokens, u.completion_tokens, u.cached_tokens); }

  ResponseIds ids_;
  bool include_usage_;
  bool logprobs_;
  size_t text_offset_ = 0;  // completions' logprobs count text offsets from the stream's start
  std::map<int32_t, size_t> offsets_;  // the same for choices 1..
  std::set<int32_t> begun_;            // chat choices 1.. whose role chunk was sent
};

}  // namespace

std::unique_ptr<WireFormat> openai_wire(Flavor flavor, const std::string& model, const GenerationFields& fields) {
  return std::make_unique<OpenAiWire>(flavor, model, fields);
}

}  // namespace ondo::serve
