// POST /v1/chat/completions and POST /v1/completions: parse and validate the body, build the
// prompt tokens (chat template or raw text / token ids), then run the generation.
// Layer: serve. Prompt building is text work on the HTTP thread; no model code runs here.
#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/serve/guardrail_gate.h"
#include "ondo/serve/routes/prompts.h"
#include "ondo/serve/routes/rag_chat.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

// `e` as an error of the request field `field`, its message unchanged.
Error of_field(Error e, const char* field) {
  e.field = field;
  return e;
}

void note_model(const ServedModel& m) {
  if (const auto& record = current_request()) record->context.model = m.alias;
}

// Logprob entries carry the generated tokens' bytes, which output guardrails could not redact.
Status check_output_guardrails(const PreparedRequest& p) {
  if (p.fields.n_logprobs < 0) return ok_status();
  for (const auto& policy : p.guardrails) {
    if (policy->has_stage(guardrails::Stage::Output)) {
      return field_error(ErrorCode::InvalidArgument, "logprobs",
                         "not available under output guardrails (policy '" + policy->policy().name + "')");
    }
  }
  return ok_status();
}

// The registry prompt the request renders (its record's prompt_ref "name@version", set by
// apply_chat_prompt), for the guardrail policies attached to that prompt; "" for none.
std::string registry_prompt_name() {
  const auto& record = current_request();
  if (!record) return "";
  const std::string& ref = record->prompt_ref;
  return ref.substr(0, ref.rfind('@'));
}

}  // namespace

Result<PreparedRequest> prepare_chat(ServerState& state, ChatRequest chat) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* model, lookup_generator(state, chat.gen.model));
  note_model(*model);
  if (!model->chat_template) {
    return field_error(ErrorCode::InvalidArgument, "model", "'" + model->alias + "' has no chat template");
  }
  ONDO_ASSIGN_OR_RETURN(guardrails::PolicySet policies,
                        request_policies(state, chat.gen.guardrails, registry_prompt_name()));
  ONDO_TRY(guard_chat_input(state, policies, *model->tokenizer, chat));
  auto prompt = infer::build_chat_prompt(*model->chat_template, *model->tokenizer, chat.messages, chat.tools, true);
  if (!prompt.ok()) return of_field(prompt.error(), "messages");
  PreparedRequest p;
  p.model = model;
  p.flavor = Flavor::Chat;
  p.request.prompt = std::move(prompt->tokens);
  p.guardrails = std::move(policies);
  ONDO_ASSIGN_OR_RETURN(auto tools, tool_grammar(state, *model, chat));
  p.fields = std::move(chat.gen);
  ONDO_ASSIGN_OR_RETURN(auto constraint, constraint_grammar(state, p.fields.constraint));
  p.tool_calling = tools != nullptr;
  if (!chat.tools.is_null()) {
    p.tools_key = {{"tools", chat.tools}, {"choice", int(chat.tool_choice)}, {"name", chat.tool_choice_name},
                   {"parallel", chat.parallel_tool_calls}};
  }
  p.request.grammar = p.tool_calling ? tools : constraint;
  if (p.tool_calling) p.fields.stop.clear();  // a stop string must not cut a call short
  ONDO_TRY(check_output_guardrails(p));
  ONDO_TRY(prepare_generation(p, "messages"));
  return p;
}

Result<PreparedRequest> prepare_completion(ServerState& state, CompletionRequest completion) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* model, lookup_generator(state, completion.gen.model));
  note_model(*model);
  ONDO_ASSIGN_OR_RETURN(guardrails::PolicySet policies, request_policies(state, completion.gen.guardrails));
  ONDO_TRY(guard_completion_input(state, policies, *model->tokenizer, completion));
  PreparedRequest p;
  p.model = model;
  p.flavor = Flavor::Completion;
  p.guardrails = std::move(policies);
  p.fields = std::move(completion.gen);
  if (completion.prompt_is_tokens) {
    p.request.prompt = std::move(completion.prompt_tokens);
  } else {
    // Raw text: BOS as the vocabulary wants it; control-token text stays plain text.
    text::EncodeOptions opts;
    opts.add_special = true;
    opts.parse_special = false;
    auto ids = model->tokenizer->encode(completion.prompt_text, opts);
    if (!ids.ok()) return of_field(ids.error(), "prompt");
    p.request.prompt = std::move(*ids);
  }
  p.more_prompts = std::move(completion.more_prompt_tokens);
  for (size_t i = 0; i < completion.more_prompt_texts.size(); ++i) {
    text::EncodeOptions opts;
    opts.add_special = true;
    opts.parse_special = false;
    auto ids = model->tokenizer->encode(completion.more_prompt_texts[i], opts);
    if (!ids.ok()) return of_field(ids.error(), ("prompt[" + std::to_string(i + 1) + "]").c_str());
    p.more_prompts.push_back(std::move(*ids));
  }
  ONDO_ASSIGN_OR_RETURN(p.request.grammar, constraint_grammar(state, p.fields.constraint));
  ONDO_TRY(check_output_guardrails(p));
  ONDO_TRY(prepare_generation(p, "prompt"));
  return p;
}

void handle_chat_completions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto with_prompt = apply_chat_prompt(state, req.body, res);  // the registry's `prompt` field
  if (!with_prompt.ok()) return send_error(res, with_prompt.error());
  const std::string_view body = *with_prompt ? std::string_view(**with_prompt) : std::string_view(req.body);
  auto parsed = parse_chat_request(body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto rag = parse_rag_field(body);  // the `rag` extension: cited answers from vector stores
  if (!rag.ok()) return send_error(res, rag.error());
  std::optional<std::vector<Citation>> cites;
  if (*rag) {
    auto found = add_rag_sources(state, **rag, parsed->messages, "messages");
    if (!found.ok()) return send_error(res, found.error());
    cites = std::move(found->cites);
  }
  auto p = prepare_chat(state, std::move(*parsed));
  if (!p.ok()) return send_error(res, p.error());
  if (!cites) return respond_generation(state, std::move(*p), res);
  auto wire = citing_wire(openai_wire(p->flavor, p->model->alias, p->fields), std::move(*cites));
  respond_generation(state, std::move(*p), res, std::move(wire));
}

void handle_completions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto parsed = parse_completion_request(req.body);
  if (!parsed.ok()) return send_error(res, parsed.error());
  auto p = prepare_completion(state, std::move(*parsed));
  if (!p.ok()) return send_error(res, p.error());
  respond_generation(state, std::move(*p), res);
}

}  // namespace ondo::serve
