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

const CommandSpec& tokenizer_train_spec() {
  static const CommandSpec kSpec = {
      "tokenizer train",
      "tokenizer train --data FILE... --out TOK.gguf [options]",
      "Learns a SentencePiece-style BPE vocabulary with byte fallback from text files (a .jsonl\n"
      "file gives its lines' \"text\", \"prompt\" and \"completion\" strings; any other file is read\n"
      "whole) and writes it as GGUF tokenizer metadata, for `ondo train --tokenizer`.",
      {
          {"--data", "FILE", "", "training text; repeat for more files (required)"},
          {"--vocab", "N", "4096", "vocabulary size"},
          {"--out", "FILE", "", "the tokenizer GGUF to write (required)"},
          {"--control", "TOKEN", "", "a control token to reserve (e.g. <|im_start|>); repeat for more"},
      },
      "ondo tokenizer train --data train.jsonl --vocab 1024 --out tok.gguf",
  };
  return kSpec;
}

int tokenizer_train(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(tokenizer_train_spec(), argc, argv, &args)) return *done;
  const auto files = args.get_all("--data");
  const auto out = args.get("--out");
  if (files.empty() || !out) {
    return report("tokenizer train", make_error(ErrorCode::InvalidArgument, "need --data FILE and --out tok.gguf"));
  }
  auto vocab = args.get_int("--vocab");
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
  const bool help = argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0);
  if (argc < 2 || std::strcmp(argv[1], "train") != 0) {
    std::fprintf(help ? stdout : stderr,
                 "usage: ondo tokenizer train --data FILE... --out TOK.gguf [options]\n\n"
                 "`ondo tokenizer train --help` describes the options.\n");
    return help ? 0 : 2;
  }
  return tokenizer_train(argc - 1, argv + 1);
}

}  // namespace ondo::cli
