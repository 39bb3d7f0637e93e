// The Responses API wire format (responses.h): the Response object and its event stream,
// in the shapes of OpenAI's Responses API (the openai npm package 6.x type definitions:
// Response, ResponseOutputMessage, ResponseFunctionToolCall, ResponseStreamEvent). Layer:
// serve. Renders what the generation runner (generate.cpp) emits; never runs model code.
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "ondo/serve/error_map.h"
#include "ondo/serve/routes/openai_json.h"
#include "ondo/serve/routes/responses.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string text_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// An output item's status after a generation that ended with `finish_reason`.
const char* item_status(const std::string& finish_reason) { return finish_reason == "length" ? "incomplete" : "completed"; }

json output_text_part(std::string text) {
  return {{"type", "output_text"}, {"text", std::move(text)}, {"annotations", json::array()}};
}

// The Response object of one request, built in this one place for the blocking body and for
// every event that carries it (a store would save object() once finished).
class ResponseObject {
 public:
  ResponseObject(std::string model, json echo)
      : id_(random_id("resp_")), created_at_(unix_now()), model_(std::move(model)), echo_(std::move(echo)) {}

  // A new assistant message item with one empty output_text part; returns its output index.
  size_t open_message() {
    output_.push_back({{"id", random_id("msg_")},
                       {"type", "message"},
                       {"status", "in_progress"},
                       {"role", "assistant"},
                       {"content", json::array({output_text_part("")})}});
    return output_.size() - 1;
  }
  // A new function_call item with empty arguments; returns its output index.
  size_t open_call(const std::string& call_id, const std::string& name) {
    output_.push_back({{"id", random_id("fc_")},
                       {"type", "function_call"},
                       {"status", "in_progress"},
                       {"arguments", ""},
                       {"call_id", call_id},
                       {"name", name}});
    return output_.size() - 1;
  }
  void append(size_t index, const std::string& piece) {
    json& item = output_[index];
    json& field = item["type"] == "message" ? item["content"][0]["text"] : item["arguments"];
    field = field.get<std::string>() + piece;
  }
  void close(size_t index, const char* status) { output_[index]["status"] = status; }
  // A new item given whole (the file_search_call); returns its output index.
  size_t add(json item) {
    output_.push_back(std::move(item));
    return output_.size() - 1;
  }
  json& mutable_item(size_t index) { return output_[index]; }
  // Whether the output holds a message or a function call (not only the search).
  bool answered() const {
    for (const auto& item : output_) {
      if (item["type"] == "message" || item["type"] == "function_call") return true;
    }
    return false;
  }
  const json& item(size_t index) const { return output_[index]; }
  bool empty() const { return output_.empty(); }
  bool incomplete() const { return status_ == "incomplete"; }

  void finish(const std::string& finish_reason, const UsageCounts& u) {
    status_ = finish_reason == "length" ? "incomplete" : "completed";
    if (status_ == "incomplete") incomplete_details_ = {{"reason", "max_output_tokens"}};
    else completed_at_ = unix_now();
    usage_ = {{"input_tokens", u.prompt_tokens},
              {"input_tokens_details", {{"cached_tokens", u.cached_tokens}}},
              {"output_tokens", u.completion_tokens},
              {"output_tokens_details", {{"reasoning_tokens", 0}}},
              {"total_tokens", u.prompt_tokens + u.completion_tokens}};
  }
  void fail(const ApiError& e) {
    status_ = "failed";
    error_ = {{"code", e.type == "rate_limit_error" ? "rate_limit_exceeded" : "server_error"}, {"message", e.message}};
  }

  // The Response object as of now.
  json object() const {
    json o = {{"id", id_},
              {"object", "response"},
              {"created_at", created_at_},
              {"status", status_},
              {"background", false},
              {"completed_at", completed_at_ ? json(*completed_at_) : json(nullptr)},
              {"error", error_},
              {"incomplete_details", incomplete_details_},
              {"model", model_},
              {"output", output_}};
    for (auto it = echo_.begin(); it != echo_.end(); ++it) o[it.key()] = *it;
    o["usage"] = usage_;
    return o;
  }

 private:
  std::string id_;
  int64_t created_at_;
  std::string model_;
  json echo_;
  json output_ = json::array();
  std::string status_ = "in_progress";
  std::optional<int64_t> completed_at_;
  json error_ = nullptr;
  json incomplete_details_ = nullptr;
  json usage_ = nullptr;
};

// The file_search_call item with `status`; results only when asked for.
json file_search_item(const std::string& id, const FileSearchOutput& fs, const char* status) {
  json item = {{"id", id}, {"type", "file_search_call"}, {"status", status}, {"queries", fs.queries}};
  if (std::string_view(status) != "completed") return item;
  if (!fs.include_results) {
    item["results"] = nullptr;
    return item;
  }
  json results = json::array();
  for (const Citation& c : fs.cites) {
    json attrs = json::parse(c.attributes, nullptr, false);
    results.push_back({{"attributes", attrs.is_object() ? attrs : json::object()},
                       {"file_id", c.file_id},
                       {"filename", c.filename},
                       {"score", c.score},
                       {"text", c.text}});
  }
  item["results"] = std::move(results);
  return item;
}

class ResponsesWire final : public WireFormat {
 public:
  ResponsesWire(std::string model, json echo, std::optional<FileSearchOutput> fs)
      : resp_(std::move(model), std::move(echo)), fs_(std::move(fs)) {}

  void write_result(httplib::Response& res, const GenerationResult& r) override {
    if (fs_) resp_.add(file_search_item(random_id("fs_"), *fs_, "completed"));
    for (const auto& call : r.calls) {
      const size_t i = resp_.open_call(new_call_id(), call.name);
      resp_.append(i, call.arguments);
      resp_.close(i, "completed");
    }
    if (r.calls.empty()) {
      const size_t i = resp_.open_message();
      resp_.append(i, r.text);
      if (fs_) resp_.mutable_item(i)["content"][0]["annotations"] = file_citation_annotations(r.text, fs_->cites);
      resp_.close(i, item_status(r.finish_reason));
    }
    resp_.finish(r.finish_reason, r.usage);
    res.status = 200;
    res.set_content(text_of(resp_.object()), "application/json");
  }

  std::string stream_begin() override {
    std::string out = emit("response.created", {{"response", resp_.object()}});
    out += emit("response.in_progress", {{"response", resp_.object()}});
    if (!fs_) return out;
    // The search ran before the stream began; its item and events come first.
    const std::string id = random_id("fs_");
    const size_t i = resp_.add(file_search_item(id, *fs_, "in_progress"));
    const json where = {{"output_index", i}, {"item_id", id}};
    out += emit("response.output_item.added", {{"output_index", i}, {"item", resp_.item(i)}});
    out += emit("response.file_search_call.in_progress", where);
    resp_.mutable_item(i)["status"] = "searching";
    out += emit("response.file_search_call.searching", where);
    resp_.mutable_item(i) = file_search_item(id, *fs_, "completed");
    out += emit("response.file_search_call.completed", where);
    return out + emit("response.output_item.done", {{"output_index", i}, {"item", resp_.item(i)}});
  }

  std::string stream_text(const std::string& text, const std::vector<TokenEntry>&) override {
    if (text.empty()) return "";
    std::string out;
    if (!open_ || !open_message_) {
      out += close_open("completed");
      out += open_message();
    }
    resp_.append(*open_, text);
    return out + emit("response.output_text.delta", {{"item_id", item_id(*open_)},
                                                     {"output_index", *open_},
                                                     {"content_index", 0},
                                                     {"delta", text},
                                                     {"logprobs", json::array()}});
  }

  std::string stream_tool_call(const ToolCallPiece& piece) override {
    std::string out;
    if (piece.started) {
      out += close_open("completed");
      open_ = resp_.open_call(piece.id, piece.name);
      open_message_ = false;
      calls_[piece.index] = *open_;
      out += emit("response.output_item.added", {{"output_index", *open_}, {"item", resp_.item(*open_)}});
    }
    const auto call = calls_.find(piece.index);
    if (piece.arguments.empty() || call == calls_.end()) return out;
    resp_.append(call->second, piece.arguments);
    return out + emit("response.function_call_arguments.delta",
                      {{"item_id", item_id(call->second)}, {"output_index", call->second}, {"delta", piece.arguments}});
  }

  std::string stream_end(const std::string& finish_reason, const UsageCounts& usage) override {
    std::string out;
    if (!resp_.answered()) out += open_message();  // an empty answer is still one message
    out += close_open(item_status(finish_reason));
    resp_.finish(finish_reason, usage);
    return out + emit(resp_.incomplete() ? "response.incomplete" : "response.completed", {{"response", resp_.object()}});
  }

  std::string stream_error(const Error& error) override {
    const ApiError e = to_api_error(error);
    std::string out = emit("error", {{"code", e.code.empty() ? json(e.type) : json(e.code)},
                                     {"message", e.message},
                                     {"param", e.param.empty() ? json(nullptr) : json(e.param)}});
    resp_.fail(e);
    return out + emit("response.failed", {{"response", resp_.object()}});
  }

 private:
  // One event: "event: <type>" and data {"type", "sequence_number", ...fields}.
  std::string emit(const char* type, const json& fields) {
    json data = {{"type", type}, {"sequence_number", seq_++}};
    for (auto it = fields.begin(); it != fields.end(); ++it) data[it.key()] = *it;
    return std::string("event: ") + type + "\ndata: " + text_of(data) + "\n\n";
  }

  std::string item_id(size_t index) const { return resp_.item(index)["id"].get<std::string>(); }

  // Opens a message item with its output_text part.
  std::string open_message() {
    open_ = resp_.open_message();
    open_message_ = true;
    json added = resp_.item(*open_);
    added["content"] = json::array();  // the part follows in its own event
    std::string out = emit("response.output_item.added", {{"output_index", *open_}, {"item", added}});
    return out + emit("response.content_part.added", {{"item_id", item_id(*open_)},
                                                {"output_index", *open_},
                                                {"content_index", 0},
                                                {"part", output_text_part("")}});
  }

  // Closes the item being streamed (if any) with `status`: its done events.
  std::string close_open(const char* status) {
    if (!open_) return "";
    const size_t i = *open_;
    open_.reset();
    std::string out;
    resp_.close(i, status);
    if (open_message_ && fs_) {
      json& part = resp_.mutable_item(i)["content"][0];
      const json annotations = file_citation_annotations(part["text"].get<std::string>(), fs_->cites);
      for (size_t a = 0; a < annotations.size(); ++a) {
        part["annotations"].push_back(annotations[a]);
        out += emit("response.output_text.annotation.added", {{"item_id", item_id(i)},
                                                              {"output_index", i},
                                                              {"content_index", 0},
                                                              {"annotation_index", a},
                                                              {"annotation", annotations[a]}});
      }
    }
    const json& item = resp_.item(i);
    if (open_message_) {
      const json& part = item["content"][0];
      const json where = {{"item_id", item_id(i)}, {"output_index", i}, {"content_index", 0}};
      json done = where;
      done["text"] = part["text"];
      done["logprobs"] = json::array();
      out += emit("response.output_text.done", done);
      json part_done = where;
      part_done["part"] = part;
      out += emit("response.content_part.done", part_done);
    } else {
      out += emit("response.function_call_arguments.done",
                  {{"item_id", item_id(i)}, {"output_index", i}, {"name", item["name"]}, {"arguments", item["arguments"]}});
    }
    return out + emit("response.output_item.done", {{"output_index", i}, {"item", item}});
  }

  ResponseObject resp_;
  std::optional<FileSearchOutput> fs_;
  int64_t seq_ = 0;
  std::optional<size_t> open_;              // the output index of the item being streamed
  bool open_message_ = false;               // whether that item is a message (else a function call)
  std::map<int32_t, size_t> calls_;         // tool call index -> output index
};

}  // namespace

std::unique_ptr<WireFormat> responses_wire(const std::string& model, const nlohmann::ordered_json& echo,
                                           std::optional<FileSearchOutput> file_search) {
  return std::make_unique<ResponsesWire>(model, echo, std::move(file_search));
}

nlohmann::ordered_json file_citation_annotations(const std::string& text, const std::vector<Citation>& cites) {
  std::vector<std::string> files;  // distinct file ids, first cited first
  std::map<std::string, size_t> at;  // file id -> its index in the text
  std::map<std::string, std::string> names;
  for (const Citation& c : cites) {
    if (!names.count(c.file_id)) {
      files.push_back(c.file_id);
      names[c.file_id] = c.filename;
      at[c.file_id] = text.size();
    }
    const size_t pos = text.find("[" + std::to_string(c.index) + "]");
    if (pos != std::string::npos) at[c.file_id] = std::min(at[c.file_id], pos);
  }
  json out = json::array();
  for (const auto& id : files) {
    out.push_back({{"type", "file_citation"}, {"file_id", id}, {"filename", names[id]}, {"index", at[id]}});
  }
  return out;
}

}  // namespace ondo::serve
