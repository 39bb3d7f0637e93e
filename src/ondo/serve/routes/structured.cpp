// Structured output for the routes: the grammar of a response_format / grammar field and of
// tool calling, compiled once and shared through the server's GrammarCache. Refusals name
// the request field, the schema keyword and its JSON path. Layer: serve.
#include "ondo/infer/grammar/json_schema.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

using infer::grammar::Grammar;
using GrammarPtr = std::shared_ptr<const Grammar>;

// A compiler's error as an error of the request field `param`: its "<prefix>: " message
// start ("schema: keyword 'x' at /p ...") becomes "<param>: ".
Error at_field(const Error& e, const std::string& param, std::string_view prefix) {
  Error out = e;
  const std::string p(prefix);
  if (out.message.rfind(p + ": ", 0) == 0) out.message = param + ": " + out.message.substr(p.size() + 2);
  else out.message = param + ": " + out.message;
  out.field = param;
  return out;
}

Result<GrammarPtr> schema_grammar(ServerState& state, const nlohmann::ordered_json& schema, const std::string& param) {
  const std::string text = schema.dump();
  auto g = state.grammar_cache().get("json_schema", text, [&]() -> Result<GrammarPtr> {
    return infer::grammar::compile_json_schema(schema);
  });
  if (!g.ok()) return at_field(g.error(), param, "schema");
  return g;
}

}  // namespace

Result<GrammarPtr> constraint_grammar(ServerState& state, const OutputConstraint& c) {
  switch (c.kind) {
    case OutputConstraint::Kind::None: return GrammarPtr();
    case OutputConstraint::Kind::JsonObject: return infer::grammar::json_object_grammar();
    case OutputConstraint::Kind::JsonSchema: return schema_grammar(state, c.schema, c.param);
    case OutputConstraint::Kind::Gbnf: {
      auto g = state.grammar_cache().get("gbnf", c.gbnf, [&]() -> Result<GrammarPtr> {
        return infer::grammar::parse_gbnf(c.gbnf);
      });
      if (!g.ok()) return at_field(g.error(), c.param, "grammar");
      return g;
    }
  }
  return GrammarPtr();
}

Result<GrammarPtr> tool_grammar(ServerState& state, const ServedModel& model, const ChatRequest& r) {
  if (r.tool_specs.empty() || r.tool_choice == ToolChoice::None) return GrammarPtr();
  std::vector<infer::tools::ToolSpec> specs;
  for (size_t i = 0; i < r.tool_specs.size(); ++i) {
    const auto& s = r.tool_specs[i];
    if (r.tool_choice == ToolChoice::Named && s.name != r.tool_choice_name) continue;
    if (!s.parameters.is_null()) {  // each schema alone first: its refusal names the tool
      const std::string param = "tools[" + std::to_string(i) + "].function.parameters";
      ONDO_ASSIGN_OR_RETURN(auto unused, schema_grammar(state, s.parameters, param));
      (void)unused;
    }
    specs.push_back(s);
  }
  const auto mode = r.tool_choice == ToolChoice::Auto ? infer::tools::ToolMode::Auto : infer::tools::ToolMode::Required;
  const bool parallel = r.parallel_tool_calls && r.tool_choice != ToolChoice::Named;  // named: exactly one call
  nlohmann::ordered_json key = nlohmann::ordered_json::array();
  for (const auto& s : specs) key.push_back({s.name, s.parameters});
  const std::string kind = "tools:" + std::string(infer::tools::tool_format_name(model.tool_format)) +
                           (mode == infer::tools::ToolMode::Auto ? ":auto" : ":required") +
                           (parallel ? ":parallel" : ":single");
  auto g = state.grammar_cache().get(kind, key.dump(), [&]() -> Result<GrammarPtr> {
    ONDO_ASSIGN_OR_RETURN(std::string gbnf, infer::tools::tool_call_gbnf(specs, mode, model.tool_format, parallel));
    return infer::grammar::parse_gbnf(gbnf, infer::tools::kToolGrammarRoot);
  });
  if (!g.ok()) return at_field(g.error(), "tools", "schema");
  return g;
}

}  // namespace ondo::serve
