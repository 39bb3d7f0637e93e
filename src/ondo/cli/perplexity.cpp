// `ondo perplexity -m MODEL -f TEXT [--kl-base BASE.gguf] [--chunk N] [--chunks N]`: the
// model's perplexity on the text and, with a base model, the KL divergence of its token
// distributions from the base's (train/perplexity.h). Layer: cli. Prints one JSON object.
#include <cstdio>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/train/perplexity.h"

namespace ondo::cli {
namespace {

const CommandSpec& perplexity_spec() {
  static const CommandSpec kSpec = {
      "perplexity",
      "perplexity [options] -f TEXT [--kl-base BASE.gguf]",
      "Runs the model over the text in chunks (each one sequence from position 0; the second\n"
      "half of each chunk is scored) and prints {\"ppl\", \"nll\", ...} as JSON on stdout. With\n"
      "--kl-base, also the mean KL divergence of the model's next-token distributions from the\n"
      "base model's (e.g. a quantized file against its F32 original) and how often their top\n"
      "tokens agree.",
      {
          model_option_spec(),
          {"-f|--file", "FILE", "", "text to score (required)"},
          {"--kl-base", "FILE", "", "reference model for the KL divergence"},
          {"--chunk", "N", "512", "tokens per chunk"},
          {"--chunks", "N", "0", "at most N chunks (0: all of the text)"},
          {"--parse-special", "", "", "read control-token text in the file (e.g. chat markers) as those tokens"},
          threads_option_spec(),
      },
      "ondo perplexity -m model-q4_k_m.gguf -f heldout.txt --kl-base model-f32.gguf --chunk 256",
  };
  return kSpec;
}

}  // namespace

int cmd_perplexity(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(perplexity_spec(), argc, argv, &args)) return *done;
  if (!args.positional().empty()) {
    return report("perplexity", make_error(ErrorCode::InvalidArgument, "unexpected argument '" + args.positional()[0] + "'"));
  }
  auto file = args.get("-f");
  if (!file) return report("perplexity", make_error(ErrorCode::InvalidArgument, "no text given (use -f FILE)"));
  auto model = model_path_option(args);
  if (!model.ok()) return report("perplexity", model.error());
  auto chunk = args.get_int("--chunk");
  auto chunks = args.get_int("--chunks");
  if (!chunk.ok()) return report("perplexity", chunk.error());
  if (!chunks.ok()) return report("perplexity", chunks.error());
  if (*chunk < 4 || *chunk > 1 << 20 || *chunks < 0 || *chunks > 1 << 30) {
    return report("perplexity", make_error(ErrorCode::InvalidArgument, "--chunk must be 4..1048576 and --chunks >= 0"));
  }
  auto threads = threads_option(args);
  if (!threads.ok()) return report("perplexity", threads.error());
  train::PerplexityOptions o;
  o.model = *model;
  if (auto base = args.get("--kl-base")) o.kl_base = *base;
  o.source.text_file = *file;
  o.source.chunk = int32_t(*chunk);
  o.source.max_chunks = int32_t(*chunks);
  o.source.parse_special = args.has("--parse-special");

  core::ComputePool pool(*threads);
  auto r = train::compute_perplexity(o, pool, [](const train::PerplexityProgress& p) {
    std::fprintf(stderr, "\rperplexity: chunk %d/%d, ppl %.4f", p.chunk, p.n_chunks, p.ppl_so_far);
    return true;
  });
  std::fputc('\n', stderr);
  if (!r.ok()) return report("perplexity", r.error());
  std::printf("{\"model\": \"%s\", \"chunks\": %d, \"scored\": %lld, \"nll\": %.6f, \"ppl\": %.6f, \"ppl_stderr\": %.6f",
              o.model.string().c_str(), r->n_chunks, (long long)r->n_scored, r->nll, r->ppl, r->ppl_stderr);
  if (r->has_base) {
    std::printf(", \"base_ppl\": %.6f, \"kld_mean\": %.8f, \"kld_stderr\": %.8f, \"kld_max\": %.6f, \"top1_agree\": %.6f",
                r->base_ppl, r->kld_mean, r->kld_stderr, r->kld_max, r->top1_agree);
  }
  std::printf("}\n");
  return 0;
}

}  // namespace ondo::cli
