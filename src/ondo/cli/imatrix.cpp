// `ondo imatrix -m MODEL -f calib.txt -o imatrix.gguf [--chunk 512] [--chunks N]`: computes an
// importance matrix (train/imatrix.h) and writes it in llama.cpp's GGUF imatrix format.
// Layer: cli. The work is train::compute_imatrix; this file parses arguments and prints.
#include <cstdio>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/train/imatrix.h"

namespace ondo::cli {
namespace {

const CommandSpec& imatrix_spec() {
  static const CommandSpec kSpec = {
      "imatrix",
      "imatrix [options] -f calib.txt -o imatrix.gguf",
      "Runs the model over the text in chunks and writes its importance matrix (per matmul\n"
      "weight, the sum over tokens of each input column's squared activation) in llama.cpp's\n"
      "GGUF imatrix format, for `ondo quantize --imatrix` (or llama-quantize --imatrix).",
      {
          model_option_spec(),
          {"-f|--file", "FILE", "", "calibration text"},
          {"--random-chunks", "N", "", "instead of -f: N chunks of random token ids (a baseline)"},
          {"--seed", "N", "1", "seed for --random-chunks"},
          {"-o|--output", "FILE", "imatrix.gguf", "output file"},
          {"--chunk", "N", "512", "tokens per chunk (each chunk is one sequence from position 0)"},
          {"--chunks", "N", "0", "at most N chunks (0: all of the text)"},
          {"--process-output", "", "", "also collect output.weight (llama-imatrix's --process-output)"},
          {"--parse-special", "", "", "read control-token text in the file (e.g. chat markers) as those tokens"},
          threads_option_spec(),
      },
      "ondo imatrix -m model-f32.gguf -f calib.txt -o imatrix.gguf --chunk 256",
  };
  return kSpec;
}

}  // namespace

int cmd_imatrix(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(imatrix_spec(), argc, argv, &args)) return *done;
  if (!args.positional().empty()) {
    return report("imatrix", make_error(ErrorCode::InvalidArgument, "unexpected argument '" + args.positional()[0] + "'"));
  }
  train::ImatrixOptions o;
  auto model = model_path_option(args);
  if (!model.ok()) return report("imatrix", model.error());
  o.model = *model;
  auto chunk = args.get_int("--chunk");
  auto chunks = args.get_int("--chunks");
  auto seed = args.get_int("--seed");
  auto random = args.get_int("--random-chunks", 0);
  for (const auto* r : {&chunk, &chunks, &seed, &random}) {
    if (!r->ok()) return report("imatrix", r->error());
  }
  if (*chunk < 2 || *chunk > 1 << 20) {
    return report("imatrix", make_error(ErrorCode::InvalidArgument, "--chunk " + std::to_string(*chunk) + " (expected 2..1048576)"));
  }
  if (*chunks < 0 || *chunks > 1 << 30 || *random < 0 || *random > 1 << 20) {
    return report("imatrix", make_error(ErrorCode::InvalidArgument, "--chunks and --random-chunks must be >= 0"));
  }
  if (args.has("-f") == (*random > 0)) {
    return report("imatrix", make_error(ErrorCode::InvalidArgument, "give exactly one of -f FILE and --random-chunks N"));
  }
  if (auto f = args.get("-f")) o.source.text_file = *f;
  o.source.random_chunks = int32_t(*random);
  o.source.seed = uint64_t(*seed);
  o.source.chunk = int32_t(*chunk);
  o.source.max_chunks = int32_t(*chunks);
  o.source.parse_special = args.has("--parse-special");
  o.process_output = args.has("--process-output");
  const std::string out = args.get_string("-o");
  auto threads = threads_option(args);
  if (!threads.ok()) return report("imatrix", threads.error());

  core::ComputePool pool(*threads);
  auto m = train::compute_imatrix(o, pool, [](const train::ImatrixProgress& p) {
    std::fprintf(stderr, "\rimatrix: chunk %d/%d, %lld tokens, %.1f s", p.chunk, p.n_chunks, (long long)p.tokens, p.seconds);
    return true;
  });
  std::fputc('\n', stderr);
  if (!m.ok()) return report("imatrix", m.error());
  if (auto st = model::quantize::write_imatrix(*m, out); !st.ok()) return report("imatrix", st.error());
  std::fprintf(stderr, "imatrix: %zu entries from %u chunks of %u tokens; wrote %s\n", m->entries.size(), m->chunk_count,
               m->chunk_size, out.c_str());
  return 0;
}

}  // namespace ondo::cli
