// Whole-tokenizer differential test on the reference vocabularies (../shared/testdata/tokenizer):
// an oracle tokenizer written here from the published rules, independent of ondo's encoders,
//   BPE: the family's regexes under PCRE2 (regex_oracle.h), then per word the naive merge
//        loop (lowest merge rank first, leftmost on ties; a word that is a token is kept whole
//        where tokenizer.ggml.pre turns ignore_merges on), byte-level symbols;
//   SPM: the dummy-prefix space when add_space_prefix, every ' ' as U+2581, then the naive
//        merge loop (highest score first, leftmost on ties, only pairs that are tokens), and
//        <0xNN> byte tokens for symbols that are not tokens (so \t and \n fall back to bytes),
// must first reproduce llama.cpp's own vectors (.inp/.out and .ko.inp/.ko.out) id for id, which
// shows the oracle follows llama.cpp; then ondo's Tokenizer must give the oracle's ids on
// generated whitespace and code strings and on this file's own whitespace vectors. Layer: text.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"
#include "ondo/text/vocab.h"
#include "support/testdata.h"
#include "text/regex_oracle.h"

namespace ondo::text {
namespace {

std::vector<std::string> utf8_chars(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::min(unicode::utf8_len(uint8_t(s[i])), s.size() - i);
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

class OracleTokenizer {
 public:
  explicit OracleTokenizer(const Vocab& v) : v_(v) {
    for (int32_t id = 0; id < v.n(); ++id) {
      if (v.tokens[size_t(id)].attr & kAttrUserDefined) user_defined_.push_back(id);
    }
    std::stable_sort(user_defined_.begin(), user_defined_.end(), [&](int32_t a, int32_t b) {
      return v.tokens[size_t(a)].text.size() > v.tokens[size_t(b)].text.size();
    });
    if (v.kind == VocabKind::Bpe) {
      for (size_t i = 0; i < v.merges.size(); ++i) rank_.emplace(v.merges[i], int(i));
      regexes_ = testing::make_oracle(*find_pre_tokenizer(v.pre_name));
    }
  }

  // Without special-token parsing llama.cpp still cuts user-defined tokens out of the text
  // (longest first, left to right); the raw pieces between are encoded one by one.
  std::vector<int32_t> encode(const std::string& text) const {
    std::vector<std::pair<int32_t, std::string>> frags;  // empty text: no fragment at all
    if (!text.empty()) frags.emplace_back(-1, text);
    for (int32_t id : user_defined_) {
      const std::string& t = v_.tokens[size_t(id)].text;
      std::vector<std::pair<int32_t, std::string>> next;
      for (auto& [tok, raw] : frags) {
        if (tok >= 0) { next.emplace_back(tok, raw); continue; }
        size_t pos = 0;
        for (size_t hit; (hit = raw.find(t, pos)) != std::string::npos; pos = hit + t.size()) {
          if (hit > pos) next.emplace_back(-1, raw.substr(pos, hit - pos));
          next.emplace_back(id, t);
        }
        if (pos < raw.size()) next.emplace_back(-1, raw.substr(pos));
      }
      frags = std::move(next);
    }
    std::vector<int32_t> out;
    bool prev_special = true;
    for (const auto& [tok, raw] : frags) {
      if (tok >= 0) { out.push_back(tok); prev_special = true; continue; }
      if (v_.kind == VocabKind::Spm) {
        const std::string spaced = v_.add_space_prefix && prev_special ? " " + raw : raw;
        std::string escaped;
        for (char c : spaced) escaped += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
        spm(escaped, &out);
      } else {
        for (const std::string& word : testing::oracle_words(*regexes_, unicode::decode_utf8(raw))) bpe(word, &out);
      }
      prev_special = false;
    }
    return out;
  }

 private:
  void spm(const std::string& text, std::vector<int32_t>* out) const {
    std::vector<std::string> sym = utf8_chars(text);
    while (true) {
      int best = -1;
      float best_score = 0;
      for (size_t i = 0; i + 1 < sym.size(); ++i) {
        const int32_t id = v_.find(sym[i] + sym[i + 1]);
        if (id < 0) continue;
        if (best < 0 || v_.tokens[size_t(id)].score > best_score) best = int(i), best_score = v_.tokens[size_t(id)].score;
      }
      if (best < 0) break;
      sym[size_t(best)] += sym[size_t(best) + 1];
      sym.erase(sym.begin() + best + 1);
    }
    for (const std::string& s : sym) {
      if (const int32_t id = v_.find(s); id >= 0) { out->push_back(id); continue; }
      for (unsigned char c : s) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", c);
        const int32_t b = v_.find(hex);
        out->push_back(b >= 0 ? b : v_.unk);
      }
    }
  }

  void bpe(const std::string& word, std::vector<int32_t>* out) const {
    if (v_.ignore_merges) {
      if (const int32_t id = v_.find(word); id >= 0) { out->push_back(id); return; }
    }
    std::vector<std::string> sym = utf8_chars(word);
    while (true) {
      int best = -1, best_rank = 0;
      for (size_t i = 0; i + 1 < sym.size(); ++i) {
        auto it = rank_.find(sym[i] + " " + sym[i + 1]);
        if (it == rank_.end()) continue;
        if (best < 0 || it->second < best_rank) best = int(i), best_rank = it->second;
      }
      if (best < 0) break;
      sym[size_t(best)] += sym[size_t(best) + 1];
      sym.erase(sym.begin() + best + 1);
    }
    for (const std::string& s : sym) {
      if (const int32_t id = v_.find(s); id >= 0) { out->push_back(id); continue; }
      for (char c : s) {
        if (const int32_t id = v_.find(std::string(1, c)); id >= 0) out->push_back(id);
      }
    }
  }

  const Vocab& v_;
  std::vector<int32_t> user_defined_;  // longest text first
  std::unordered_map<std::string, int> rank_;
  std::unique_ptr<testing::Oracle> regexes_;
};

std::vector<std::string> split_inputs(const std::string& data) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  for (size_t pos = 0, hit; (hit = data.find(sep, pos)) != std::string::npos; pos = hit + sep.size()) {
    out.push_back(data.substr(pos, hit - pos));
  }
  return out;
}

std::vector<std::vector<int32_t>> parse_outputs(const std::string& data) {
  std::vector<std::vector<int32_t>> out;
  std::istringstream lines(data);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ids(line);
    std::vector<int32_t> row;
    for (int64_t id; ids >> id;) row.push_back(int32_t(id));
    out.push_back(std::move(row));
  }
  return out;
}

std::string ids_text(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

std::string shown(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += char(c);
  }
  return out;
}

// Whitespace runs before more text and blank lines between code lines, written for this test.
const std::vector<std::string> kOwnVectors = {
    "a\t \nb",
    "x = 1\n\n\ny = 2",
    "\t\t  \n  \tfoo",
    "int main() {\r\n\r\n    return 0;\r\n}\r\n",
    "def f():\n\n\n\tpass\n",
    "  \n\n  bar",
    " \t \t x",
    "line1\n \nline2",
    "if (a) {\n\t\t\n\t\treturn;\n\t}\n\n\n",
    "\n\n\n\n",
    "\t\n\t\n",
    "   ",
    "\r\n\r\n\r\nz",
    "a  \t  b",
    "// comment\n\n#include <x>\n",
    "caf\xC3\xA9\n\n\xED\x95\x9C\xEA\xB8\x80 \t1234",
    "  'll  'S\t's",
    "x\xC2\xA0\xC2\xA0y\n\xE3\x80\x80z",
};

struct Vocabulary {
  std::unique_ptr<gguf::GgufFile> file;
  Vocab vocab;
  std::unique_ptr<Tokenizer> tok;
};

class TokenizerOracle : public ::testing::TestWithParam<std::string> {
 protected:
  bool load(const std::filesystem::path& dir, Vocabulary* v) {
    auto file = gguf::GgufFile::open(dir / "tokenizer" / ("ggml-vocab-" + GetParam() + ".gguf"));
    EXPECT_TRUE(file.ok()) << file.error().message;
    if (!file.ok()) return false;
    auto vocab = load_vocab(**file);
    auto tok = Tokenizer::from_gguf(**file);
    EXPECT_TRUE(vocab.ok() && tok.ok());
    if (!vocab.ok() || !tok.ok()) return false;
    v->file = std::move(*file);
    v->vocab = std::move(*vocab);
    v->tok = std::move(*tok);
    return true;
  }
};

TEST_P(TokenizerOracle, OracleReproducesLlamaCppVectors) {
  ONDO_TESTDATA_OR_SKIP(dir);
  Vocabulary v;
  ASSERT_TRUE(load(dir, &v));
  const OracleTokenizer oracle(v.vocab);
  size_t compared = 0, failures = 0;
  for (const char* suffix : {"", ".ko"}) {
    const std::string stem = (dir / "tokenizer" / ("ggml-vocab-" + GetParam() + ".gguf")).string() + suffix;
    const auto inputs = split_inputs(testing::read_file(stem + ".inp"));
    const auto expected = parse_outputs(testing::read_file(stem + ".out"));
    ASSERT_EQ(inputs.size(), expected.size()) << stem;
    for (size_t i = 0; i < inputs.size(); ++i, ++compared) {
      const auto got = oracle.encode(inputs[i]);
      if (got != expected[i] && ++failures <= 5) {
        ADD_FAILURE() << stem << " case " << i << " \"" << shown(inputs[i]) << "\"\n  oracle:    " << ids_text(got)
                      << "\n  llama.cpp: " << ids_text(expected[i]);
      }
    }
  }
  EXPECT_EQ(failures, 0u) << failures << " of " << compared;
  EXPECT_GT(compared, 40u);
}

TEST_P(TokenizerOracle, OndoMatchesTheOracleOnWhitespaceAndCode) {
  ONDO_TESTDATA_OR_SKIP(dir);
  Vocabulary v;
  ASSERT_TRUE(load(dir, &v));
  const OracleTokenizer oracle(v.vocab);
  std::vector<std::string> inputs = kOwnVectors;
  // Characters where llama.cpp (and so ondo) departs from the Unicode regex: see
  // pretok_oracle_test.cpp. The deepseek families have no vocabulary here.
  const auto more = testing::generated_strings(1500, 777u, nullptr);
  inputs.insert(inputs.end(), more.begin(), more.end());
  size_t failures = 0;
  for (const std::string& s : inputs) {
    auto got = v.tok->encode(s, {.add_special = false, .parse_special = false});
    ASSERT_TRUE(got.ok()) << got.error().message;
    const auto want = oracle.encode(s);
    if (*got != want && ++failures <= 5) {
      ADD_FAILURE() << GetParam() << " \"" << shown(s) << "\"\n  ondo:   " << ids_text(*got) << "\n  oracle: " << ids_text(want);
    }
  }
  EXPECT_EQ(failures, 0u) << failures << " of " << inputs.size();
  RecordProperty("strings_compared", std::to_string(inputs.size()));
}

// llama's SentencePiece rules spelled out: ' ' -> U+2581, one dummy-prefix space before the
// text, and \t and \n (no tokens of their own here) as the byte tokens <0x09> and <0x0A>.
TEST(TokenizerOracleSpm, LlamaSpmEscapesSpacesAddsTheDummyPrefixAndFallsBackToBytes) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto file = gguf::GgufFile::open(dir / "tokenizer" / "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(file.ok());
  auto vocab = load_vocab(**file);
  auto tok = Tokenizer::from_gguf(**file);
  ASSERT_TRUE(vocab.ok() && tok.ok());
  ASSERT_TRUE(vocab->add_space_prefix);
  auto id = [&](const char* text) {
    const int32_t i = vocab->find(text);
    EXPECT_GE(i, 0) << text;
    return i;
  };
  EXPECT_LT(vocab->find("\t"), 0);
  EXPECT_LT(vocab->find("\n"), 0);
  const std::string sp = "\xE2\x96\x81";
  auto enc = [&](const std::string& s) { return *(*tok)->encode(s, {.add_special = false, .parse_special = false}); };
  EXPECT_EQ(enc("\t\n"), (std::vector<int32_t>{id(sp.c_str()), id("<0x09>"), id("<0x0A>")}));
  EXPECT_EQ(enc("a\n\n\tb  c"), (std::vector<int32_t>{id((sp + "a").c_str()), id("<0x0A>"), id("<0x0A>"), id("<0x09>"),
                                                       id("b"), id(sp.c_str()), id((sp + "c").c_str())}));
  EXPECT_EQ(enc("").size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, TokenizerOracle,
                         ::testing::Values("llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "falcon", "mpt",
                                           "starcoder"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace ondo::text
