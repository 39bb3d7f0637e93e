// Grammar mask cost on the Llama 3 vocabulary (128,256 tokens): for two schemas (the recipe
// schema and a 10-field nested object), tokenizes a realistic JSON answer, replays it
// through a Matcher and times fill_mask() at every step. Reports median and mean per token,
// for a cold engine (first sequence) and a warm one (a second sequence of the same schema).
// Layer: bench (infer/grammar). Usage: bench_grammar_mask [path/to/ggml-vocab-llama-bpe.gguf]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ondo/gguf/reader.h"
#include "ondo/infer/grammar/json_schema.h"
#include "ondo/infer/grammar/matcher.h"
#include "ondo/text/tokenizer.h"

namespace {

using namespace ondo;
using namespace ondo::infer::grammar;

struct Case {
  const char* name;
  const char* schema;
  const char* answer;
};

const Case kCases[] = {
    {"recipe",
     R"j({"type":"object","properties":{"recipe_name":{"type":"string"},"recipe_ingredients":{"type":"array","items":{"type":"string"}},"recipes":{"type":"array","items":{"type":"string"}}},"required":["recipe_name","recipe_ingredients","recipes"],"additionalProperties":false})j",
     R"j({"recipe_name": "Kimchi Fried Rice with a Fried Egg", "recipe_ingredients": ["2 cups cooked rice (day-old)", "1 cup chopped kimchi", "2 tbsp kimchi juice", "1 tbsp gochujang", "1 tbsp soy sauce", "2 green onions, sliced", "1 egg", "1 tsp sesame oil", "toasted sesame seeds"], "recipes": ["Heat oil in a pan over medium-high heat and fry the kimchi for 2 minutes.", "Add the rice, gochujang, soy sauce and kimchi juice; stir-fry until evenly coated and slightly crispy.", "Fry the egg sunny side up in a separate pan.", "Plate the rice, top with the egg, green onions, sesame oil and sesame seeds."]})j"},
    {"nested10",
     R"j({"type":"object","properties":{"id":{"type":"integer","minimum":1,"maximum":99999},"name":{"type":"string","maxLength":60},"email":{"type":"string","format":"email"},"active":{"type":"boolean"},"score":{"type":"number"},"tags":{"type":"array","items":{"type":"string"},"maxItems":5},"created":{"type":"string","format":"date"},"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}},"required":["street","city","zip"]},"role":{"enum":["admin","editor","viewer"]},"notes":{"type":["string","null"]}},"required":["id","name","email","active","score","tags","created","address","role","notes"]})j",
     R"j({"id": 4821, "name": "Minji Park", "email": "minji.park@example.com", "active": true, "score": 87.5, "tags": ["vegetarian", "spicy", "quick meals"], "created": "2025-11-03", "address": {"street": "12 Sejong-daero", "city": "Seoul", "zip": "04524"}, "role": "editor", "notes": "Prefers recipes under 30 minutes; allergic to peanuts."})j"},
};

double run_sequence(Matcher m, const std::vector<int32_t>& ids, size_t n_words, std::vector<double>& us) {
  std::vector<uint64_t> mask(n_words);
  for (const int32_t id : ids) {
    const auto t0 = std::chrono::steady_clock::now();
    m.fill_mask(mask);
    const auto t1 = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    if (!((mask[size_t(id) >> 6] >> (id & 63)) & 1) || !m.accept(id).ok()) {
      std::fprintf(stderr, "token %d not allowed by the grammar\n", id);
      return -1;
    }
  }
  return m.can_stop() ? 0 : -1;
}

void report(const char* name, const char* phase, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  std::printf("%-9s %-5s tokens %4zu  median %8.2f us  mean %8.2f us  p90 %8.2f us  max %9.1f us\n", name, phase,
              us.size(), us[us.size() / 2], sum / double(us.size()), us[us.size() * 9 / 10], us.back());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "../shared/testdata/tokenizer/ggml-vocab-llama-bpe.gguf";
  auto file = gguf::GgufFile::open(path);
  if (!file.ok()) {
    std::fprintf(stderr, "%s\n", file.error().message.c_str());
    return 1;
  }
  auto tok = text::Tokenizer::from_gguf(**file);
  if (!tok.ok()) return 1;
  const auto t0 = std::chrono::steady_clock::now();
  auto table = TokenTable::from_tokenizer(**tok);
  const auto t1 = std::chrono::steady_clock::now();
  std::printf("token table: %d tokens, %zu trie nodes, built in %.1f ms\n", table->n_vocab(), table->nodes().size(),
              std::chrono::duration<double, std::milli>(t1 - t0).count());
  for (const Case& c : kCases) {
    auto g = compile_json_schema_text(c.schema);
    if (!g.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name, g.error().message.c_str());
      return 1;
    }
    auto ids = (*tok)->encode(c.answer, {.add_special = false});
    std::vector<double> cold, warm;
    if (run_sequence(Matcher(*g, table), *ids, table->n_words(), cold) != 0) return 1;
    if (run_sequence(Matcher(*g, table), *ids, table->n_words(), warm) != 0) return 1;
    report(c.name, "cold", cold);
    report(c.name, "warm", warm);
  }
  return 0;
}
