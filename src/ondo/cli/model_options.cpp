// Shared model-loading helpers of the subcommands. Layer: cli.
#include "ondo/cli/model_options.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "ondo/core/thread_pool.h"

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

model::LoadOptions load_options_from_env() {
  model::LoadOptions o;
  if (const char* env = std::getenv("ONDO_INTERLEAVE"); env && std::strcmp(env, "0") == 0) o.prepare_weights = false;
  return o;
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
  auto path = args.get("-m");
  if (!path) path = default_model_path();
  if (!path) return make_error(ErrorCode::InvalidArgument, "no model given (use -m MODEL.gguf)");
  return load_model(*path, pool, std::move(options));
}

Result<int> threads_option(const Args& args) {
  ONDO_ASSIGN_OR_RETURN(int64_t t, args.get_int("-t", default_threads()));
  if (t < 1 || t > 256) return make_error(ErrorCode::InvalidArgument, "-t must be between 1 and 256");
  return int(t);
}

}  // namespace ondo::cli
