// `ondo quantize IN.gguf OUT.gguf TYPE [-t N]`: writes IN's weights in a llama.cpp preset's
// type mix (Q4_K_M, Q8_0, ...), printing each tensor's type and the sizes on stderr.
// Layer: cli. The work is model/quantize; this file parses arguments and prints.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/model/quantize/quantize.h"

namespace ondo::cli {
namespace {

namespace mq = model::quantize;

const CommandSpec& quantize_spec() {
  static const std::string kDescription =
      "Writes IN (F32/F16/BF16 weights) with the per-tensor type mix of llama.cpp's preset TYPE,\n"
      "printing each tensor's type and the sizes on stderr. TYPE is one of: " + mq::presets_list();
  static const CommandSpec kSpec = {
      "quantize",
      "quantize [options] IN.gguf OUT.gguf TYPE",
      kDescription,
      {threads_option_spec(),
       {"--imatrix", "FILE", "", "importance matrix (ondo imatrix or llama-imatrix, GGUF or legacy .dat): weighted quantization"}},
      "ondo quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M\n"
      "ondo quantize --imatrix imatrix.gguf model-f16.gguf model-q4_k_m.gguf Q4_K_M",
  };
  return kSpec;
}

void usage() { std::fprintf(stderr, "usage: ondo %s\n", std::string(quantize_spec().usage).c_str()); }

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) (out += i ? " x " : "") += std::to_string(s[i]);
  return out;
}

void print_tensor(const mq::TensorReport& r) {
  std::fprintf(stderr, "[%4zu/%4zu] %-32s [%-12s] %5s -> %-5s%s%s %10.3f -> %8.3f MiB\n", r.index + 1, r.count,
               r.name.c_str(), shape_text(r.shape).c_str(), std::string(core::dtype_name(r.from)).c_str(),
               std::string(core::dtype_name(r.to)).c_str(), r.fallback ? " (fallback)" : "", r.weighted ? " (imatrix)" : "",
               double(r.bytes_in) / 1048576.0, double(r.bytes_out) / 1048576.0);
}

}  // namespace

int cmd_quantize(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(quantize_spec(), argc, argv, &args)) return *done;
  const auto& pos = args.positional();
  if (pos.size() != 3) {
    usage();
    return report("quantize", make_error(ErrorCode::InvalidArgument, "expected IN.gguf OUT.gguf TYPE (seen " +
                                                                         std::to_string(pos.size()) + " arguments)"));
  }
  const mq::Preset* preset = mq::find_preset(pos[2]);
  if (preset == nullptr) {
    return report("quantize", make_error(ErrorCode::InvalidArgument, "unknown type '" + pos[2] +
                                                                         "' (expected one of " + mq::presets_list() + ")"));
  }
  auto threads = threads_option(args);
  if (!threads.ok()) return report("quantize", threads.error());

  mq::QuantizeOptions o;
  mq::Imatrix imatrix;
  if (auto file = args.get("--imatrix")) {
    auto m = mq::read_imatrix(*file);
    if (!m.ok()) return report("quantize", m.error());
    imatrix = std::move(m).value();
    o.imatrix = &imatrix;
    o.imatrix_file = *file;
    std::fprintf(stderr, "%s: %zu importance matrix entries from %u chunks%s\n", file->c_str(), imatrix.entries.size(),
                 imatrix.chunk_count, imatrix.legacy ? " (legacy .dat format)" : "");
  }
  o.input = pos[0];
  o.output = pos[1];
  o.preset = preset;
  o.on_tensor = print_tensor;
  core::ComputePool pool(*threads);
  auto rep = mq::quantize_model(o, pool);
  if (!rep.ok()) return report("quantize", rep.error());
  if (o.imatrix != nullptr) std::fprintf(stderr, "%zu tensors quantized with importance weights\n", rep->n_weighted);
  std::fprintf(stderr, "%s: %zu tensors, %.2f MiB -> %.2f MiB (%s, file type %u)%s; wrote %s (%" PRIu64 " bytes)\n",
               pos[0].c_str(), rep->n_tensors, double(rep->tensor_bytes_in) / 1048576.0,
               double(rep->tensor_bytes_out) / 1048576.0, std::string(preset->name).c_str(),
               unsigned(preset->file_type),
               (rep->n_fallback ? ", " + std::to_string(rep->n_fallback) + " fallback types" : std::string()).c_str(),
               pos[1].c_str(), rep->file_bytes_out);
  return 0;
}

}  // namespace ondo::cli
