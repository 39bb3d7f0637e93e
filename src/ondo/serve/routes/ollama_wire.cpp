// Ollama's wire format (routes/ollama.h): /api/generate and /api/chat bodies and their
// NDJSON streams, in the shapes of Ollama's API (docs/api.md of ollama/ollama; the ollama npm
// package 0.6.4's GenerateResponse and ChatResponse). Layer: serve. Renders what the
// generation runner (generate.cpp) emits; never runs model code.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "ondo/serve/error_map.h"
#include "ondo/serve/routes/ollama.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {

std::string ollama_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%09ldZ", date, long(ts.tv_nsec));
  return out;
}

namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

int64_t ns(double seconds) { return int64_t(std::max(0.0, seconds) * 1e9); }

std::string line(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

// A tool call as Ollama shows it: arguments as an object (the grammar made them JSON).
json ollama_call(const std::string& name, const std::string& arguments) {
  json args = json::parse(arguments, nullptr, false);
  if (args.is_discarded() || !args.is_object()) args = json::object();
  return {{"function", {{"name", name}, {"arguments", std::move(args)}}}};
}

class OllamaWire final : public WireFormat {
 public:
  OllamaWire(OllamaEndpoint endpoint, std::string model, Clock::time_point start)
      : endpoint_(endpoint), model_(std::move(model)), start_(start) {}

  void write_result(httplib::Response& res, const GenerationResult& r) override {
    json calls = json::array();
    for (const auto& c : r.calls) calls.push_back(ollama_call(c.name, c.arguments));
    json body = head(r.calls.empty() ? r.text : "", calls);
    finish(body, r.finish_reason, r.usage);
    res.status = 200;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }

  void write_error(httplib::Response& res, const Error& error) override { send_error(res, error, ErrorShape::Ollama); }

  std::string stream_content_type() const override { return "application/x-ndjson"; }
  std::string stream_begin() override { return ""; }
  // NDJSON has no comment line; a blank one would be an invalid object to Ollama's clients.
  std::string stream_keepalive() override { return ""; }

  std::string stream_text(const std::string& text, const std::vector<TokenEntry>&) override {
    if (text.empty()) return "";
    return line(head(text, json::array()));
  }

  std::string stream_tool_call(const ToolCallPiece& piece) override {
    if (piece.started) calls_[piece.index].first = piece.name;
    calls_[piece.index].second += piece.arguments;
    return "";
  }

  std::string stream_end(const std::string& finish_reason, const UsageCounts& usage) override {
    std::string out;
    if (!calls_.empty()) {
      json calls = json::array();
      for (const auto& [index, call] : calls_) calls.push_back(ollama_call(call.first, call.second));
      out += line(head("", calls));
    }
    json last = head("", json::array());
    finish(last, finish_reason, usage);
    return out + line(last);
  }

  std::string stream_error(const Error& error) override {
    return error_body(to_api_error(error), ErrorShape::Ollama) + "\n";
  }

 private:
  // {"model", "created_at", "response" | "message", "done": false}.
  json head(const std::string& text, const json& calls) const {
    json j = {{"model", model_}, {"created_at", ollama_now()}};
    if (endpoint_ == OllamaEndpoint::Generate) {
      j["response"] = text;
    } else {
      json msg = {{"role", "assistant"}, {"content", text}};
      if (!calls.empty()) msg["tool_calls"] = calls;
      j["message"] = std::move(msg);
    }
    j["done"] = false;
    return j;
  }

  // done, done_reason and the counts; durations in nanoseconds. The model is loaded before
  // the server is ready, so load_duration is 0; the prompt is evaluated from scheduling to the
  // first token, and the rest of the time since submission is generation.
  void finish(json& j, const std::string& finish_reason, const UsageCounts& u) const {
    j["done"] = true;
    j["done_reason"] = finish_reason == "length" ? "length" : "stop";  // tool calls end with "stop" in Ollama
    j["total_duration"] = ns(std::chrono::duration<double>(Clock::now() - start_).count());
    j["load_duration"] = 0;
    j["prompt_eval_count"] = u.prompt_tokens;
    j["prompt_eval_duration"] = ns(u.first_token_s - u.queue_s);
    j["eval_count"] = u.completion_tokens;
    j["eval_duration"] = ns(u.elapsed_s - u.first_token_s);
  }

  OllamaEndpoint endpoint_;
  std::string model_;
  Clock::time_point start_;
  std::map<int32_t, std::pair<std::string, std::string>> calls_;  // index -> name, arguments so far
};

}  // namespace

std::unique_ptr<WireFormat> ollama_wire(OllamaEndpoint endpoint, const std::string& model, Clock::time_point start) {
  return std::make_unique<OllamaWire>(endpoint, model, start);
}

}  // namespace ondo::serve
