// ChatTemplate: parse once, render many times (see chat_template.h). Builds the render
// context the way transformers' apply_chat_template does: messages, tools (None when
// absent), documents=None, add_generation_prompt, and the special tokens that are set.
// Layer: text (chat_template).
#include "ondo/text/chat_template/chat_template.h"

#include <algorithm>

#include "ondo/text/chat_template/interpreter.h"
#include "ondo/text/chat_template/parser.h"

namespace ondo::text {

struct ChatTemplate::Impl {
  std::string name;
  std::string source;
  std::unique_ptr<jinja::Program> program;
};

Result<ChatTemplate> ChatTemplate::parse(std::string_view source, std::string name) {
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<jinja::Program> program, jinja::parse_program(source, name));
  auto impl = std::make_shared<Impl>();
  impl->name = std::move(name);
  impl->source = std::string(source);
  impl->program = std::move(program);
  return ChatTemplate(std::move(impl));
}

const std::string& ChatTemplate::name() const { return impl_->name; }
const std::string& ChatTemplate::source() const { return impl_->source; }

namespace {

bool valid_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  const int month = std::stoi(d.substr(5, 2));
  const int day = std::stoi(d.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Result<jinja::Value> input_value(const nlohmann::ordered_json& j, std::string_view field) {
  auto v = jinja::from_json(j);
  if (!v.ok()) return v.error().with_context(field);
  return v;
}

}  // namespace

Result<std::string> ChatTemplate::render(const ChatTemplateInputs& in, const RenderLimits& lim) const {
  const std::string ctx = "chat template '" + impl_->name + "'";
  if (!in.date_string.empty() && !valid_date(in.date_string)) {
    return make_error(ErrorCode::InvalidArgument,
                      ctx + ": date_string is not a date (seen '" + in.date_string +
                          "', expected YYYY-MM-DD)");
  }
  if (!in.extra_context.is_null() && !in.extra_context.is_object()) {
    return make_error(ErrorCode::InvalidArgument, ctx + ": extra_context must be an object or null");
  }
  std::unordered_map<std::string, jinja::Value> vars;
  ONDO_ASSIGN_OR_RETURN(vars["messages"], input_value(in.messages, "messages"));
  if (in.tools.is_null() || (in.tools.is_array() && in.tools.empty())) {
    vars["tools"] = jinja::Value::none();
  } else {
    ONDO_ASSIGN_OR_RETURN(vars["tools"], input_value(in.tools, "tools"));
  }
  vars["documents"] = jinja::Value::none();
  vars["add_generation_prompt"] = jinja::Value::boolean(in.add_generation_prompt);
  if (in.bos_token) vars["bos_token"] = jinja::Value::string(*in.bos_token);
  if (in.eos_token) vars["eos_token"] = jinja::Value::string(*in.eos_token);
  if (in.extra_context.is_object()) {
    for (auto it = in.extra_context.begin(); it != in.extra_context.end(); ++it) {
      ONDO_ASSIGN_OR_RETURN(vars[it.key()], input_value(it.value(), "extra_context." + it.key()));
    }
  }
  jinja::InterpLimits limits;
  limits.max_output_bytes = lim.max_output_bytes;
  limits.max_steps = lim.max_steps;
  limits.max_depth = std::clamp(lim.max_depth, 1, 1024);
  jinja::Interpreter interp(*impl_->program, impl_->name, limits, in.date_string);
  return interp.render(std::move(vars));
}

}  // namespace ondo::text
