// The prompt registry's operations on a store (see prompt_ops.h). Layer: serve.
#include "ondo/serve/prompt_ops.h"

#include <charconv>

namespace ondo::serve {
namespace {

using ojson = nlohmann::ordered_json;

Error no_prompt(const std::string& name, const std::string& field) {
  return field_error(ErrorCode::NotFound, field, "prompt '" + name.substr(0, 128) + "' not found");
}

Result<store::Prompt> need_prompt(store::Store& s, const std::string& name, const std::string& field) {
  ONDO_TRY(check_prompt_name(name, field));
  ONDO_ASSIGN_OR_RETURN(std::optional<store::Prompt> p, s.find_prompt(name));
  if (!p) return no_prompt(name, field);
  return std::move(*p);
}

Result<store::PromptVersion> need_version(store::Store& s, const store::Prompt& p, int64_t version, const std::string& field) {
  ONDO_ASSIGN_OR_RETURN(std::optional<store::PromptVersion> v, s.find_prompt_version(p.name, version));
  if (!v) {
    return field_error(ErrorCode::NotFound, field, "prompt '" + p.name + "' has no version " + std::to_string(version) +
                                                       " (latest is " + std::to_string(p.latest_version) + ")");
  }
  return std::move(*v);
}

}  // namespace

Result<int64_t> parse_version_number(std::string_view text, std::string_view field) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    return field_error(ErrorCode::InvalidArgument, field,
                       "'" + std::string(text.substr(0, 40)) + "' is not a version number (expected 1 or more)");
  }
  return v;
}

Result<ojson> create_prompt(store::Store& s, const ojson& body, int64_t now) {
  if (!body.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object");
  for (const auto& [k, unused] : body.items()) {
    if (k != "name" && k != "description") return field_error(ErrorCode::InvalidArgument, k, "unknown field (expected name or description)");
  }
  if (!body.contains("name") || !body["name"].is_string()) {
    return field_error(ErrorCode::InvalidArgument, "name", "missing (expected the prompt's name as a string)");
  }
  store::Prompt p{body["name"].get<std::string>(), "", now, 0};
  ONDO_TRY(check_prompt_name(p.name, "name"));
  if (body.contains("description")) {
    if (!body["description"].is_string()) return field_error(ErrorCode::InvalidArgument, "description", "expected a string");
    p.description = body["description"].get<std::string>();
  }
  if (auto st = s.insert_prompt(p); !st.ok()) {
    Error e = st.error();
    if (e.code == ErrorCode::InvalidArgument) e.field = "name";
    return e;
  }
  return prompt_json(p, {});
}

Result<ojson> list_prompts(store::Store& s) {
  ONDO_ASSIGN_OR_RETURN(std::vector<store::Prompt> all, s.list_prompts());
  ojson data = ojson::array();
  for (const auto& p : all) {
    ONDO_ASSIGN_OR_RETURN(std::vector<store::PromptLabel> labels, s.list_prompt_labels(p.name));
    data.push_back(prompt_json(p, labels));
  }
  return ojson{{"object", "list"}, {"data", data}};
}

Result<ojson> show_prompt(store::Store& s, const std::string& name) {
  ONDO_ASSIGN_OR_RETURN(store::Prompt p, need_prompt(s, name, "name"));
  ONDO_ASSIGN_OR_RETURN(std::vector<store::PromptLabel> labels, s.list_prompt_labels(name));
  return prompt_json(p, labels);
}

Result<ojson> add_prompt_version(store::Store& s, const std::string& name, const ojson& body, int64_t now) {
  ONDO_TRY(check_prompt_name(name, "name"));
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion v, prompt_version_from_json(body, name, now));
  auto n = s.add_prompt_version(v);
  if (!n.ok()) {
    if (n.error().code == ErrorCode::NotFound) return no_prompt(name, "name");
    return n.error();
  }
  v.version = *n;
  return prompt_version_json(v);
}

Result<ojson> list_prompt_versions(store::Store& s, const std::string& name) {
  ONDO_TRY(need_prompt(s, name, "name"));
  ONDO_ASSIGN_OR_RETURN(std::vector<store::PromptVersion> all, s.list_prompt_versions(name));
  ojson data = ojson::array();
  for (const auto& v : all) data.push_back(prompt_version_json(v));
  return ojson{{"object", "list"}, {"data", data}};
}

Result<ojson> get_prompt_version(store::Store& s, const std::string& name, int64_t version) {
  ONDO_ASSIGN_OR_RETURN(store::Prompt p, need_prompt(s, name, "name"));
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion v, need_version(s, p, version, "version"));
  return prompt_version_json(v);
}

Result<ojson> set_prompt_label(store::Store& s, const std::string& name, const std::string& label, const ojson& body,
                               int64_t now) {
  ONDO_TRY(check_prompt_name(name, "name"));
  ONDO_TRY(check_prompt_name(label, "label"));
  ONDO_ASSIGN_OR_RETURN(std::vector<store::LabelTarget> targets, label_targets_from_json(body));
  store::PromptLabel l{name, label, std::move(targets), now};
  ONDO_TRY(s.set_prompt_label(l));
  return prompt_label_json(l);
}

Result<ojson> diff_prompt(store::Store& s, const std::string& name, int64_t from, int64_t to) {
  ONDO_ASSIGN_OR_RETURN(store::Prompt p, need_prompt(s, name, "name"));
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion a, need_version(s, p, from, "from"));
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion b, need_version(s, p, to, "to"));
  return ojson{{"object", "prompt.diff"}, {"prompt", name}, {"from", from}, {"to", to}, {"diff", diff_prompt_versions(a, b)}};
}

Result<store::PromptVersion> resolve_prompt(store::Store& s, const PromptRef& ref, std::string_view sticky,
                                            const std::string& field) {
  ONDO_ASSIGN_OR_RETURN(store::Prompt p, need_prompt(s, ref.name, join_field_path(field, "name")));
  if (ref.version) return need_version(s, p, *ref.version, join_field_path(field, "version"));
  const std::string label = ref.label.value_or("production");
  ONDO_ASSIGN_OR_RETURN(std::optional<store::PromptLabel> l, s.find_prompt_label(p.name, label));
  if (l) return need_version(s, p, pick_version(*l, sticky), join_field_path(field, "label"));
  if (ref.label) return field_error(ErrorCode::NotFound, join_field_path(field, "label"), "prompt '" + p.name + "' has no label '" + label + "'");
  if (p.latest_version == 0) return field_error(ErrorCode::NotFound, join_field_path(field, "name"), "prompt '" + p.name + "' has no version yet");
  return need_version(s, p, p.latest_version, join_field_path(field, "name"));
}

Result<ojson> render_prompt_request(store::Store& s, const ojson& body, std::string_view caller) {
  if (!body.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object");
  ojson ref_json = body;
  std::string sticky(caller);
  if (body.contains("user")) {
    if (!body["user"].is_string()) return field_error(ErrorCode::InvalidArgument, "user", "expected a string");
    if (!body["user"].get<std::string>().empty()) sticky = "user:" + body["user"].get<std::string>();
    ref_json.erase("user");
  }
  ONDO_ASSIGN_OR_RETURN(PromptRef ref, parse_prompt_ref(ref_json, ""));
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion v, resolve_prompt(s, ref, sticky, ""));
  ONDO_ASSIGN_OR_RETURN(std::vector<store::PromptMessage> rendered, render_prompt(v, ref.variables, ""));
  ojson messages = ojson::array();
  for (const auto& m : rendered) messages.push_back({{"role", m.role}, {"content", m.content}});
  const ojson shown = prompt_version_json(v);
  return ojson{{"object", "prompt.rendered"}, {"prompt", v.prompt}, {"version", v.version},
               {"ref", v.prompt + "@" + std::to_string(v.version)}, {"messages", messages},
               {"params", shown["params"]}, {"response_schema", shown["response_schema"]}, {"tools", shown["tools"]},
               {"guardrail", shown["guardrail"]}};
}

}  // namespace ondo::serve
