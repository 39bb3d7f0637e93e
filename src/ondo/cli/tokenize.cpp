// `ondo tokenize [-m MODEL] [--no-special] [--parse-special] [-f FILE|-] [--] TEXT...`: prints
// the token ids of the text as one JSON array ("[1,9038,2501]" and a newline) on stdout.
// TEXT words are joined with single spaces; -f reads a file (or stdin for "-") byte for
// byte. --no-special adds no BOS/EOS/CLS/SEP; --parse-special reads special-token text as
// those tokens. Layer: cli.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"

namespace ondo::cli {
namespace {

const CommandSpec& tokenize_spec() {
  static const CommandSpec kSpec = {
      "tokenize",
      "tokenize [options] (-f FILE | -f - | [--] TEXT...)",
      "Prints the token ids of a text as one JSON array (\"[1,9038,2501]\" and a newline) on stdout.\n"
      "TEXT words are joined with single spaces; -f reads a file (or stdin for \"-\") byte for byte.",
      {
          model_option_spec(),
          {"-f|--file", "FILE", "", "tokenize the bytes of FILE (\"-\": stdin) instead of TEXT"},
          {"--no-special", "", "", "add no BOS/EOS/CLS/SEP tokens"},
          {"--parse-special", "", "", "read special-token text (e.g. <|im_start|>) as those tokens"},
      },
      "ondo tokenize 'Hello world'\n"
      "ondo tokenize -m model.gguf --no-special -f prompt.txt",
  };
  return kSpec;
}

Result<std::string> read_input(const Args& args) {
  auto file = args.get("-f");
  if (!file) {
    if (args.positional().empty()) {
      return make_error(ErrorCode::InvalidArgument, "no text given (pass TEXT, -f FILE or -f -)");
    }
    std::string text;
    for (const std::string& word : args.positional()) text += (text.empty() ? "" : " ") + word;
    return text;
  }
  if (!args.positional().empty()) {
    return make_error(ErrorCode::InvalidArgument, "give either TEXT or -f, not both");
  }
  if (*file == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(*file, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, *file + ": cannot open the file");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<std::unique_ptr<text::Tokenizer>> open_tokenizer(const Args& args) {
  ONDO_ASSIGN_OR_RETURN(std::string path, model_path_option(args));
  ONDO_ASSIGN_OR_RETURN(auto file, gguf::GgufFile::open(path));
  return text::Tokenizer::from_gguf(*file);
}

}  // namespace

int cmd_tokenize(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(tokenize_spec(), argc, argv, &args)) return *done;
  auto input = read_input(args);
  if (!input.ok()) return report("tokenize", input.error());
  auto tok = open_tokenizer(args);
  if (!tok.ok()) return report("tokenize", tok.error());
  text::EncodeOptions opts;
  opts.add_special = !args.has("--no-special");
  opts.parse_special = args.has("--parse-special");
  auto ids = (*tok)->encode(*input, opts);
  if (!ids.ok()) return report("tokenize", ids.error());
  std::string out = "[";
  for (size_t i = 0; i < ids->size(); ++i) {
    if (i) out += ',';
    out += std::to_string((*ids)[i]);
  }
  out += "]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace ondo::cli
