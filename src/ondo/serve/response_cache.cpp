// The response cache: the canonical request and its key, the decision, and the kept answers'
// stored form (see response_cache.h). Layer: serve.
#include "ondo/serve/response_cache.h"

#include <chrono>

#include "ondo/core/sha256.h"

namespace ondo::serve {
namespace {

using json = nlohmann::json;

// Bumped when the canonical form or the stored form changes, so old entries miss.
constexpr int kCacheFormat = 1;

json sampling_json(const infer::SamplerParams& s) {
  json out = {{"temperature", s.temperature},
              {"top_k", s.top_k},
              {"top_p", s.top_p},
              {"min_p", s.min_p},
              {"repeat_penalty", s.repeat_penalty},
              {"repeat_last_n", s.repeat_last_n},
              {"frequency_penalty", s.frequency_penalty},
              {"presence_penalty", s.presence_penalty}};
  json bias = json::array();
  for (const auto& [id, b] : s.logit_bias) bias.push_back({id, b});
  out["logit_bias"] = std::move(bias);
  // At temperature 0 the sampler takes the most likely token and never draws: the seed
  // (random when the request gave none) does not change the output.
  if (s.temperature > 0.0f) out["seed"] = s.seed;
  return out;
}

json constraint_json(const OutputConstraint& c) {
  switch (c.kind) {
    case OutputConstraint::Kind::None: return nullptr;
    case OutputConstraint::Kind::JsonObject: return {{"kind", "json_object"}};
    case OutputConstraint::Kind::JsonSchema: return {{"kind", "json_schema"}, {"schema", c.schema.dump()}};
    case OutputConstraint::Kind::Gbnf: return {{"kind", "gbnf"}, {"gbnf", c.gbnf}};
  }
  return nullptr;
}

bool deterministic(const PreparedRequest& p) {
  return p.request.sampling.temperature == 0.0f || p.fields.seed_given;
}

}  // namespace

std::string canonical_request(const PreparedRequest& p, const std::string& adapter) {
  const ServedModel& m = *p.model;
  json prompts = json::array();
  prompts.push_back(p.request.prompt);
  for (const auto& more : p.more_prompts) prompts.push_back(more);
  json k = {{"format", kCacheFormat},
            {"model", m.alias},
            {"model_file", m.path},
            {"model_modified", m.card ? m.card->modified_at : std::string()},
            {"adapter", adapter},
            {"prompts", std::move(prompts)},
            {"max_tokens", p.request.max_tokens},
            {"sampling", sampling_json(p.request.sampling)},
            {"stop", p.fields.stop},
            {"n", p.fields.n},
            {"ignore_eos", p.request.ignore_eos},
            {"constraint", constraint_json(p.fields.constraint)},
            {"tool_calling", p.tool_calling},
            {"tool_format", std::string(infer::tools::tool_format_name(m.tool_format))},
            {"tools", p.tools_key}};
  return k.dump();
}

namespace {
bool has_output_guardrails(const PreparedRequest& p) {
  for (const auto& policy : p.guardrails) {
    if (policy->has_stage(guardrails::Stage::Output)) return true;
  }
  return false;
}
}  // namespace

CachePlan plan_response_cache(const ServerOptions& options, const PreparedRequest& p, const std::string& adapter) {
  CachePlan plan;
  if (!options.store || options.cache.ttl_s <= 0) return plan;
  plan.decision = CacheDecision::Bypass;
  if (!p.fields.cache) {
    plan.reason = "\"cache\": false";
  } else if (!deterministic(p)) {
    plan.reason = "temperature > 0 without a seed";
  } else if (p.fields.n_logprobs >= 0) {
    plan.reason = "logprobs";
  } else if (has_output_guardrails(p)) {
    plan.reason = "output guardrails";  // a replayed answer would skip their stream filter
  } else {
    plan.decision = CacheDecision::Lookup;
    plan.key = core::to_hex(core::sha256(canonical_request(p, adapter)));
  }
  return plan;
}

std::string cache_header(CacheDecision decision, bool hit) {
  switch (decision) {
    case CacheDecision::Off: return "";
    case CacheDecision::Bypass: return "bypass";
    case CacheDecision::Lookup: return hit ? "hit" : "miss";
  }
  return "";
}

std::string encode_generation(const CachedGeneration& g) {
  json choices = json::array();
  for (const CachedChoice& c : g.choices) {
    choices.push_back({{"text", c.text}, {"finish_reason", c.finish_reason}, {"stop_sequence", c.stop_sequence}});
  }
  const json out = {{"format", kCacheFormat},
                    {"choices", std::move(choices)},
                    {"prompt_tokens", g.prompt_tokens},
                    {"completion_tokens", g.completion_tokens},
                    {"cached_tokens", g.cached_tokens}};
  // Invalid UTF-8 bytes are dropped here; cache_save() then keeps nothing (see there).
  return out.dump(-1, ' ', false, json::error_handler_t::ignore);
}

Result<CachedGeneration> decode_generation(const std::string& body, const std::string& what) {
  const json j = json::parse(body, nullptr, false);
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::Internal, what + ": unreadable cached response (" + why + ")");
  };
  if (!j.is_object()) return bad("not a JSON object");
  if (j.value("format", 0) != kCacheFormat) return bad("format " + j.value("format", json()).dump());
  const json* choices = j.contains("choices") ? &j.at("choices") : nullptr;
  if (!choices || !choices->is_array() || choices->empty()) return bad("no choices");
  CachedGeneration g;
  for (const json& c : *choices) {
    if (!c.is_object() || !c.contains("text") || !c.at("text").is_string() || !c.contains("finish_reason") ||
        !c.at("finish_reason").is_string()) {
      return bad("a choice without text or finish_reason");
    }
    g.choices.push_back({c.at("text").get<std::string>(), c.at("finish_reason").get<std::string>(),
                         c.value("stop_sequence", std::string())});
  }
  for (const char* n : {"prompt_tokens", "completion_tokens", "cached_tokens"}) {
    if (!j.contains(n) || !j.at(n).is_number_integer()) return bad(std::string("no ") + n);
  }
  g.prompt_tokens = j.at("prompt_tokens").get<int32_t>();
  g.completion_tokens = j.at("completion_tokens").get<int32_t>();
  g.cached_tokens = j.at("cached_tokens").get<int32_t>();
  return g;
}

Result<std::optional<CachedGeneration>> cache_lookup(store::Store& store, const std::string& key, int64_t now_ms) {
  ONDO_ASSIGN_OR_RETURN(auto entry, store.get_cached_response(key, now_ms));
  if (!entry) return std::optional<CachedGeneration>();
  ONDO_ASSIGN_OR_RETURN(CachedGeneration g, decode_generation(entry->body, store.location() + ": cache entry " + key));
  return std::optional<CachedGeneration>(std::move(g));
}

Status cache_save(store::Store& store, const ResponseCacheOptions& options, const std::string& key,
                  const std::string& model, const CachedGeneration& g, int64_t now_ms) {
  store::CachedResponse e;
  e.key = key;
  e.model = model;
  e.body = encode_generation(g);
  // An answer whose text is not valid UTF-8 would not read back byte for byte: not kept.
  auto back = decode_generation(e.body, key);
  if (!back.ok() || !(*back == g)) return ok_status();
  e.created_ms = now_ms;
  e.expires_ms = now_ms + options.ttl_s * 1000;
  e.last_used_ms = now_ms;
  return store.put_cached_response(e, options.max_bytes, now_ms);
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ondo::serve
