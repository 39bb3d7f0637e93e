// Seeded random walks over the Llama 3 vocabulary (testdata): pick a random allowed token
// from each mask until end of generation; the text must parse as JSON and pass a small
// independent validator of the schema keywords used. Also checks mask == accept() on the
// full vocabulary at some steps. Layer: tests of infer/grammar (reference: reads testdata).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <regex>

#include "ondo/gguf/reader.h"
#include "ondo/infer/grammar/json_schema.h"
#include "ondo/infer/grammar/matcher.h"
#include "ondo/text/tokenizer.h"
#include "support/testdata.h"

namespace ondo::infer::grammar {
namespace {

using json = nlohmann::json;

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (const char c : s) n += (uint8_t(c) & 0xC0) != 0x80;
  return n;
}

bool valid_date(const std::string& s) {
  static const std::regex re("^[0-9]{4}-([0-9]{2})-([0-9]{2})$");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return false;
  const int month = std::stoi(m[1]), day = std::stoi(m[2]);
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1];
}

// Returns "" when `v` satisfies `s`, else what is wrong. Covers the keywords used below.
std::string check(const json& v, const json& s, const std::string& at) {
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) return at + ": not in enum";
  if (s.contains("type")) {
    const json types = s["type"].is_array() ? s["type"] : json::array({s["type"]});
    bool ok = false;
    for (const auto& t : types) {
      const std::string n = t;
      ok = ok || (n == "string" && v.is_string()) || (n == "integer" && v.is_number_integer()) ||
           (n == "number" && v.is_number()) || (n == "boolean" && v.is_boolean()) || (n == "null" && v.is_null()) ||
           (n == "object" && v.is_object()) || (n == "array" && v.is_array());
    }
    if (!ok) return at + ": wrong type";
  }
  if (v.is_string()) {
    const std::string str = v;
    if (s.contains("maxLength") && code_points(str) > s["maxLength"].get<size_t>()) return at + ": too long";
    if (s.contains("pattern") && !std::regex_search(str, std::regex(s["pattern"].get<std::string>()))) return at + ": pattern";
    if (s.value("format", "") == "date" && !valid_date(str)) return at + ": date";
    if (s.value("format", "") == "email" && !std::regex_match(str, std::regex("^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$"))) {
      return at + ": email";
    }
  }
  if (v.is_number_integer()) {
    if (s.contains("minimum") && v.get<int64_t>() < s["minimum"].get<int64_t>()) return at + ": below minimum";
    if (s.contains("maximum") && v.get<int64_t>() > s["maximum"].get<int64_t>()) return at + ": above maximum";
  }
  if (v.is_array()) {
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return at + ": too many items";
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return at + ": too few items";
    for (size_t i = 0; i < v.size() && s.contains("items"); ++i) {
      const std::string e = check(v[i], s["items"], at + "/" + std::to_string(i));
      if (!e.empty()) return e;
    }
  }
  if (v.is_object()) {
    for (const auto& r : s.value("required", json::array())) {
      if (!v.contains(r.get<std::string>())) return at + ": missing " + r.get<std::string>();
    }
    const json props = s.value("properties", json::object());
    for (const auto& [k, sub] : v.items()) {
      if (props.contains(k)) {
        const std::string e = check(sub, props[k], at + "/" + k);
        if (!e.empty()) return e;
      } else if (s.value("additionalProperties", json(true)) == json(false)) {
        return at + ": extra property " + k;
      }
    }
  }
  return "";
}

class RandomWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    ONDO_TESTDATA_OR_SKIP(dir);
    auto file = gguf::GgufFile::open(dir / "tokenizer" / "ggml-vocab-llama-bpe.gguf");
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto tok = text::Tokenizer::from_gguf(**file);
    ASSERT_TRUE(tok.ok()) << tok.error().message;
    tok_ = std::move(*tok);
    table_ = TokenTable::from_tokenizer(*tok_);
  }

  // Walks until end of generation; after `budget` steps prefers tokens that close things.
  std::string walk(const std::shared_ptr<const Grammar>& g, uint32_t seed, bool check_all) {
    Matcher m(g, table_);
    std::mt19937 rng(seed);
    std::vector<uint64_t> mask(table_->n_words());
    std::string text;
    for (int step = 0; step < 600; ++step) {
      m.fill_mask(mask);
      std::vector<int32_t> allowed, closing;
      for (int32_t id = 0; id < table_->n_vocab(); ++id) {
        if (!((mask[size_t(id) >> 6] >> (id & 63)) & 1)) continue;
        allowed.push_back(id);
        const auto b = table_->bytes(id);
        if (table_->kind(id) == TokenTable::Kind::EndOfGeneration || b == "\"" || b == "}" || b == "]" || b == "0") {
          closing.push_back(id);
        }
        if (check_all && step % 7 == 0) {
          Matcher copy = m;
          EXPECT_TRUE(copy.accept(id).ok()) << "masked-in token " << id << " refused at step " << step;
        }
      }
      if (check_all && step % 7 == 0) {
        for (int32_t id = 0; id < table_->n_vocab(); id += 13) {
          if ((mask[size_t(id) >> 6] >> (id & 63)) & 1) continue;
          Matcher copy = m;
          EXPECT_FALSE(copy.accept(id).ok()) << "masked-out token " << id << " accepted at step " << step;
        }
      }
      EXPECT_FALSE(allowed.empty()) << "dead end after: " << text;
      if (allowed.empty()) return text;
      const auto& pool = step > 80 && !closing.empty() ? closing : allowed;
      const int32_t pick = pool[rng() % pool.size()];
      EXPECT_TRUE(m.accept(pick).ok());
      if (table_->kind(pick) == TokenTable::Kind::EndOfGeneration) return text;
      text += table_->bytes(pick);
    }
    ADD_FAILURE() << "no end of generation after 600 tokens: " << text;
    return text;
  }

  void run_schema(const std::string& schema_text, int n_walks, bool check_all) {
    auto g = compile_json_schema_text(schema_text);
    ASSERT_TRUE(g.ok()) << g.error().message;
    const json schema = json::parse(schema_text);
    for (int i = 0; i < n_walks; ++i) {
      const std::string text = walk(*g, 1000u + uint32_t(i), check_all && i == 0);
      const json v = json::parse(text, nullptr, false);
      ASSERT_FALSE(v.is_discarded()) << "not JSON: " << text;
      EXPECT_EQ(check(v, schema, ""), "") << text;
    }
  }

  std::unique_ptr<text::Tokenizer> tok_;
  std::shared_ptr<const TokenTable> table_;
};

TEST_F(RandomWalk, RecipeSchema) {
  run_schema(R"({"type":"object","properties":{"recipe_name":{"type":"string"},"recipe_ingredients":{"type":"array",
      "items":{"type":"string"}},"recipes":{"type":"array","items":{"type":"string"}}},
      "required":["recipe_name","recipe_ingredients","recipes"],"additionalProperties":false})",
             6, true);
}

TEST_F(RandomWalk, NestedSchemaWithFormatsAndRanges) {
  run_schema(R"({"type":"object","properties":{"id":{"type":"integer","minimum":-17,"maximum":1234},
      "name":{"type":"string","maxLength":12},"email":{"type":"string","format":"email"},
      "created":{"type":"string","format":"date"},"zip":{"type":"string","pattern":"^[0-9]{5}$"},
      "role":{"enum":["admin","editor",null]},"tags":{"type":"array","items":{"type":"string","maxLength":4},"minItems":1,"maxItems":3},
      "notes":{"type":["string","null"]},"score":{"type":"number"}},
      "required":["id","name","email","created","zip","role","tags"],"additionalProperties":false})",
             6, true);
}

}  // namespace
}  // namespace ondo::infer::grammar
