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

void usage() {
  std::fprintf(stderr,
               "usage: ondo gen-model --shape SHAPE --out FILE [--type f16|f32|bf16] [--seed N]\n"
               "                      [--vocab VOCAB.gguf] [-t N]\n"
               "  writes random weights (reproducible from the seed) with a real model's shape\n"
               "  --shape   one of: %s\n"
               "  --type    matrix type (default f16; norms stay F32)\n"
               "  --seed    default 0\n"
               "  --vocab   the vocabulary GGUF (default: $ONDO_TESTDATA/<shape's vocabulary>,\n"
               "            else ../shared/testdata/...)\n"
               "  -t N      threads (default: physical cores)\n",
               mg::shapes_list().c_str());
}

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
  const std::string type = args.get("--type").value_or("f16");
  const auto dt = core::dtype_from_name(type);
  if (!dt || (*dt != core::DType::F16 && *dt != core::DType::F32 && *dt != core::DType::BF16)) {
    return make_error(ErrorCode::InvalidArgument, "--type must be f16, f32 or bf16 (seen '" + type + "')");
  }
  o.type = *dt;
  ONDO_ASSIGN_OR_RETURN(int64_t seed, args.get_int("--seed", 0));
  if (seed < 0) return make_error(ErrorCode::InvalidArgument, "--seed must not be negative");
  o.seed = uint64_t(seed);
  if (!o.shape->vocab_file.empty()) o.vocab = args.get("--vocab").value_or(default_vocab(*o.shape).string());
  return o;
}

}  // namespace

int cmd_gen_model(int argc, char** argv) {
  Args args({"--shape", "--type", "--seed", "--out", "--vocab", "-t|--threads"}, {"-h|--help"});
  if (Status st = args.parse(argc, argv); !st.ok()) {
    usage();
    return report("gen-model", st.error());
  }
  if (args.has("-h")) {
    usage();
    return 0;
  }
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
