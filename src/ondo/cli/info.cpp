// `ondo info MODEL`: prints what a GGUF file holds (version, architecture and its
// hyperparameters, tokenizer, tensor types with counts, sizes) in human-readable form on
// stdout. Layer: cli. Reads the file through gguf/ only; never loads the model.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/core/dtype.h"
#include "ondo/core/kernels/kernel_summary.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"

namespace ondo::cli {
namespace {

namespace keys = gguf::keys;
using gguf::Value;
using gguf::ValueType;

constexpr size_t kMaxShownChars = 120;  // longer strings are cut with "..."
constexpr uint64_t kMaxShownItems = 8;  // longer arrays show their first items

const CommandSpec& info_spec() {
  static const CommandSpec kSpec = {
      "info",
      "info [--tensors] MODEL.gguf",
      "Prints what a GGUF file holds: version, architecture and its hyperparameters, tokenizer,\n"
      "tensor types with counts, and sizes. Reads the metadata only; never loads the weights.",
      {
          {"--tensors", "", "", "also list every tensor (name, type, shape, bytes)"},
      },
      "ondo info models/ondo-recipe.gguf\n"
      "ondo info --tensors model.gguf",
  };
  return kSpec;
}

// llama.cpp's llama_ftype values (llama.h) as its tools print them; facts, not a registry of
// ours: ondo reads the per-tensor types, this only names the file's declared intent.
std::string_view file_type_name(uint64_t ft) {
  static const std::map<uint64_t, std::string_view> kNames = {
      {0, "ALL_F32"}, {1, "MOSTLY_F16"}, {2, "MOSTLY_Q4_0"}, {3, "MOSTLY_Q4_1"},
      {7, "MOSTLY_Q8_0"}, {8, "MOSTLY_Q5_0"}, {9, "MOSTLY_Q5_1"}, {10, "MOSTLY_Q2_K"},
      {11, "MOSTLY_Q3_K_S"}, {12, "MOSTLY_Q3_K_M"}, {13, "MOSTLY_Q3_K_L"},
      {14, "MOSTLY_Q4_K_S"}, {15, "MOSTLY_Q4_K_M"}, {16, "MOSTLY_Q5_K_S"},
      {17, "MOSTLY_Q5_K_M"}, {18, "MOSTLY_Q6_K"}, {32, "MOSTLY_BF16"},
  };
  const auto it = kNames.find(ft);
  return it == kNames.end() ? std::string_view("unknown") : it->second;
}

std::string printable(std::string_view s) {
  std::string out = "\"";
  size_t shown = 0;
  for (const char c : s) {
    if (shown++ >= kMaxShownChars) {
      out += "...";
      break;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '"' || c == '\\') (out += '\\') += c;
    else if (static_cast<unsigned char>(c) < 0x20) out += '?';
    else out += c;
  }
  return out + "\"";
}

std::string format_value(const Value& v) {
  switch (v.type()) {
    case ValueType::String: return printable(*v.as_string());
    case ValueType::Bool: return *v.as_bool() ? "true" : "false";
    case ValueType::Float32:
    case ValueType::Float64: {
      // Digits a person reads back as the value written (1e-05, not 9.99999975e-06).
      char buf[48];
      std::snprintf(buf, sizeof buf, v.type() == ValueType::Float32 ? "%.7g" : "%.15g",
                    *v.as_float());
      return buf;
    }
    case ValueType::Array: break;
    default:
      if (auto i = v.as_int()) return std::to_string(*i);
      return std::to_string(v.as_uint().value_or(0));
  }
  std::string out = "[" + std::to_string(v.size()) + " x " +
                    std::string(gguf::value_type_name(v.elem_type())) + "]";
  if (v.size() == 0) return out;
  out += " ";
  for (uint64_t i = 0; i < v.size() && i < kMaxShownItems; ++i) {
    out += (i ? ", " : "") + format_value(v.at(i));
  }
  if (v.size() > kMaxShownItems) out += ", ...";
  return out;
}

std::string human_bytes(uint64_t n) {
  char buf[64];
  if (n >= (uint64_t(1) << 30)) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 " bytes (%.2f GiB)", n, double(n) / (1 << 30));
  } else {
    std::snprintf(buf, sizeof buf, "%" PRIu64 " bytes (%.2f MiB)", n, double(n) / (1 << 20));
  }
  return buf;
}

void print_header(const gguf::GgufFile& f) {
  std::printf("file:          %s\n", f.name().c_str());
  std::printf("file size:     %s\n", human_bytes(f.file_size()).c_str());
  std::printf("gguf version:  %u (alignment %" PRIu64 ", %zu metadata keys)\n", f.version(),
              f.alignment(), f.metadata().size());
  if (auto name = f.get_string(keys::kName); name.ok()) {
    std::printf("name:          %s\n", printable(*name).c_str());
  }
  if (const Value* ft = f.find(keys::kFileType)) {
    const std::optional<uint64_t> n = ft->as_uint();
    if (n) {
      std::printf("file type:     %" PRIu64 " (%.*s)\n", *n,
                  int(file_type_name(*n).size()), file_type_name(*n).data());
    } else {
      std::printf("file type:     %s\n", format_value(*ft).c_str());
    }
  }
}

void print_arch(const gguf::GgufFile& f) {
  const Value* arch = f.find(keys::kArchitecture);
  const std::optional<std::string_view> name = arch ? arch->as_string() : std::nullopt;
  if (!name) {
    std::printf("architecture:  (none: no general.architecture string)\n");
    return;
  }
  std::printf("architecture:  %.*s\n", int(name->size()), name->data());
  const std::string prefix = std::string(*name) + ".";
  for (const gguf::KeyValue& kv : f.metadata()) {
    if (kv.key.substr(0, prefix.size()) != prefix) continue;
    std::printf("  %.*s = %s\n", int(kv.key.size()), kv.key.data(),
                format_value(kv.value).c_str());
  }
}

void print_tokenizer(const gguf::GgufFile& f) {
  const Value* model = f.find(keys::kTokModel);
  const Value* tokens = f.find(keys::kTokTokens);
  if (model == nullptr && tokens == nullptr) {
    std::printf("tokenizer:     (none)\n");
    return;
  }
  std::printf("tokenizer:     %s", model ? format_value(*model).c_str() : "(no model key)");
  if (const Value* pre = f.find(keys::kTokPre)) std::printf(", pre %s", format_value(*pre).c_str());
  if (tokens && tokens->type() == ValueType::Array) {
    std::printf(", vocab %" PRIu64 " tokens", tokens->size());
  }
  if (const Value* merges = f.find(keys::kTokMerges); merges && merges->type() == ValueType::Array) {
    std::printf(", %" PRIu64 " merges", merges->size());
  }
  std::printf("\n");
  if (f.find(keys::kChatTemplate)) std::printf("chat template: present\n");
}

// The matmul kernels this CPU runs for each weight type of the file (2-D tensors; the row
// count of the first one decides whether a private layout applies), and the SIMD level.
void print_kernels(const gguf::GgufFile& f) {
  std::map<std::string_view, std::string> by_type;
  for (const gguf::TensorInfo& t : f.tensors()) {
    const std::string_view name = core::dtype_name(t.type);
    if (t.shape.size() != 2 || by_type.count(name)) continue;
    by_type[name] = core::matmul_kernel_summary(t.type, int64_t(t.shape[1]));
  }
  std::printf("kernels:       %.*s level on this CPU\n", int(core::simd_level_name().size()),
              core::simd_level_name().data());
  for (const auto& [name, summary] : by_type) {
    std::printf("  %-6.*s %s\n", int(name.size()), name.data(), summary.c_str());
  }
}

void print_tensors(const gguf::GgufFile& f, bool list_all) {
  std::map<std::string_view, uint64_t> counts;  // type name -> count
  uint64_t total = 0;
  for (const gguf::TensorInfo& t : f.tensors()) {
    ++counts[core::dtype_name(t.type)];
    total += t.nbytes;
  }
  std::printf("tensors:       %zu\n", f.tensors().size());
  // Most frequent type first (ties by name), as "Q4_K: 97, Q6_K: 17, F32: 33".
  std::multimap<uint64_t, std::string_view, std::greater<>> by_count;
  for (const auto& [name, n] : counts) by_count.emplace(n, name);
  std::string types;
  for (const auto& [n, name] : by_count) {
    types += (types.empty() ? "" : ", ") + std::string(name) + ": " + std::to_string(n);
  }
  std::printf("tensor types:  %s\n", types.empty() ? "(none)" : types.c_str());
  std::printf("tensor bytes:  %s\n", human_bytes(total).c_str());
  print_kernels(f);
  if (!list_all) return;
  for (const gguf::TensorInfo& t : f.tensors()) {
    std::string shape;
    for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? " x " : "") + std::to_string(t.shape[i]);
    std::printf("  %-32.*s %-5.*s [%s] %" PRIu64 " bytes\n", int(t.name.size()), t.name.data(),
                int(core::dtype_name(t.type).size()), core::dtype_name(t.type).data(),
                shape.c_str(), t.nbytes);
  }
}

}  // namespace

int cmd_info(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(info_spec(), argc, argv, &args)) return *done;
  if (args.positional().size() != 1) {
    std::fprintf(stderr, "usage: ondo %.*s\n", int(info_spec().usage.size()), info_spec().usage.data());
    return report("info", make_error(ErrorCode::InvalidArgument,
                                     "expected one model file (seen " +
                                         std::to_string(args.positional().size()) + ")"));
  }
  auto file = gguf::GgufFile::open(args.positional()[0]);
  if (!file.ok()) return report("info", file.error());
  const gguf::GgufFile& f = **file;
  print_header(f);
  print_arch(f);
  print_tokenizer(f);
  print_tensors(f, args.has("--tensors"));
  return 0;
}

}  // namespace ondo::cli
