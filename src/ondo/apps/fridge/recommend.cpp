// recommend() (see recommend.h): default ingredients from what expires soon, grounding by
// retrieval, exclusion of the excluded recipes and their look-alikes before and after the model,
// retry and fallback. Layer: apps/fridge.
#include "ondo/apps/fridge/recommend.h"

#include <algorithm>
#include <cmath>

#include "ondo/apps/fridge/catalog.h"

namespace ondo::apps::fridge {
namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
// The built-in model was trained on requests of 1 to 3 ingredients (tools/recipe_corpus/gen.py):
// the default takes the 3 that expire soonest.
constexpr size_t kMaxDefaultIngredients = 3;
constexpr size_t kGrounding = 5;
constexpr size_t kSearchDepth = 40;
constexpr int64_t kSoonDays = 7;  // the note names the used items expiring within a week

Error bad(const std::string& field, const std::string& what) { return make_error(kBad, field + ": " + what); }

Result<std::vector<std::string>> names(const json& body, const std::string& key) {
  std::vector<std::string> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  if (!body[key].is_array() || body[key].size() > 64) return bad(key, "must be an array of at most 64 strings");
  for (size_t i = 0; i < body[key].size(); ++i) {
    const json& v = body[key][i];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 200) {
      return bad(key + "[" + std::to_string(i) + "]", "must be a string of 1 to 200 bytes");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool mentions(const std::string& recipe_ingredient, const std::string& ingredient) {
  const std::string a = normalise_ingredient(recipe_ingredient), b = normalise_ingredient(ingredient);
  return !a.empty() && !b.empty() && (a.find(b) != std::string::npos || b.find(a) != std::string::npos);
}

struct Candidate {
  json recipe;
  double score = 0;
};

// The excluded name `name` is most similar to, with that similarity.
Result<std::pair<std::string, double>> closest_excluded(RecipeIndex& index, const std::string& name,
                                                        const std::vector<std::string>& except) {
  std::pair<std::string, double> best{"", 0.0};
  for (const std::string& e : except) {
    ONDO_ASSIGN_OR_RETURN(double s, index.name_similarity(name, e));
    if (s > best.second) best = {e, s};
  }
  return best;
}

std::string system_prompt(bool korean, const std::vector<Candidate>& grounding) {
  std::string s = korean ? "당신은 요리 추천 도우미입니다. 주어진 재료를 최대한 많이 쓰는 요리 하나를 추천하고, except_recipe의 요리와 그와 비슷한 요리는 추천하지 마세요. "
                           "JSON {\"recipe_name\", \"recipe_ingredients\", \"recipes\"}로만 답하세요. 참고 레시피:\n"
                         : "You recommend one recipe that uses as many of the given ingredients as possible. Never "
                           "recommend a recipe in except_recipe or one similar to them. Answer only with JSON "
                           "{\"recipe_name\", \"recipe_ingredients\", \"recipes\"} (recipes: the steps). Known recipes:\n";
  for (const Candidate& c : grounding) {
    s += "- " + c.recipe.value("name", "") + ":";
    for (const json& i : c.recipe.value("ingredients", json::array())) s += " " + i.value("name", "") + ",";
    s += "\n";
  }
  return s;
}

// The contract as the corpus wrote it (Python's json.dumps: ", " and ": ", keys in this order,
// UTF-8 kept), the form the built-in model was trained on.
std::string contract_text(const std::vector<std::string>& ingredients, const std::vector<std::string>& except) {
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + json(v[i]).dump();
    return s + "]";
  };
  return "{\"ingredients\": " + list(ingredients) + ", \"except_recipe\": " + list(except) + "}";
}

json answer_of(const json& recipe) {
  json ings = json::array();
  for (const json& i : recipe.value("ingredients", json::array())) ings.push_back(i.value("name", ""));
  return json{{"recipe_name", recipe.value("name", "")}, {"recipe_ingredients", ings},
              {"recipes", recipe.value("steps", json::array())}};
}

// The model's answer when it is the schema's shape; nullopt otherwise.
std::optional<json> parse_answer(const std::string& text) {
  json a = json::parse(text, nullptr, false);
  if (!a.is_object() || a.size() != 3 || !a.contains("recipe_name") || !a["recipe_name"].is_string() ||
      a["recipe_name"].get<std::string>().empty() || !a.contains("recipe_ingredients") ||
      !a["recipe_ingredients"].is_array() || !a.contains("recipes") || !a["recipes"].is_array()) {
    return std::nullopt;
  }
  for (const json& v : a["recipe_ingredients"]) {
    if (!v.is_string()) return std::nullopt;
  }
  for (const json& v : a["recipes"]) {
    if (!v.is_string()) return std::nullopt;
  }
  return json{{"recipe_name", a["recipe_name"]}, {"recipe_ingredients", a["recipe_ingredients"]}, {"recipes", a["recipes"]}};
}

}  // namespace

const json& recipe_schema() {
  static const json kSchema = json::parse(R"({
    "type": "object",
    "properties": {
      "recipe_name": {"type": "string"},
      "recipe_ingredients": {"type": "array", "items": {"type": "string"}},
      "recipes": {"type": "array", "items": {"type": "string"}}
    },
    "required": ["recipe_name", "recipe_ingredients", "recipes"],
    "additionalProperties": false
  })");
  return kSchema;
}

Result<json> recommend(FridgeService& service, RecipeIndex& index, const GenerateFn& generate,
                       const RecommendOptions& options, const std::string& caller, const json& body) {
  if (!body.is_object()) return bad("body", "must be a JSON object");
  if (!body.contains("household_id") || !body["household_id"].is_string()) {
    return bad("household_id", "required: the household whose items and recipes are used");
  }
  const std::string hid = body["household_id"];
  ONDO_ASSIGN_OR_RETURN(std::vector<std::string> ingredients, names(body, "ingredients"));
  ONDO_ASSIGN_OR_RETURN(std::vector<std::string> except, names(body, "except_recipe"));
  double threshold = options.default_threshold;
  if (body.contains("similarity_threshold")) {
    if (!body["similarity_threshold"].is_number()) return bad("similarity_threshold", "must be a number in (0, 1]");
    threshold = body["similarity_threshold"].get<double>();
    if (!(threshold > 0 && threshold <= 1)) return bad("similarity_threshold", "must be a number in (0, 1]");
  }
  std::string model = options.default_model;
  if (body.contains("model")) {
    if (!body["model"].is_string()) return bad("model", "must be a string");
    model = body["model"];
  }
  const uint64_t seed = body.contains("seed") && body["seed"].is_number_unsigned() ? body["seed"].get<uint64_t>() : 0;

  // What expires soon, soonest first (expired items are not food any more).
  ONDO_ASSIGN_OR_RETURN(json items, service.list_household_items(caller, hid));
  std::vector<json> soon;
  for (const json& it : items["data"]) {
    if (it.contains("days_left") && it["days_left"].get<int64_t>() >= 0) soon.push_back(it);
  }
  std::stable_sort(soon.begin(), soon.end(), [](const json& a, const json& b) {
    return a["days_left"].get<int64_t>() < b["days_left"].get<int64_t>();
  });
  const bool defaulted = ingredients.empty();
  if (defaulted) {
    for (const json& it : soon) {
      const std::string ing = it.value("ingredient", "");
      if (std::find(ingredients.begin(), ingredients.end(), ing) == ingredients.end()) ingredients.push_back(ing);
      if (ingredients.size() == kMaxDefaultIngredients) break;
    }
    if (ingredients.empty()) return bad("ingredients", "none given and the household has no items");
  }
  bool korean = false;
  std::string query;
  for (const std::string& i : ingredients) {
    korean = korean || has_hangul(i);
    query += (query.empty() ? "" : ", ") + i;
  }

  // Candidates: retrieved, visible, not excluded nor like an excluded one; ranked by retrieval
  // plus how much of what expires soonest they use.
  ONDO_ASSIGN_OR_RETURN(auto hits, index.search(query, kSearchDepth));
  std::vector<Candidate> candidates;
  json excluded_similar = json::array();
  for (const auto& h : hits) {
    auto rec = service.get_recipe(caller, h.recipe_id);
    if (!rec.ok()) continue;  // not visible to the caller, or gone
    ONDO_ASSIGN_OR_RETURN(auto close, closest_excluded(index, rec->value("name", ""), except));
    if (!except.empty() && close.second >= threshold) {
      excluded_similar.push_back({{"id", h.recipe_id}, {"name", rec->value("name", "")}, {"like", close.first},
                                  {"similarity", close.second}});
      continue;
    }
    double score = h.score;
    for (const json& i : rec->value("ingredients", json::array())) {
      for (const std::string& want : ingredients) score += mentions(i.value("name", ""), want) ? 0.5 : 0.0;
      for (const json& it : soon) {
        if (mentions(i.value("name", ""), it.value("ingredient", ""))) score += 1.0 / (1.0 + it["days_left"].get<double>());
      }
    }
    candidates.push_back(Candidate{std::move(*rec), score});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  if (candidates.size() > kGrounding) candidates.resize(kGrounding);

  // The model, checked; one retry with the offending name excluded too; then the best grounded.
  std::vector<std::string> asked_except = except;  // plus the names a retry must avoid
  json answer;
  std::string source, rejected;
  // A system message with the grounding helps chat models; a small model (the built-in one,
  // trained on the bare contract with a short context) may refuse it as too long: then the
  // next attempts send the contract alone. The first answer is free text checked against the
  // schema here (the built-in model writes JSON with spaces, which the schema grammar does not
  // let through, so under it the model is pushed off its tokens); an answer that fails the
  // check is asked again under the schema (structured output). Either way only an answer of
  // the schema's shape is returned.
  bool with_system = body.value("grounding_in_prompt", true);
  bool constrained = body.value("constrained", false);
  for (int attempt = 0; attempt < 4 && generate && !model.empty(); ++attempt) {
    GenerateCall call;
    call.model = model;
    call.schema = recipe_schema();
    call.constrained = constrained;
    call.seed = seed == 0 ? 0 : seed + uint64_t(attempt);
    call.messages = json::array();
    if (with_system) call.messages.push_back(json{{"role", "system"}, {"content", system_prompt(korean, candidates)}});
    call.messages.push_back(json{{"role", "user"}, {"content", contract_text(ingredients, asked_except)}});
    auto text = generate(call);
    if (!text.ok()) {
      rejected = text.error().message;
      if (!with_system) break;
      with_system = false;
      continue;
    }
    auto parsed = parse_answer(*text);
    if (!parsed) {
      rejected = "the model's answer is not the schema's shape";
      constrained = true;
      continue;
    }
    const std::string name = (*parsed)["recipe_name"];
    ONDO_ASSIGN_OR_RETURN(auto close, closest_excluded(index, name, except));
    if (!except.empty() && close.second >= threshold) {
      rejected = "the model named '" + name + "', like excluded '" + close.first + "'";
      asked_except.push_back(name);
      continue;
    }
    answer = std::move(*parsed);
    source = constrained ? "model_structured" : "model";
    break;
  }
  if (answer.is_null()) {
    if (candidates.empty()) {
      return make_error(ErrorCode::Unavailable, "recommendation: no recipe found for these ingredients" +
                                                    (rejected.empty() ? std::string() : " (" + rejected + ")"));
    }
    answer = answer_of(candidates[0].recipe);
    source = "fallback";
  }

  // Which expiring items the answer uses.
  json uses = json::array();
  std::string note;
  for (const json& it : soon) {
    bool used = false;
    for (const json& ri : answer["recipe_ingredients"]) used = used || mentions(ri.get<std::string>(), it.value("ingredient", ""));
    if (!used) continue;
    uses.push_back({{"item_id", it["id"]}, {"name", it["name"]}, {"ingredient", it["ingredient"]},
                    {"use_by", it["use_by"]}, {"days_left", it["days_left"]}});
    if (it["days_left"].get<int64_t>() > kSoonDays) continue;  // used, but not what the note is about
    note += (note.empty() ? "" : ", ") + it.value("name", "") + " (" + std::to_string(it["days_left"].get<int64_t>()) +
            (korean ? "일)" : " d)");
  }
  json grounding = json::array();
  for (const Candidate& c : candidates) {
    grounding.push_back({{"id", c.recipe["id"]}, {"name", c.recipe["name"]}, {"score", c.score}});
  }
  answer["uses_expiring"] = uses;
  answer["note"] = note.empty() ? (korean ? "곧 상하는 재료를 쓰지 않습니다" : "uses none of the items expiring soon")
                                : (korean ? "곧 상하는 재료 사용: " : "uses what expires soon: ") + note;
  answer["grounding"] = grounding;
  answer["excluded_similar"] = excluded_similar;
  answer["ingredients"] = ingredients;
  answer["ingredients_from"] = defaulted ? "household_expiry" : "request";
  answer["except_recipe"] = except;
  answer["similarity_threshold"] = threshold;
  answer["source"] = source;
  answer["model"] = model;
  if (!rejected.empty()) answer["rejected"] = rejected;
  return answer;
}

}  // namespace ondo::apps::fridge
