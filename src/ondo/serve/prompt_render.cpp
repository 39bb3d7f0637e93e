// The prompt registry's rendering (variables checked, templates run in the sandboxed
// chat-template engine), the weighted pick of a label's version, the merge of a rendered
// version into an OpenAI chat body, and the line diff of two versions.
// Layer: serve. Pure functions.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ondo/core/sha256.h"
#include "ondo/serve/prompt_registry.h"
#include "ondo/text/chat_template/chat_template.h"

namespace ondo::serve {
namespace {

using ojson = nlohmann::ordered_json;
constexpr ErrorCode kBad = ErrorCode::InvalidArgument;

bool value_has_type(const ojson& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    const double d = v.is_number_float() ? v.get<double>() : 0.5;
    return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740992.0;  // 2^53: exact in a double
  }
  return false;
}

std::string seen(const ojson& v) {
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  return v.is_null() ? "null" : v.is_array() ? "array" : "object";
}

// The render context: every declared variable, from the request or its default.
Result<ojson> variable_context(const store::PromptVersion& v, const ojson& given, const std::string& field) {
  const std::string base = join_field_path(field, "variables");
  std::string declared;
  for (const auto& var : v.variables) declared += (declared.empty() ? "" : ", ") + var.name;
  for (const auto& item : given.items()) {
    const std::string& name = item.key();  // a named reference: clang 14 cannot capture a structured binding
    const bool known = std::any_of(v.variables.begin(), v.variables.end(), [&](const auto& var) { return var.name == name; });
    if (!known) {
      return field_error(kBad, base + "." + name.substr(0, 64),
                         "prompt '" + v.prompt + "' version " + std::to_string(v.version) + " has no such variable (declared: " +
                             (declared.empty() ? "none" : declared) + ")");
    }
  }
  ojson ctx = ojson::object();
  for (const auto& var : v.variables) {
    const std::string path = base + "." + var.name;
    if (given.contains(var.name)) {
      const ojson& value = given.at(var.name);
      if (!value_has_type(value, var.type)) return field_error(kBad, path, "expected " + var.type + " (seen " + seen(value) + ")");
      ctx[var.name] = var.type == "integer" && value.is_number_float() ? ojson(int64_t(value.get<double>())) : value;
    } else if (var.default_json) {
      ctx[var.name] = ojson::parse(*var.default_json);
    } else {
      return field_error(kBad, path, "missing (prompt '" + v.prompt + "' version " + std::to_string(v.version) +
                                         " needs a " + var.type + " and has no default)");
    }
  }
  return ctx;
}

Result<std::string> render_one(const std::string& source, const std::string& name, const ojson& ctx) {
  ONDO_ASSIGN_OR_RETURN(text::ChatTemplate t, text::ChatTemplate::parse(source, name));
  text::ChatTemplateInputs in;
  in.add_generation_prompt = false;
  in.extra_context = ctx;
  text::RenderLimits limits;
  limits.max_output_bytes = 256 << 10;  // a prompt is text for a model's context, not a document
  limits.max_steps = 1'000'000;
  auto out = t.render(in, limits);
  if (!out.ok()) return make_error(out.error().code, out.error().message);
  return std::move(*out);
}

// The fields of a version as lines, for the diff.
std::vector<std::string> version_lines(const store::PromptVersion& v) {
  std::vector<std::string> out;
  auto block = [&](const std::string& head, const std::string& body) {
    out.push_back(head + ":");
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) out.push_back("    " + line);
  };
  block("system", v.system);
  for (size_t i = 0; i < v.examples.size(); ++i) block("examples[" + std::to_string(i) + "] " + v.examples[i].role, v.examples[i].content);
  for (size_t i = 0; i < v.messages.size(); ++i) block("messages[" + std::to_string(i) + "] " + v.messages[i].role, v.messages[i].content);
  out.push_back("variables:");
  for (const auto& var : v.variables) out.push_back("    " + var.name + ": " + var.type + (var.default_json ? " = " + *var.default_json : ""));
  auto doc = [](const std::string& j) { return j.empty() ? std::string("none") : ojson::parse(j).dump(2); };
  block("params", doc(v.params_json));
  block("response_schema", doc(v.response_schema_json));
  block("tools", doc(v.tools_json));
  out.push_back("guardrail: " + (v.guardrail.empty() ? std::string("none") : v.guardrail));
  block("note", v.note);
  return out;
}

}  // namespace

int64_t pick_version(const store::PromptLabel& label, std::string_view sticky) {
  int64_t total = 0;
  for (const auto& t : label.targets) total += t.weight;
  std::string key(sticky);
  key += '\0';
  key += label.prompt;
  const core::Sha256Digest d = core::sha256(key);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | d[size_t(i)];
  int64_t bucket = int64_t(h % uint64_t(total));
  for (const auto& t : label.targets) {
    if (bucket < t.weight) return t.version;
    bucket -= t.weight;
  }
  return label.targets.back().version;  // unreachable with weights >= 1
}

Result<std::vector<store::PromptMessage>> render_prompt(const store::PromptVersion& v, const ojson& variables,
                                                        const std::string& field) {
  ONDO_ASSIGN_OR_RETURN(ojson ctx, variable_context(v, variables, field));
  const std::string ref = v.prompt + "@" + std::to_string(v.version);
  std::vector<store::PromptMessage> out;
  if (!v.system.empty()) {
    ONDO_ASSIGN_OR_RETURN(std::string system, render_one(v.system, ref + " system", ctx));
    out.push_back({"system", std::move(system)});
  }
  for (const auto& e : v.examples) out.push_back(e);
  for (size_t i = 0; i < v.messages.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(std::string content, render_one(v.messages[i].content, ref + " messages[" + std::to_string(i) + "]", ctx));
    out.push_back({v.messages[i].role, std::move(content)});
  }
  return out;
}

void apply_prompt_to_chat(ojson& body, const store::PromptVersion& v, const std::vector<store::PromptMessage>& rendered) {
  body.erase("prompt");
  ojson messages = ojson::array();
  for (const auto& m : rendered) messages.push_back({{"role", m.role}, {"content", m.content}});
  if (body.contains("messages") && body["messages"].is_array()) {
    for (const auto& m : body["messages"]) messages.push_back(m);
  } else if (body.contains("messages")) {
    return;  // not an array: left for the chat parser to refuse, naming the field
  }
  body["messages"] = std::move(messages);
  if (!v.params_json.empty()) {
    const bool has_max = body.contains("max_tokens") || body.contains("max_completion_tokens");
    const ojson params = ojson::parse(v.params_json);  // kept alive: items() refers into it
    for (const auto& [k, value] : params.items()) {
      const bool is_max = k == "max_tokens" || k == "max_completion_tokens";
      if ((is_max && has_max) || body.contains(k)) continue;
      body[k] = value;
    }
  }
  if (!v.response_schema_json.empty() && !body.contains("response_format") && !body.contains("grammar")) {
    std::string name = v.prompt;
    std::replace(name.begin(), name.end(), '.', '_');
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema", {{"name", name.substr(0, 64)}, {"schema", ojson::parse(v.response_schema_json)}, {"strict", true}}}};
  }
  const bool has_tools = body.contains("tools") && !(body["tools"].is_array() && body["tools"].empty()) && !body["tools"].is_null();
  if (!v.tools_json.empty() && !has_tools) body["tools"] = ojson::parse(v.tools_json);
}

void apply_prompt_to_anthropic(ojson& body, const store::PromptVersion& v, const std::vector<store::PromptMessage>& rendered) {
  body.erase("prompt");
  std::string system;
  ojson messages = ojson::array();
  for (const auto& m : rendered) {
    if (m.role == "system") system += (system.empty() ? "" : "\n\n") + m.content;
    else messages.push_back({{"role", m.role}, {"content", m.content}});
  }
  if (!system.empty()) {
    if (!body.contains("system")) body["system"] = system;
    else if (body["system"].is_string()) body["system"] = system + "\n\n" + body["system"].get<std::string>();
    else if (body["system"].is_array()) body["system"].insert(body["system"].begin(), ojson{{"type", "text"}, {"text", system}});
  }
  if (body.contains("messages") && !body["messages"].is_array()) return;  // the parser names the field
  if (body.contains("messages")) {
    for (const auto& m : body["messages"]) messages.push_back(m);
  }
  body["messages"] = std::move(messages);
  if (!v.params_json.empty()) {
    const ojson params = ojson::parse(v.params_json);
    for (const char* k : {"temperature", "top_p", "top_k"}) {
      if (params.contains(k) && !body.contains(k)) body[k] = params[k];
    }
    for (const char* k : {"max_tokens", "max_completion_tokens"}) {
      if (params.contains(k) && !body.contains("max_tokens")) body["max_tokens"] = params[k];
    }
    if (params.contains("stop") && !body.contains("stop_sequences")) {
      body["stop_sequences"] = params["stop"].is_string() ? ojson::array({params["stop"]}) : params["stop"];
    }
  }
  const bool has_tools = body.contains("tools") && !(body["tools"].is_array() && body["tools"].empty()) && !body["tools"].is_null();
  if (!v.tools_json.empty() && !has_tools) {
    ojson tools = ojson::array();
    const ojson given = ojson::parse(v.tools_json);
    for (const auto& t : given) {
      const ojson fn = t.contains("function") && t["function"].is_object() ? t["function"] : t;
      ojson out = {{"name", fn.value("name", std::string())}};
      if (fn.contains("description")) out["description"] = fn["description"];
      out["input_schema"] = fn.contains("parameters") ? fn["parameters"] : ojson{{"type", "object"}};
      tools.push_back(std::move(out));
    }
    body["tools"] = std::move(tools);
  }
}

std::string diff_prompt_versions(const store::PromptVersion& from, const store::PromptVersion& to) {
  const std::vector<std::string> a = version_lines(from), b = version_lines(to);
  const size_t n = a.size(), m = b.size();
  std::ostringstream out;
  if (n * m > 4'000'000) {  // too large for the table: everything out, everything in
    for (const auto& l : a) out << "- " << l << "\n";
    for (const auto& l : b) out << "+ " << l << "\n";
    return out.str();
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out << "  " << a[i++] << "\n";
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out << "- " << a[i++] << "\n";
    } else {
      out << "+ " << b[j++] << "\n";
    }
  }
  return out.str();
}

}  // namespace ondo::serve
