// POST /v1/messages: the Anthropic request translated into a ChatRequest
// (anthropic_request.h), prepared like a chat completion (prepare_chat) and written by the
// Anthropic wire format. POST /v1/messages/count_tokens: the same prompt, rendered and
// counted, nothing generated. Layer: serve. Prompt building is text work on the HTTP thread;
// no model code runs here.
#include "ondo/serve/routes/anthropic.h"

#include "ondo/infer/chat/chat_prompt.h"
#include "ondo/serve/anthropic_request.h"
#include "ondo/serve/routes/prompts.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

constexpr ErrorShape kShape = ErrorShape::Anthropic;

// The number of prompt tokens `chat` renders to with the model's chat template.
Result<int64_t> count_prompt_tokens(const ServerState& state, const ChatRequest& chat) {
  ONDO_ASSIGN_OR_RETURN(const ServedModel* model, lookup_generator(state, chat.gen.model));
  if (const auto& record = current_request()) record->context.model = model->alias;
  if (!model->chat_template) {
    return field_error(ErrorCode::InvalidArgument, "model", "'" + model->alias + "' has no chat template");
  }
  auto prompt = infer::build_chat_prompt(*model->chat_template, *model->tokenizer, chat.messages, chat.tools, true);
  if (!prompt.ok()) {
    Error e = prompt.error();
    e.field = "messages";
    return e;
  }
  return int64_t(prompt->tokens.size());
}

}  // namespace

void handle_anthropic_messages(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto with_prompt = apply_anthropic_prompt(state, req.body, res);  // the registry's `prompt` field
  if (!with_prompt.ok()) return send_error(res, with_prompt.error(), kShape);
  auto parsed = parse_anthropic_request(*with_prompt ? std::string_view(**with_prompt) : std::string_view(req.body),
                                        AnthropicCall::Messages);
  if (!parsed.ok()) return send_error(res, parsed.error(), kShape);
  const std::string model = parsed->chat.gen.model;
  auto p = prepare_chat(state, std::move(parsed->chat));
  if (!p.ok()) return send_error(res, rename_chat_error(parsed->renames, p.error()), kShape);
  const auto n_prompt = int32_t(p->request.prompt.size());
  respond_generation(state, std::move(*p), res, anthropic_wire(model, n_prompt));
}

void handle_anthropic_count_tokens(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto with_prompt = apply_anthropic_prompt(state, req.body, res);
  if (!with_prompt.ok()) return send_error(res, with_prompt.error(), kShape);
  auto parsed = parse_anthropic_request(*with_prompt ? std::string_view(**with_prompt) : std::string_view(req.body),
                                        AnthropicCall::CountTokens);
  if (!parsed.ok()) return send_error(res, parsed.error(), kShape);
  auto n = count_prompt_tokens(state, parsed->chat);
  if (!n.ok()) return send_error(res, rename_chat_error(parsed->renames, n.error()), kShape);
  send_json(res, 200, {{"input_tokens", *n}});
}

}  // namespace ondo::serve
