// The fine_tune job kind: OpenAI's fine-tuning params into train_lora's options. Layer: jobs.
#include "ondo/jobs/fine_tune.h"

#include <fstream>

#include "ondo/jobs/params.h"
#include "ondo/train/lora/lora_trainer.h"

namespace ondo::jobs {
namespace {

namespace fs = std::filesystem;
namespace lora = train::lora;

// `v` as an integer, or `fallback` for "auto" / absent.
Result<int64_t> int_or_auto(const nlohmann::json& obj, const char* key, const std::string& path, int64_t fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null() || (it->is_string() && it->get<std::string>() == "auto")) return fallback;
  if (!it->is_number_integer()) return param_error(path, "expected an integer or \"auto\", seen " + it->dump());
  return it->get<int64_t>();
}

Result<double> number_or_auto(const nlohmann::json& obj, const char* key, const std::string& path, double fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null() || (it->is_string() && it->get<std::string>() == "auto")) return fallback;
  if (!it->is_number()) return param_error(path, "expected a number or \"auto\", seen " + it->dump());
  return it->get<double>();
}

// Writes the store file `id` into `path` (the trainer reads files).
Status copy_store_file(store::Store& s, const std::string& id, const fs::path& path, std::string* bytes_out) {
  ONDO_ASSIGN_OR_RETURN(std::string bytes, s.read_file_content(id));
  ONDO_TRY(write_bytes(path, bytes, "the training data"));
  if (bytes_out) *bytes_out = std::move(bytes);
  return ok_status();
}

// One target group {enabled, rank, alpha, modules} into the config.
Status apply_group(const nlohmann::json& g, const std::string& path, lora::LoraGroup& group, std::string& targets) {
  if (!g.is_object() || !g.value("enabled", false)) return ok_status();
  group.rank = int32_t(g.value("rank", 8));
  group.alpha = float(g.value("alpha", 2.0 * group.rank));
  const auto mods = g.find("modules");
  if (mods == g.end() || !mods->is_array()) return param_error(path + ".modules", "expected an array");
  for (const auto& m : *mods) {
    if (!m.is_string()) return param_error(path + ".modules", "expected strings");
    targets += (targets.empty() ? "" : ",") + m.get<std::string>();
  }
  return ok_status();
}

}  // namespace

lora::DataFormat guess_training_format(std::string_view bytes) {
  size_t start = 0;
  while (start < bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return lora::DataFormat::Text;
    if (j.contains("messages")) return lora::DataFormat::Chat;
    if (j.contains("instruction")) return lora::DataFormat::Alpaca;
    return lora::DataFormat::Text;
  }
  return lora::DataFormat::Text;
}

std::string fine_tuned_model_id(const std::string& base_model, const std::string& suffix, const std::string& job_id) {
  return "ft:" + base_model + ":" + (suffix.empty() ? std::string("ondo") : suffix) + ":" + job_id;
}

Result<nlohmann::json> run_fine_tune(JobContext& ctx) {
  const nlohmann::json& p = ctx.params();
  if (!p.is_object()) return make_error(ErrorCode::InvalidArgument, "params: expected a JSON object");
  const std::string model = p.value("model", "");
  const std::string model_path = p.value("model_path", "");
  if (model_path.empty()) return param_error("model_path", "missing (the base model's GGUF; the route fills it from the served model)");
  ONDO_TRY(check_model_file("model_path", model_path));  // unloaded or deleted since submission
  const std::string training_file = p.value("training_file", "");
  if (training_file.empty()) return param_error("training_file", "missing");

  lora::LoraTrainOptions o;
  o.base = model_path;
  o.data = ctx.work_dir() / "train.data";
  std::string bytes;
  ONDO_TRY(copy_store_file(ctx.store(), training_file, o.data, &bytes));
  o.format = guess_training_format(bytes);
  if (auto v = p.find("validation_file"); v != p.end() && v->is_string() && !v->get<std::string>().empty()) {
    o.val_data = ctx.work_dir() / "validation.data";
    ONDO_TRY(copy_store_file(ctx.store(), v->get<std::string>(), o.val_data, nullptr));
  }
  const nlohmann::json hp = p.value("hyperparameters", nlohmann::json::object());
  ONDO_ASSIGN_OR_RETURN(o.epochs, int_or_auto(hp, "n_epochs", "hyperparameters.n_epochs", 3));
  ONDO_ASSIGN_OR_RETURN(o.batch, int_or_auto(hp, "batch_size", "hyperparameters.batch_size", 4));
  ONDO_ASSIGN_OR_RETURN(double lr_mult, number_or_auto(hp, "learning_rate_multiplier", "hyperparameters.learning_rate_multiplier", 1.0));
  o.lr = float(3e-4 * lr_mult);
  o.seed = uint64_t(p.value("seed", int64_t(42)));

  const nlohmann::json l = p.value("lora", nlohmann::json::object());
  std::string targets;
  ONDO_TRY(apply_group(l.value("attention", nlohmann::json::object()), "lora.attention", o.lora.attn, targets));
  ONDO_TRY(apply_group(l.value("mlp", nlohmann::json::object()), "lora.mlp", o.lora.mlp, targets));
  if (targets.empty()) return param_error("lora", "no target group is enabled");
  ONDO_TRY(lora::parse_targets(targets, o.lora));
  o.lora.dropout = float(l.value("dropout", 0.05));
  const nlohmann::json sched = l.value("lr_schedule", nlohmann::json::object());
  const std::string type = sched.value("type", "cosine");
  o.schedule = type == "linear" ? lora::LrSchedule::Linear : lora::LrSchedule::Cosine;
  if (type == "constant") o.schedule = lora::LrSchedule::Linear, o.min_lr_ratio = 1.0f;  // flat after the warm-up
  o.warmup = sched.value("warmup_steps", int64_t(100));
  o.grad_accum = l.value("gradient_accumulation", int64_t(1));
  o.max_steps = l.value("max_steps", int64_t(0));
  o.out = ctx.work_dir() / "adapter.gguf";
  o.checkpoint = ctx.work_dir() / "lora.ckpt";
  o.resume = fs::exists(o.checkpoint);
  o.pool = &ctx.pool();
  ONDO_TRY(lora::validate_train_options(o));
  if (o.resume) (void)ctx.event("info", "resuming from " + o.checkpoint.string());
  (void)ctx.event("info", "fine-tuning " + model + " (" + lora::data_format_name(o.format) + " data, targets " + targets + ")");

  Status checkpoint_error = ok_status();
  lora::LoraTrainHooks hooks;
  hooks.on_step = [&](const lora::LoraTrainProgress& pr) {
    Progress prog{pr.step, pr.total, pr.loss, std::nullopt, pr.tokens_per_s, pr.eta_s};
    if (pr.eval_loss >= 0) prog.eval_loss = pr.eval_loss;
    if (o.checkpoint_every > 0 && pr.step % o.checkpoint_every == 0 && pr.step < pr.total) {
      // train_lora writes this step's checkpoint right after the hook returns; a worker that
      // takes the job over resumes from whatever checkpoint file is there.
      auto c = ctx.checkpoint(pr.step, o.checkpoint.string(), {{"loss", pr.loss}});
      if (!c.ok() && checkpoint_error.ok()) checkpoint_error = c;
    }
    (void)ctx.metrics(prog);
    const Status st = ctx.progress(prog);  // Cancelled: stop (train_lora checkpoints first)
    return st.ok() || st.error().code != ErrorCode::Cancelled;
  };
  auto r = lora::train_lora(o, hooks);
  if (!r.ok()) return r.error();
  ONDO_TRY(checkpoint_error);
  const std::string suffix = p.value("suffix", nlohmann::json(nullptr)).is_string() ? p["suffix"].get<std::string>() : "";
  nlohmann::json result = {{"fine_tuned_model", fine_tuned_model_id(model, suffix, ctx.job().id)},
                           {"adapter", o.out.string()},
                           {"base_model", model},
                           {"base_model_path", model_path},
                           {"steps", r->steps},
                           {"first_loss", r->first_loss},
                           {"loss", r->final_loss}};
  if (r->eval_loss >= 0) result["eval_loss"] = r->eval_loss;
  return result;
}

}  // namespace ondo::jobs
