// POST /v1/chat/completions and POST /v1/completions: parse and validate the body, build the
// prompt tokens (chat template or raw text / token ids), then run the generation.
// Layer: serve. Prompt building is text work on the HTTP thread; no model code runs here.
#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

// Counts the request as in flight until the handler returns (streams count on their own).
class InFlight {
 public:
  explicit InFlight(ServerState& s) : s_(s) { s_.enter(); }
  ~InFlight() { s_.leave(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  ServerState& s_;
};

void chat_completions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_chat_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto model = lookup_model(state, parsed->gen.model);
  if (!model.ok()) return send_error(res, model.error(), model.error().code == ErrorCode::NotFound ? "model" : "");
  current_request_log().model = (*model)->alias;
  auto prompt = infer::build_chat_prompt(*(*model)->chat_template, *(*model)->tokenizer, parsed->messages,
                                         parsed->tools, true);
  if (!prompt.ok()) return send_error(res, prompt.error(), "messages");
  PreparedRequest p;
  p.model = *model;
  p.flavor = Flavor::Chat;
  p.fields = std::move(parsed->gen);
  p.request.prompt = std::move(prompt->tokens);
  auto tools = tool_grammar(state, **model, *parsed);
  if (!tools.ok()) return send_error(res, tools.error());
  auto constraint = constraint_grammar(state, p.fields.constraint);
  if (!constraint.ok()) return send_error(res, constraint.error());
  p.tool_calling = *tools != nullptr;
  p.request.grammar = p.tool_calling ? *tools : *constraint;
  if (p.tool_calling) p.fields.stop.clear();  // a stop string must not cut a call short
  if (auto st = prepare_generation(p, "messages"); !st.ok()) return send_error(res, st.error());
  respond_generation(state, std::move(p), res);
}

void completions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_completion_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto model = lookup_model(state, parsed->gen.model);
  if (!model.ok()) return send_error(res, model.error(), model.error().code == ErrorCode::NotFound ? "model" : "");
  current_request_log().model = (*model)->alias;
  PreparedRequest p;
  p.model = *model;
  p.flavor = Flavor::Completion;
  p.fields = std::move(parsed->gen);
  if (parsed->prompt_is_tokens) {
    p.request.prompt = std::move(parsed->prompt_tokens);
  } else {
    // Raw text: BOS as the vocabulary wants it; control-token text stays plain text.
    text::EncodeOptions opts;
    opts.add_special = true;
    opts.parse_special = false;
    auto ids = (*model)->tokenizer->encode(parsed->prompt_text, opts);
    if (!ids.ok()) return send_error(res, ids.error(), "prompt");
    p.request.prompt = std::move(*ids);
  }
  auto constraint = constraint_grammar(state, p.fields.constraint);
  if (!constraint.ok()) return send_error(res, constraint.error());
  p.request.grammar = *constraint;
  if (auto st = prepare_generation(p, "prompt"); !st.ok()) return send_error(res, st.error());
  respond_generation(state, std::move(p), res);
}

}  // namespace

void register_openai_routes(httplib::Server& http, ServerState& state) {
  http.Post("/v1/chat/completions",
            [&state](const httplib::Request& req, httplib::Response& res) { chat_completions(state, req, res); });
  http.Post("/v1/completions",
            [&state](const httplib::Request& req, httplib::Response& res) { completions(state, req, res); });
}

}  // namespace ondo::serve
