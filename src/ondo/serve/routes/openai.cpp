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

// `e` as an error of the request field `field`, its message unchanged.
Error of_field(Error e, const char* field) {
  e.field = field;
  return e;
}

void note_model(const ServedModel& m) {
  if (const auto& record = current_request()) record->context.model = m.alias;
}

}  // namespace

void handle_chat_completions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_chat_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto model = lookup_generator(state, parsed->gen.model);
  if (!model.ok()) return send_error(res, model.error());
  note_model(**model);
  if (!(*model)->chat_template) {
    return send_error(res, field_error(ErrorCode::InvalidArgument, "model", "'" + (*model)->alias + "' has no chat template"));
  }
  auto prompt = infer::build_chat_prompt(*(*model)->chat_template, *(*model)->tokenizer, parsed->messages,
                                         parsed->tools, true);
  if (!prompt.ok()) return send_error(res, of_field(prompt.error(), "messages"));
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

void handle_completions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_completion_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto model = lookup_generator(state, parsed->gen.model);
  if (!model.ok()) return send_error(res, model.error());
  note_model(**model);
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
    if (!ids.ok()) return send_error(res, of_field(ids.error(), "prompt"));
    p.request.prompt = std::move(*ids);
  }
  auto constraint = constraint_grammar(state, p.fields.constraint);
  if (!constraint.ok()) return send_error(res, constraint.error());
  p.request.grammar = *constraint;
  if (auto st = prepare_generation(p, "prompt"); !st.ok()) return send_error(res, st.error());
  respond_generation(state, std::move(p), res);
}

}  // namespace ondo::serve
