// Shared model-loading helpers of the subcommands. Layer: cli.
#include "ondo/cli/model_options.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "ondo/core/thread_pool.h"
#include "ondo/gguf/keys.h"
#include "ondo/model/registry.h"

namespace ondo::cli {
namespace {

// The built-in model's file name under models/ (see models/README.md).
constexpr const char* kBuiltinModel = "ondo-recipe.gguf";

}  // namespace

std::optional<std::string> default_model_path() {
  if (const char* env = std::getenv("ONDO_MODEL"); env && *env) return std::string(env);
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (const auto& dir : {exe.parent_path() / ".." / "models", exe.parent_path() / "models"}) {
    if (std::filesystem::exists(dir / kBuiltinModel, ec)) return (dir / kBuiltinModel).lexically_normal().string();
  }
  return std::nullopt;
}

OptionSpec model_option_spec() {
  return {"-m|--model", "MODEL", "$ONDO_MODEL, else the built-in models/ondo-recipe.gguf", "the GGUF model file"};
}

OptionSpec threads_option_spec() { return {"-t|--threads", "N", "physical cores", "compute threads"}; }

Result<std::string> model_path_option(const Args& args) {
  auto path = args.get("-m");
  if (!path) path = default_model_path();
  if (!path) return make_error(ErrorCode::InvalidArgument, "no model given (use -m MODEL.gguf)");
  return *path;
}

bool is_builtin_model(const gguf::GgufFile& file) {
  const gguf::Value* v = file.find(gguf::keys::kName);
  if (!v) return false;
  auto s = v->as_string();
  return s && *s == "ondo-recipe";
}

void warn_ctx_above_trained(std::string_view cmd, std::string_view option, int64_t n_ctx, const model::Model& model) {
  const int32_t trained = model.hparams().n_ctx_train;
  if (trained <= 0 || n_ctx <= trained) return;
  std::fprintf(stderr, "ondo %.*s: warning: %.*s %lld is above the context the model was trained for (%d tokens); "
               "output past %d tokens is unreliable\n", int(cmd.size()), cmd.data(), int(option.size()), option.data(),
               (long long)n_ctx, trained, trained);
}

model::LoadOptions load_options_from_env() {
  model::LoadOptions o;
  if (const char* env = std::getenv("ONDO_INTERLEAVE"); env && std::strcmp(env, "0") == 0) o.prepare_weights = false;
  return o;
}

Result<std::optional<model::Pooling>> embedding_pooling(const std::string& path,
                                                        const std::optional<std::string>& requested) {
  if (requested) {
    auto p = model::parse_pooling(*requested);
    if (!p.ok()) return make_error(ErrorCode::InvalidArgument, "--pooling: " + p.error().message);
    return std::optional<model::Pooling>(*p);
  }
  ONDO_ASSIGN_OR_RETURN(auto file, gguf::GgufFile::open(path));
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, file->get_string(gguf::keys::kArchitecture));
  const model::ArchUnit* unit = model::find_architecture(arch);
  if (unit && unit->kind == model::ModelKind::Generate && unit->encode) {
    return std::optional<model::Pooling>(model::default_decoder_pooling(*file));
  }
  return std::optional<model::Pooling>();
}

Result<model::ActivationTap> activation_dump_tap(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::InvalidArgument, dir + ": cannot create the directory (" + ec.message() + ")");
  const std::filesystem::path root(dir);
  std::ofstream(root / "shapes.tsv", std::ios::trunc);
  return model::ActivationTap([root](std::string_view name, std::span<const int64_t> shape, const float* data) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const std::string file = std::string(name) + ".f32";
    std::ofstream(root / file, std::ios::binary | std::ios::app)
        .write(reinterpret_cast<const char*>(data), std::streamsize(n * int64_t(sizeof(float))));
    std::ofstream(root / "shapes.tsv", std::ios::app)
        << name << '\t' << (shape.size() > 1 ? shape[0] : 1) << '\t' << shape.back() << '\n';
  });
}

Result<std::unique_ptr<model::Model>> load_model(const std::string& path, core::ComputePool& pool,
                                                 model::LoadOptions options) {
  const core::ComputePool::Lease lease = pool.acquire(core::Priority::Background);
  options.pool = &lease.pool();
  return model::Model::load(path, options);
}

Result<std::unique_ptr<model::Model>> load_model_option(const Args& args, core::ComputePool& pool,
                                                        model::LoadOptions options) {
  ONDO_ASSIGN_OR_RETURN(std::string path, model_path_option(args));
  return load_model(path, pool, std::move(options));
}

Result<int> threads_option(const Args& args) {
  ONDO_ASSIGN_OR_RETURN(int64_t t, args.get_int("-t", default_threads()));
  if (t < 1 || t > 256) return make_error(ErrorCode::InvalidArgument, "-t must be between 1 and 256");
  return int(t);
}

}  // namespace ondo::cli
