// `ondo detokenize -m MODEL --tokens 1,2,3 [--render-special]`: writes the text of the
// token ids to stdout as raw bytes, with no newline added (control tokens write nothing
// unless --render-special). Layer: cli.
#include <cstdio>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"

namespace ondo::cli {

int cmd_detokenize(int argc, char** argv) {
  Args args({"-m|--model", "--tokens"}, {"--render-special", "-h|--help"});
  if (auto st = args.parse(argc, argv); !st.ok()) return report("detokenize", st.error());
  if (args.has("-h")) {
    std::fputs("usage: ondo detokenize -m MODEL --tokens 1,2,3 [--render-special]\n", stdout);
    return 0;
  }
  if (!args.positional().empty()) {
    return report("detokenize", make_error(ErrorCode::InvalidArgument,
                                           "unexpected argument '" + args.positional()[0] + "'"));
  }
  auto list = args.get("--tokens");
  if (!list) return report("detokenize", make_error(ErrorCode::InvalidArgument, "no tokens given (use --tokens 1,2,3)"));
  auto ids = parse_id_list(*list);
  if (!ids.ok()) return report("detokenize", ids.error());
  auto path = args.get("-m");
  if (!path) return report("detokenize", make_error(ErrorCode::InvalidArgument, "no model given (use -m MODEL)"));
  auto file = gguf::GgufFile::open(*path);
  if (!file.ok()) return report("detokenize", file.error());
  auto tok = text::Tokenizer::from_gguf(**file);
  if (!tok.ok()) return report("detokenize", tok.error());
  for (size_t i = 0; i < ids->size(); ++i) {
    if ((*ids)[i] >= (*tok)->n_vocab()) {
      return report("detokenize", make_error(ErrorCode::InvalidArgument,
                    "token " + std::to_string(i) + ": id " + std::to_string((*ids)[i]) +
                    " is out of range (seen " + std::to_string((*ids)[i]) + ", expected 0 to " +
                    std::to_string((*tok)->n_vocab() - 1) + ")"));
    }
  }
  const std::string text = (*tok)->decode(*ids, args.has("--render-special"));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace ondo::cli
