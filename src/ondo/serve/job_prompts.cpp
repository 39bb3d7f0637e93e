// Registry prompts for eval jobs. Layer: serve.
#include "ondo/serve/job_prompts.h"

#include <memory>

#include "ondo/serve/prompt_ops.h"
#include "ondo/serve/prompt_registry.h"

namespace ondo::serve {

jobs::PromptResolver job_prompt_resolver() {
  return [](store::Store& s, const std::string& spec) -> Result<jobs::ResolvedPrompt> {
    PromptRef ref;
    const size_t at = spec.find('@');
    ref.name = spec.substr(0, at);
    if (at != std::string::npos) {
      const std::string tail = spec.substr(at + 1);
      if (!tail.empty() && tail.find_first_not_of("0123456789") == std::string::npos) {
        ONDO_ASSIGN_OR_RETURN(ref.version, parse_version_number(tail, "prompt"));
      } else {
        ref.label = tail;
      }
    }
    ONDO_TRY(check_prompt_name(ref.name, "prompt"));
    ONDO_ASSIGN_OR_RETURN(store::PromptVersion v, resolve_prompt(s, ref, "", "prompt"));
    jobs::ResolvedPrompt out;
    out.ref = v.prompt + "@" + std::to_string(v.version);
    if (!v.params_json.empty()) out.params = nlohmann::json::parse(v.params_json, nullptr, false);
    if (out.params.is_discarded()) out.params = nullptr;
    if (!v.response_schema_json.empty()) out.response_schema = nlohmann::json::parse(v.response_schema_json, nullptr, false);
    if (out.response_schema.is_discarded()) out.response_schema = nullptr;
    auto version = std::make_shared<const store::PromptVersion>(std::move(v));
    out.render = [version](const nlohmann::ordered_json& vars) -> Result<nlohmann::ordered_json> {
      ONDO_ASSIGN_OR_RETURN(auto msgs, render_prompt(*version, vars, "input"));
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& m : msgs) list.push_back({{"role", m.role}, {"content", m.content}});
      return list;
    };
    return out;
  };
}

}  // namespace ondo::serve
