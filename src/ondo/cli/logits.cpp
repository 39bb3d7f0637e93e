// `ondo logits [-m MODEL] --tokens 1,2,3 [-t N] [-c N] [--dump-activations DIR]`: evaluates the tokens
// as one sequence and prints {"n_vocab": V, "logits": [[V floats], ...]} (one row per token,
// %.9g); --dump-activations writes every named activation into DIR (model_options.h) to
// compare a model with the reference layer by layer. Layer: cli.
#include <cstdio>
#include <string>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/infer/session.h"

namespace ondo::cli {

namespace {

const CommandSpec& logits_spec() {
  static const CommandSpec kSpec = {
      "logits",
      "logits [options] --tokens 1,2,3",
      "Evaluates the token ids as one sequence and prints {\"n_vocab\": V, \"logits\": [[V floats], ...]}\n"
      "(one row per token, %.9g) on stdout, to compare a model with a reference.",
      {
          model_option_spec(),
          {"--tokens", "IDS", "", "comma-separated token ids (required)"},
          threads_option_spec(),
          {"-c|--ctx", "N", "the larger of 256 and the token count", "context size in tokens"},
          {"--dump-activations", "DIR", "", "write every named activation into DIR (<name>.f32 and shapes.tsv)"},
      },
      "ondo logits -m model.gguf --tokens 1,15043,3186",
  };
  return kSpec;
}

}  // namespace

int cmd_logits(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(logits_spec(), argc, argv, &args)) return *done;
  auto tok_arg = args.get("--tokens");
  if (!tok_arg) return report("logits", make_error(ErrorCode::InvalidArgument, "no tokens given (use --tokens 1,2,3)"));
  auto ids = parse_id_list(*tok_arg);
  if (!ids.ok()) return report("logits", ids.error());
  if (ids->empty()) return report("logits", make_error(ErrorCode::InvalidArgument, "the token list is empty"));
  auto threads = threads_option(args);
  if (!threads.ok()) return report("logits", threads.error());
  model::LoadOptions load = load_options_from_env();
  if (auto dir = args.get("--dump-activations")) {
    auto tap = activation_dump_tap(*dir);
    if (!tap.ok()) return report("logits", tap.error());
    load.tap = std::move(tap).value();
  }
  core::ComputePool compute(*threads);
  auto model = load_model_option(args, compute, std::move(load));
  if (!model.ok()) return report("logits", model.error());
  if (auto st = check_ids_in_range(*ids, (*model)->hparams().n_vocab); !st.ok()) return report("logits", st.error());

  const int64_t n = int64_t(ids->size());
  auto ctx = args.get_int("-c", std::max<int64_t>(n, 256));
  if (!ctx.ok()) return report("logits", ctx.error());
  if (args.has("-c")) warn_ctx_above_trained("logits", "-c", *ctx, **model);
  auto session = infer::Session::create(**model, compute, {int32_t(*ctx), 512});
  if (!session.ok()) return report("logits", session.error());
  auto logits = (*session)->eval(*ids, /*all_logits=*/true);
  if (!logits.ok()) return report("logits", logits.error());

  const int64_t V = (*model)->hparams().n_vocab;
  std::printf("{\"n_vocab\": %lld, \"logits\": [", (long long)V);
  for (int64_t t = 0; t < n; ++t) {
    std::fputs(t ? ", [" : "[", stdout);
    const float* row = logits->data() + t * V;
    for (int64_t i = 0; i < V; ++i) std::printf(i ? ", %.9g" : "%.9g", double(row[i]));
    std::fputs("]", stdout);
  }
  std::fputs("]}\n", stdout);
  return 0;
}

}  // namespace ondo::cli
