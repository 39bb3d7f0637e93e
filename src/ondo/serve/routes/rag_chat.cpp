// Cited answers on /v1/chat/completions: the `rag` field, retrieval over vector stores, the
// sources message and the citing wire. Layer: serve.
#include "ondo/serve/routes/rag_chat.h"

#include <algorithm>
#include <map>
#include <set>

#include "ondo/rag/filter.h"
#include "ondo/serve/collections.h"
#include "ondo/serve/json_limits.h"
#include "ondo/serve/prompt_registry.h"
#include "ondo/serve/routes/collections.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {

Result<Collections*> collections_of(ServerState& state);  // files.cpp

namespace {

using ojson = nlohmann::ordered_json;
constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
constexpr size_t kMaxStores = 16;

class CitingWire final : public WireFormat {
 public:
  CitingWire(std::unique_ptr<WireFormat> inner, std::vector<Citation> cites)
      : inner_(std::move(inner)), cites_(citations_json(cites)) {}

  void write_result(httplib::Response& res, const GenerationResult& r) override {
    inner_->write_result(res, r);
    add_to_body(res);
  }
  void write_results(httplib::Response& res, const std::vector<GenerationResult>& results,
                     const UsageCounts& usage) override {
    inner_->write_results(res, results, usage);
    add_to_body(res);
  }
  void write_error(httplib::Response& res, const Error& error) override { inner_->write_error(res, error); }
  std::string stream_content_type() const override { return inner_->stream_content_type(); }
  // The first chunk (the assistant role) carries the citations; with n > 1, so does the first
  // chunk of every other choice.
  std::string stream_begin() override { return cited(inner_->stream_begin()); }
  std::string stream_text(const std::string& text, const std::vector<TokenEntry>& tokens) override {
    return inner_->stream_text(text, tokens);
  }
  std::string stream_tool_call(const ToolCallPiece& piece) override { return inner_->stream_tool_call(piece); }
  std::string stream_end(const std::string& finish_reason, const UsageCounts& usage) override {
    return inner_->stream_end(finish_reason, usage);
  }
  std::string stream_error(const Error& error) override { return inner_->stream_error(error); }
  std::string stream_keepalive() override { return inner_->stream_keepalive(); }
  void set_stop_sequence(const std::string& stop) override { inner_->set_stop_sequence(stop); }
  bool multi_choice() const override { return inner_->multi_choice(); }
  std::string stream_choice_text(int32_t choice, const std::string& text, const std::vector<TokenEntry>& tokens) override {
    return first_of(choice, inner_->stream_choice_text(choice, text, tokens));
  }
  std::string stream_choice_tool_call(int32_t choice, const ToolCallPiece& piece) override {
    return first_of(choice, inner_->stream_choice_tool_call(choice, piece));
  }
  std::string stream_choice_end(int32_t choice, const std::string& finish_reason) override {
    return first_of(choice, inner_->stream_choice_end(choice, finish_reason));
  }
  std::string stream_choices_end(const UsageCounts& usage) override { return inner_->stream_choices_end(usage); }

 private:
  // `events` with the citations added to its first "data: " chunk.
  std::string cited(const std::string& events) const {
    constexpr std::string_view kData = "data: ";
    if (events.rfind(kData, 0) != 0) return events;
    const size_t end = events.find("\n\n");
    ojson chunk = ojson::parse(events.substr(kData.size(), end - kData.size()), nullptr, false);
    if (!chunk.is_object()) return events;
    chunk["citations"] = cites_;
    return "data: " + chunk.dump() + "\n\n" + (end == std::string::npos ? "" : events.substr(end + 2));
  }
  // The events of choice `choice` (> 0), cited when they are its first.
  std::string first_of(int32_t choice, const std::string& events) {
    if (choice == 0 || events.empty() || cited_.count(choice)) return events;
    cited_.insert(choice);
    return cited(events);
  }

  void add_to_body(httplib::Response& res) const {
    if (res.status != 200) return;
    ojson body = ojson::parse(res.body, nullptr, false);
    if (!body.is_object()) return;
    body["citations"] = cites_;
    res.set_content(body.dump(), "application/json");
  }

  std::unique_ptr<WireFormat> inner_;
  ojson cites_;
  std::set<int32_t> cited_;  // choices 1.. whose first chunk carried the citations
};

}  // namespace

Result<RagRequest> parse_rag_object(const ojson& r, const std::string& field, bool tool) {
  if (!r.is_object()) return field_error(kBad, field, "expected an object");
  for (const auto& [k, v] : r.items()) {
    if (k != "vector_store_ids" && k != "max_num_results" && k != "filters" && k != "ranking_options" && !(tool && k == "type")) {
      return field_error(kBad, field + "." + k.substr(0, 64),
                         "unknown field (expected vector_store_ids, max_num_results, filters or ranking_options)");
    }
  }
  RagRequest out;
  out.field = field;
  if (!r.contains("vector_store_ids")) return field_error(kBad, field + ".vector_store_ids", "missing");
  const ojson& ids = r["vector_store_ids"];
  if (!ids.is_array() || ids.empty() || ids.size() > kMaxStores) {
    return field_error(kBad, field + ".vector_store_ids", "expected an array of 1 to 16 vector store ids");
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string path = field + ".vector_store_ids[" + std::to_string(i) + "]";
    if (!ids[i].is_string()) return field_error(kBad, path, "expected a string");
    out.vector_store_ids.push_back(ids[i].get<std::string>());
  }
  if (r.contains("max_num_results") && !r["max_num_results"].is_null()) {
    ONDO_ASSIGN_OR_RETURN(int64_t n, json_to_int(r["max_num_results"], 1, 50, field + ".max_num_results"));
    out.max_num_results = int32_t(n);
  }
  if (r.contains("filters") && !r["filters"].is_null()) {
    out.filters = nlohmann::json::parse(r["filters"].dump());
    ONDO_TRY(rag::parse_filter(*out.filters, field + ".filters"));  // a bad filter fails before any search
  }
  if (r.contains("ranking_options") && !r["ranking_options"].is_null()) {
    ONDO_TRY(parse_ranking_options(r["ranking_options"], field + ".ranking_options", out.ranker, out.score_threshold, out.hybrid));
    if (out.hybrid && (out.ranker == "none" || out.ranker == "dense" || out.ranker == "lexical")) {
      return field_error(kBad, field + ".ranking_options.hybrid", "weights need ranker auto, default-2024-11-15 or hybrid");
    }
  }
  return out;
}

Result<std::optional<RagRequest>> parse_rag_field(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(ojson j, parse_request_json(body, "", budget));
  if (!j.is_object() || !j.contains("rag") || j["rag"].is_null()) return std::optional<RagRequest>();
  ONDO_ASSIGN_OR_RETURN(RagRequest r, parse_rag_object(j["rag"], "rag", false));
  return std::optional<RagRequest>(std::move(r));
}

Result<std::vector<Citation>> retrieve_citations(ServerState& state, const RagRequest& req, const std::string& query) {
  ONDO_ASSIGN_OR_RETURN(Collections * c, collections_of(state));
  std::vector<store::VectorStoreRecord> stores;
  for (size_t i = 0; i < req.vector_store_ids.size(); ++i) {
    const std::string& id = req.vector_store_ids[i];
    ONDO_ASSIGN_OR_RETURN(auto v, c->store().find_vector_store(id));
    if (!v) {
      return field_error(ErrorCode::NotFound, req.field + ".vector_store_ids[" + std::to_string(i) + "]",
                         "no vector store '" + id.substr(0, 200) + "'");
    }
    stores.push_back(std::move(*v));
  }
  SearchRequest search;  // the same query the search route would run
  search.queries = {query};
  search.max_num_results = req.max_num_results;
  search.filters = req.filters;
  search.ranker = req.ranker;
  search.score_threshold = req.score_threshold;
  search.hybrid = req.hybrid;
  std::vector<rag::CollectionHit> hits;
  for (const auto& v : stores) {
    ONDO_ASSIGN_OR_RETURN(rag::CollectionQuery q, search_query(*c, v, search, req.field));
    ONDO_ASSIGN_OR_RETURN(rag::CollectionResult found, c->indexes().search(v, q));
    for (auto& h : found.hits) hits.push_back(std::move(h));
  }
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  if (hits.size() > size_t(req.max_num_results)) hits.resize(size_t(req.max_num_results));
  std::map<std::string, std::string> names;
  std::vector<Citation> out;
  for (const auto& h : hits) {
    if (!names.count(h.chunk.file_id)) {
      auto f = c->store().find_file(h.chunk.file_id);
      names[h.chunk.file_id] = f.ok() && *f ? (*f)->filename : "";
    }
    Citation ci;
    ci.index = int32_t(out.size()) + 1;
    ci.file_id = h.chunk.file_id;
    ci.filename = names[h.chunk.file_id];
    ci.chunk = h.chunk.id;
    ci.score = h.score;
    ci.text = h.chunk.text;
    ci.attributes = h.chunk.attributes.empty() ? "{}" : h.chunk.attributes;
    out.push_back(std::move(ci));
  }
  return out;
}

std::string rag_query(const ojson& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->value("role", "") == "user" && (*it)["content"].is_string()) {
      const std::string text = (*it)["content"].get<std::string>();
      if (text.find_first_not_of(" \t\r\n") != std::string::npos) return text;
    }
  }
  return "";
}

Result<RagSources> add_rag_sources(ServerState& state, const RagRequest& rag, ojson& messages, const std::string& query_field) {
  RagSources out;
  out.query = rag_query(messages);
  if (out.query.empty()) {
    return field_error(ErrorCode::InvalidArgument, query_field, rag.field + " needs a user message with text to search with");
  }
  ONDO_ASSIGN_OR_RETURN(out.cites, retrieve_citations(state, rag, out.query));
  ONDO_ASSIGN_OR_RETURN(const std::string sources, rag_system_text(state, out.cites, out.query));
  if (!messages.empty() && messages[0].value("role", "") == "system" && messages[0]["content"].is_string()) {
    messages[0]["content"] = messages[0]["content"].get<std::string>() + "\n\n" + sources;
  } else {
    messages.insert(messages.begin(), ojson{{"role", "system"}, {"content", sources}});
  }
  return out;
}

std::string sources_block(const std::vector<Citation>& cites) {
  if (cites.empty()) return "(no source matched the question)\n";
  std::string s;
  for (const auto& ci : cites) s += "[" + std::to_string(ci.index) + "] " + ci.filename + ":\n" + ci.text + "\n\n";
  return s;
}

std::string sources_message(const std::vector<Citation>& cites) {
  return "Answer from these sources. Cite a source by its number in brackets, like [1]. "
         "If the sources do not hold the answer, say so.\n\n" + sources_block(cites);
}

Result<std::string> rag_system_text(ServerState& state, const std::vector<Citation>& cites, const std::string& question) {
  ONDO_ASSIGN_OR_RETURN(Collections * c, collections_of(state));
  ONDO_ASSIGN_OR_RETURN(auto prompt, c->store().find_prompt(kRagPrompt));
  if (!prompt || prompt->latest_version == 0) return sources_message(cites);
  ONDO_ASSIGN_OR_RETURN(auto v, c->store().find_prompt_version(kRagPrompt, prompt->latest_version));
  if (!v) return sources_message(cites);
  ojson vars = ojson::object();
  for (const auto& var : v->variables) {
    if (var.name == "sources") vars["sources"] = sources_block(cites);
    if (var.name == "question") vars["question"] = question;
  }
  ONDO_ASSIGN_OR_RETURN(auto rendered, render_prompt(*v, vars, kRagPrompt));
  std::string text;
  for (const auto& m : rendered) text += (text.empty() ? "" : "\n\n") + m.content;
  return text;
}

nlohmann::ordered_json citations_json(const std::vector<Citation>& cites) {
  ojson a = ojson::array();
  for (const auto& ci : cites) {
    a.push_back({{"index", ci.index}, {"file_id", ci.file_id}, {"filename", ci.filename},
                 {"chunk", ci.chunk}, {"score", ci.score}, {"text", ci.text}});
  }
  return a;
}

std::unique_ptr<WireFormat> citing_wire(std::unique_ptr<WireFormat> inner, std::vector<Citation> cites) {
  return std::make_unique<CitingWire>(std::move(inner), std::move(cites));
}

}  // namespace ondo::serve
