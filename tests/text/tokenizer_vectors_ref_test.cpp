// Conformance of the tokenizers with llama.cpp on ../shared/testdata/tokenizer: every
// vocabulary's .inp/.out and .ko.inp/.ko.out cases, tokenized without BOS/EOS and with
// special-token text read as plain text. One test per vocabulary and set. Layer: text.
#include <gtest/gtest.h>

#include <sstream>

#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"
#include "support/testdata.h"

namespace ondo::text {
namespace {

struct VectorSet {
  std::string vocab;   // ggml-vocab-<vocab>.gguf
  std::string suffix;  // "" or ".ko"
};

void PrintTo(const VectorSet& s, std::ostream* os) { *os << s.vocab << s.suffix; }

std::string set_name(const ::testing::TestParamInfo<VectorSet>& info) {
  std::string n = info.param.vocab + (info.param.suffix.empty() ? "" : "_ko");
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}

// Cases in .inp are separated (and terminated) by "\n__ggml_vocab_test__\n".
std::vector<std::string> split_inputs(const std::string& data) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t hit = data.find(sep, pos);
    if (hit == std::string::npos) break;
    out.push_back(data.substr(pos, hit - pos));
    pos = hit + sep.size();
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
    int64_t id;
    while (ids >> id) row.push_back(int32_t(id));
    out.push_back(std::move(row));
  }
  return out;
}

std::string ids_text(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

class TokenizerVectors : public ::testing::TestWithParam<VectorSet> {};

TEST_P(TokenizerVectors, MatchesLlamaCpp) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto base = dir / "tokenizer" / ("ggml-vocab-" + GetParam().vocab + ".gguf");
  auto file = gguf::GgufFile::open(base);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto tok = Tokenizer::from_gguf(**file);
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  const std::string stem = base.string() + GetParam().suffix;
  const auto inputs = split_inputs(testing::read_file(stem + ".inp"));
  const auto expected = parse_outputs(testing::read_file(stem + ".out"));
  ASSERT_FALSE(inputs.empty());
  ASSERT_EQ(inputs.size(), expected.size()) << stem;
  int failures = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto got = (*tok)->encode(inputs[i], {.add_special = false, .parse_special = false});
    ASSERT_TRUE(got.ok()) << got.error().message;
    if (*got == expected[i]) continue;
    if (failures++ == 0) {
      ADD_FAILURE() << "case " << i << " text '" << inputs[i] << "'\n  expected: " << ids_text(expected[i])
                    << "\n  got:      " << ids_text(*got);
    }
  }
  EXPECT_EQ(failures, 0) << failures << " of " << inputs.size() << " cases differ";
}

std::vector<VectorSet> all_sets() {
  std::vector<VectorSet> sets;
  for (const char* v : {"llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "falcon", "mpt",
                        "starcoder", "bert-bge"}) {
    sets.push_back({v, ""});
    sets.push_back({v, ".ko"});
  }
  return sets;
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, TokenizerVectors, ::testing::ValuesIn(all_sets()), set_name);

}  // namespace
}  // namespace ondo::text
