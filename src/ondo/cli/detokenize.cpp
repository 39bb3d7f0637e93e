// `ondo detokenize [-m MODEL] --tokens 1,2,3 [--render-special]`: writes the text of the
// token ids to stdout as raw bytes, with no newline added (control tokens write nothing
// unless --render-special). Layer: cli.
#include <cstdio>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"

namespace ondo::cli {

namespace {

const CommandSpec& detokenize_spec() {
  static const CommandSpec kSpec = {
      "detokenize",
      "detokenize [options] --tokens 1,2,3",
      "Writes the text of token ids to stdout as raw bytes, with no newline added. Control tokens\n"
      "write nothing unless --render-special.",
      {
          model_option_spec(),
          {"--tokens", "IDS", "", "comma-separated token ids (required)"},
          {"--render-special", "", "", "write the text of control tokens too"},
      },
      "ondo detokenize --tokens 1,2,3\n"
      "ondo detokenize -m model.gguf --tokens 15043,3186 --render-special",
  };
  return kSpec;
}

}  // namespace

int cmd_detokenize(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(detokenize_spec(), argc, argv, &args)) return *done;
  if (!args.positional().empty()) {
    return report("detokenize", make_error(ErrorCode::InvalidArgument,
                                           "unexpected argument '" + args.positional()[0] + "'"));
  }
  auto list = args.get("--tokens");
  if (!list) return report("detokenize", make_error(ErrorCode::InvalidArgument, "no tokens given (use --tokens 1,2,3)"));
  auto ids = parse_id_list(*list);
  if (!ids.ok()) return report("detokenize", ids.error());
  auto path = model_path_option(args);
  if (!path.ok()) return report("detokenize", path.error());
  auto file = gguf::GgufFile::open(*path);
  if (!file.ok()) return report("detokenize", file.error());
  auto tok = text::Tokenizer::from_gguf(**file);
  if (!tok.ok()) return report("detokenize", tok.error());
  if (auto st = check_ids_in_range(*ids, (*tok)->n_vocab()); !st.ok()) return report("detokenize", st.error());
  const std::string text = (*tok)->decode(*ids, args.has("--render-special"));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace ondo::cli
