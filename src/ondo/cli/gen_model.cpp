// `ondo gen-model --shape S --type f16|f32|bf16 --seed N --out FILE [--vocab VOCAB.gguf]`:
// writes a random-weight model with a real model's exact shape, for benchmarks without
// downloads. Layer: cli (reads ONDO_TESTDATA to find the vocabulary files; model/gen does
// the work).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/model/gen/gen_model.h"

namespace ondo::cli {
namespace {

namespace mg = model::gen;

const CommandSpec& gen_model_spec() {
  static const std::string kDescription =
      "Writes a model with random weights (reproducible from the seed) and a real model's exact\n"
      "shape, for benchmarks without downloads. Shapes: " + mg::shapes_list();
  static const CommandSpec kSpec = {
      "gen-model",
      "gen-model --shape SHAPE --out FILE [options]",
      kDescription,
      {
          {"--shape", "SHAPE", "", "the real model whose shape to copy (required)"},
          {"--out", "FILE", "", "the GGUF to write (required)"},
          {"--type", "f16|f32|bf16", "f16", "matrix type (norms stay F32)"},
          {"--seed", "N", "0", "random seed"},
          {"--vocab", "VOCAB.gguf", "$ONDO_TESTDATA/<the shape's vocabulary>, else ../shared/testdata/...",
           "the vocabulary GGUF"},
          threads_option_spec(),
      },
      "ondo gen-model --shape tinyllama-1.1b --type f16 --seed 1 --out /tmp/tinyllama-random.gguf",
  };
  return kSpec;
}

void usage() { std::fprintf(stderr, "usage: ondo %s\n", std::string(gen_model_spec().usage).c_str()); }

std::filesystem::path default_vocab(const mg::ModelShape& s) {
  const char* env = std::getenv("ONDO_TESTDATA");
  const std::filesystem::path dir = (env && env[0]) ? std::filesystem::path(env) : std::filesystem::path("../shared/testdata");
  return dir / s.vocab_file;
}

Result<mg::GenOptions> parse_options(const Args& args) {
  mg::GenOptions o;
  const auto shape = args.get("--shape");
  if (!shape) return make_error(ErrorCode::InvalidArgument, "no shape given (use --shape " + mg::shapes_list() + ")");
  o.shape = mg::find_shape(*shape);
  if (o.shape == nullptr) {
    return make_error(ErrorCode::InvalidArgument, "unknown shape '" + *shape + "' (expected one of " + mg::shapes_list() + ")");
  }
  const auto out = args.get("--out");
  if (!out) return make_error(ErrorCode::InvalidArgument, "no output file given (use --out FILE)");
  o.output = *out;
  const std::string type = args.get_string("--type");
  const auto dt = core::dtype_from_name(type);
  if (!dt || (*dt != core::DType::F16 && *dt != core::DType::F32 && *dt != core::DType::BF16)) {
    return make_error(ErrorCode::InvalidArgument, "--type must be f16, f32 or bf16 (seen '" + type + "')");
  }
  o.type = *dt;
  ONDO_ASSIGN_OR_RETURN(int64_t seed, args.get_int("--seed"));
  if (seed < 0) return make_error(ErrorCode::InvalidArgument, "--seed must not be negative");
  o.seed = uint64_t(seed);
  if (!o.shape->vocab_file.empty()) o.vocab = args.get("--vocab").value_or(default_vocab(*o.shape).string());
  return o;
}

}  // namespace

int cmd_gen_model(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(gen_model_spec(), argc, argv, &args)) return *done;
  if (!args.positional().empty()) {
    usage();
    return report("gen-model", make_error(ErrorCode::InvalidArgument, "unexpected argument '" + args.positional()[0] + "'"));
  }
  auto o = parse_options(args);
  if (!o.ok()) return report("gen-model", o.error());
  auto threads = threads_option(args);
  if (!threads.ok()) return report("gen-model", threads.error());
  core::ComputePool pool(*threads);
  auto rep = mg::generate_model(*o, pool);
  if (!rep.ok()) return report("gen-model", rep.error());
  std::fprintf(stderr, "wrote %s: shape %s, %s, seed %llu, %zu tensors, %.1f M parameters, %.1f MB\n",
               o->output.c_str(), std::string(o->shape->name).c_str(), std::string(core::dtype_name(o->type)).c_str(),
               (unsigned long long)o->seed, rep->n_tensors, double(rep->n_params) / 1e6, double(rep->file_bytes) / 1e6);
  return 0;
}

}  // namespace ondo::cli
