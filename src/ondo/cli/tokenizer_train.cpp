// `ondo tokenizer train --data FILE... --vocab N --out tok.gguf [--control TOKEN...]`:
// learns a SentencePiece-style BPE vocabulary with byte fallback and writes it as GGUF
// tokenizer metadata. Layer: cli.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ondo/cli/commands.h"
#include "ondo/cli/args.h"
#include "ondo/train/bpe_trainer.h"

namespace ondo::cli {
namespace {

// The texts of a data file: .jsonl lines give "text", "prompt" and "completion" strings;
// anything else is read whole.
Result<std::vector<std::string>> read_texts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the data file");
  std::vector<std::string> out;
  if (!path.ends_with(".jsonl")) {
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
    return out;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return make_error(ErrorCode::InvalidFile, path + ": line " + std::to_string(n) + ": not a JSON object");
    }
    for (const char* key : {"text", "prompt", "completion"}) {
      if (j.contains(key) && j[key].is_string()) out.push_back(j[key].get<std::string>());
    }
  }
  return out;
}

int tokenizer_train(int argc, char** argv) {
  Args args({"--data", "--vocab", "--out", "--control"}, {});
  if (auto st = args.parse(argc, argv); !st.ok()) return report("tokenizer train", st.error());
  const auto files = args.get_all("--data");
  const auto out = args.get("--out");
  if (files.empty() || !out) {
    return report("tokenizer train", make_error(ErrorCode::InvalidArgument, "need --data FILE and --out tok.gguf"));
  }
  auto vocab = args.get_int("--vocab", 4096);
  if (!vocab.ok()) return report("tokenizer train", vocab.error());
  if (*vocab < 1 || *vocab > (1 << 20)) {
    return report("tokenizer train", make_error(ErrorCode::InvalidArgument, "--vocab is out of range"));
  }
  std::vector<std::string> texts;
  for (const std::string& f : files) {
    auto t = read_texts(f);
    if (!t.ok()) return report("tokenizer train", t.error());
    for (auto& s : *t) texts.push_back(std::move(s));
  }
  train::BpeTrainOptions o;
  o.vocab_size = int32_t(*vocab);
  if (args.has("--control")) o.control_tokens = args.get_all("--control");
  auto v = train::train_bpe(texts, o);
  if (!v.ok()) return report("tokenizer train", v.error());
  gguf::Writer w;
  w.set_string("general.architecture", "tokenizer");
  train::write_tokenizer_metadata(*v, w);
  if (auto st = w.write(*out); !st.ok()) return report("tokenizer train", st.error());
  std::fprintf(stderr, "ondo tokenizer train: %zu tokens (%d merges) written to %s\n", v->tokens.size(), v->n_merges,
               out->c_str());
  return 0;
}

}  // namespace

int cmd_tokenizer(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "train") != 0) {
    std::fprintf(stderr, "usage: ondo tokenizer train --data FILE... --vocab N --out tok.gguf [--control TOKEN...]\n");
    return 2;
  }
  return tokenizer_train(argc - 1, argv + 1);
}

}  // namespace ondo::cli
