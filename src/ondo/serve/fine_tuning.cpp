// OpenAI's fine-tuning shapes over fine_tune jobs. Layer: serve.
#include "ondo/serve/fine_tuning.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace ondo::serve {
namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
using ojson = nlohmann::ordered_json;

Result<nlohmann::json> int_or_auto(const ojson& obj, const char* key, const std::string& path, int64_t lo, int64_t hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nlohmann::json("auto");
  if (it->is_string() && it->get<std::string>() == "auto") return nlohmann::json("auto");
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
    return field_error(kBad, path, "expected \"auto\" or an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return nlohmann::json(it->get<int64_t>());
}

Result<nlohmann::json> number_or_auto(const ojson& obj, const char* key, const std::string& path, double lo, double hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nlohmann::json("auto");
  if (it->is_string() && it->get<std::string>() == "auto") return nlohmann::json("auto");
  if (!it->is_number() || !(it->get<double>() > lo && it->get<double>() <= hi)) {
    return field_error(kBad, path, "expected \"auto\" or a number above " + std::to_string(lo) + " and at most " + std::to_string(hi));
  }
  return nlohmann::json(it->get<double>());
}

Result<int64_t> int_field(const ojson& obj, const char* key, const std::string& path, int64_t fallback, int64_t lo, int64_t hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
    return field_error(kBad, path, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return it->get<int64_t>();
}

Result<double> number_field(const ojson& obj, const char* key, const std::string& path, double fallback, double lo, double hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number() || !(it->get<double>() >= lo && it->get<double>() <= hi)) {
    return field_error(kBad, path, "expected a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return it->get<double>();
}

Status only_keys(const ojson& obj, const std::string& path, std::initializer_list<const char*> keys) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* k : keys) known = known || it.key() == k;
    if (!known) return field_error(kBad, path.empty() ? it.key() : path + "." + it.key(), "unknown field");
  }
  return ok_status();
}

Result<const ojson*> object_field(const ojson& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return static_cast<const ojson*>(nullptr);
  if (!it->is_object()) return field_error(kBad, path, "expected an object");
  return &*it;
}

// One LoRA target group: {enabled, rank, alpha, modules}.
Result<nlohmann::json> lora_group(const ojson* g, const std::string& path, bool enabled_default,
                                  const std::vector<std::string>& all, const std::vector<std::string>& default_modules) {
  nlohmann::json out = {{"enabled", enabled_default}, {"rank", 8}, {"alpha", 16.0}, {"modules", default_modules}};
  if (!g) return out;
  ONDO_TRY(only_keys(*g, path, {"enabled", "rank", "alpha", "modules"}));
  if (auto it = g->find("enabled"); it != g->end() && !it->is_null()) {
    if (!it->is_boolean()) return field_error(kBad, path + ".enabled", "expected true or false");
    out["enabled"] = it->get<bool>();
  }
  ONDO_ASSIGN_OR_RETURN(int64_t rank, int_field(*g, "rank", path + ".rank", 8, 1, 1024));
  ONDO_ASSIGN_OR_RETURN(double alpha, number_field(*g, "alpha", path + ".alpha", 2.0 * double(rank), 1e-6, 1e6));
  out["rank"] = rank;
  out["alpha"] = alpha;
  if (auto it = g->find("modules"); it != g->end() && !it->is_null()) {
    if (!it->is_array() || it->empty()) return field_error(kBad, path + ".modules", "expected a non-empty array");
    std::set<std::string> seen;
    std::vector<std::string> mods;
    for (size_t i = 0; i < it->size(); ++i) {
      const ojson& m = (*it)[i];
      const std::string p = path + ".modules[" + std::to_string(i) + "]";
      if (!m.is_string()) return field_error(kBad, p, "expected a string");
      const std::string name = m.get<std::string>();
      if (std::find(all.begin(), all.end(), name) == all.end()) {
        std::string list;
        for (const auto& a : all) list += (list.empty() ? "" : ", ") + a;
        return field_error(kBad, p, "unknown module '" + name.substr(0, 32) + "' (expected one of " + list + ")");
      }
      if (!seen.insert(name).second) return field_error(kBad, p, "'" + name + "' is given twice");
      mods.push_back(name);
    }
    out["modules"] = mods;
  }
  return out;
}

Result<nlohmann::json> lora_params(const ojson* lora) {
  const std::string path = "lora";
  nlohmann::json out;
  const ojson empty = ojson::object();
  const ojson& l = lora ? *lora : empty;
  ONDO_TRY(only_keys(l, path, {"attention", "mlp", "dropout", "lr_schedule", "gradient_accumulation", "max_steps"}));
  ONDO_ASSIGN_OR_RETURN(const ojson* att, object_field(l, "attention", "lora.attention"));
  ONDO_ASSIGN_OR_RETURN(const ojson* mlp, object_field(l, "mlp", "lora.mlp"));
  ONDO_ASSIGN_OR_RETURN(out["attention"], lora_group(att, "lora.attention", true, {"q", "k", "v", "o"}, {"q", "v"}));
  ONDO_ASSIGN_OR_RETURN(out["mlp"], lora_group(mlp, "lora.mlp", false, {"gate", "up", "down"}, {"gate", "up", "down"}));
  if (!out["attention"]["enabled"].get<bool>() && !out["mlp"]["enabled"].get<bool>()) {
    return field_error(kBad, path, "no target group is enabled (enable lora.attention, lora.mlp or both)");
  }
  ONDO_ASSIGN_OR_RETURN(double dropout, number_field(l, "dropout", "lora.dropout", 0.05, 0, 0.95));
  out["dropout"] = dropout;
  ONDO_ASSIGN_OR_RETURN(const ojson* sched, object_field(l, "lr_schedule", "lora.lr_schedule"));
  nlohmann::json s = {{"type", "cosine"}, {"warmup_steps", 100}};
  if (sched) {
    ONDO_TRY(only_keys(*sched, "lora.lr_schedule", {"type", "warmup_steps"}));
    if (auto it = sched->find("type"); it != sched->end() && !it->is_null()) {
      const std::string t = it->is_string() ? it->get<std::string>() : "";
      if (t != "cosine" && t != "linear" && t != "constant") {
        return field_error(kBad, "lora.lr_schedule.type", "expected \"cosine\", \"linear\" or \"constant\"");
      }
      s["type"] = t;
    }
    ONDO_ASSIGN_OR_RETURN(int64_t w, int_field(*sched, "warmup_steps", "lora.lr_schedule.warmup_steps", 100, 0, 1000000));
    s["warmup_steps"] = w;
  }
  out["lr_schedule"] = s;
  ONDO_ASSIGN_OR_RETURN(int64_t acc, int_field(l, "gradient_accumulation", "lora.gradient_accumulation", 1, 1, 1024));
  ONDO_ASSIGN_OR_RETURN(int64_t max_steps, int_field(l, "max_steps", "lora.max_steps", 0, 0, 100000000));
  out["gradient_accumulation"] = acc;
  out["max_steps"] = max_steps;  // 0: from the epochs
  return out;
}

Result<std::string> file_id(const ojson& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return field_error(kBad, key, "missing (the id of a file uploaded to /v1/files)");
    return std::string();
  }
  if (!it->is_string() || it->get<std::string>().empty() || it->get<std::string>().size() > 256) {
    return field_error(kBad, key, "expected a file id string");
  }
  return it->get<std::string>();
}

}  // namespace

Result<nlohmann::json> fine_tuning_params(const ojson& body) {
  if (!body.is_object()) return make_error(kBad, "request body: expected a JSON object");
  ONDO_TRY(only_keys(body, "", {"model", "training_file", "validation_file", "hyperparameters", "suffix", "seed", "method",
                                "metadata", "integrations", "lora"}));
  auto m = body.find("model");
  if (m == body.end() || !m->is_string() || m->get<std::string>().empty()) {
    return field_error(kBad, "model", "missing (the base model's alias)");
  }
  nlohmann::json out = {{"model", m->get<std::string>()}};
  ONDO_ASSIGN_OR_RETURN(std::string training, file_id(body, "training_file", true));
  ONDO_ASSIGN_OR_RETURN(std::string validation, file_id(body, "validation_file", false));
  out["training_file"] = training;
  out["validation_file"] = validation.empty() ? nlohmann::json(nullptr) : nlohmann::json(validation);
  ONDO_ASSIGN_OR_RETURN(const ojson* method, object_field(body, "method", "method"));
  ONDO_ASSIGN_OR_RETURN(const ojson* hyper, object_field(body, "hyperparameters", "hyperparameters"));
  std::string hyper_path = "hyperparameters";
  if (method) {
    auto t = method->find("type");
    if (t == method->end() || !t->is_string()) return field_error(kBad, "method.type", "missing (\"supervised\")");
    if (t->get<std::string>() != "supervised") {
      return field_error(ErrorCode::Unsupported, "method.type", "'" + t->get<std::string>().substr(0, 32) +
                                                                    "' is not supported (ondo fine-tunes with \"supervised\" only)");
    }
    ONDO_ASSIGN_OR_RETURN(const ojson* sup, object_field(*method, "supervised", "method.supervised"));
    if (sup) {
      ONDO_ASSIGN_OR_RETURN(const ojson* h, object_field(*sup, "hyperparameters", "method.supervised.hyperparameters"));
      if (h && hyper) return field_error(kBad, "hyperparameters", "give hyperparameters or method.supervised.hyperparameters, not both");
      if (h) hyper = h, hyper_path = "method.supervised.hyperparameters";
    }
  }
  const ojson empty = ojson::object();
  const ojson& h = hyper ? *hyper : empty;
  ONDO_TRY(only_keys(h, hyper_path, {"n_epochs", "batch_size", "learning_rate_multiplier"}));
  nlohmann::json hp;
  ONDO_ASSIGN_OR_RETURN(hp["n_epochs"], int_or_auto(h, "n_epochs", hyper_path + ".n_epochs", 1, 50));
  ONDO_ASSIGN_OR_RETURN(hp["batch_size"], int_or_auto(h, "batch_size", hyper_path + ".batch_size", 1, 256));
  ONDO_ASSIGN_OR_RETURN(hp["learning_rate_multiplier"],
                        number_or_auto(h, "learning_rate_multiplier", hyper_path + ".learning_rate_multiplier", 0, 100));
  out["hyperparameters"] = hp;
  out["method"] = {{"type", "supervised"}, {"supervised", {{"hyperparameters", hp}}}};
  if (auto s = body.find("suffix"); s != body.end() && !s->is_null()) {
    if (!s->is_string() || s->get<std::string>().size() > 64) return field_error(kBad, "suffix", "expected a string of at most 64 characters");
    for (char c : s->get<std::string>()) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
        return field_error(kBad, "suffix", "only letters, digits, '-' and '_' are allowed");
      }
    }
    out["suffix"] = s->get<std::string>();
  } else {
    out["suffix"] = nullptr;
  }
  ONDO_ASSIGN_OR_RETURN(int64_t seed, int_field(body, "seed", "seed", 42, 0, 2147483647));
  out["seed"] = seed;
  if (auto md = body.find("metadata"); md != body.end() && !md->is_null()) {
    if (!md->is_object() || md->size() > 16) return field_error(kBad, "metadata", "expected an object of at most 16 string values");
    for (auto it = md->begin(); it != md->end(); ++it) {
      if (!it.value().is_string()) return field_error(kBad, "metadata." + it.key(), "expected a string");
    }
    out["metadata"] = nlohmann::json::parse(md->dump());
  } else {
    out["metadata"] = nullptr;
  }
  ONDO_ASSIGN_OR_RETURN(const ojson* lora, object_field(body, "lora", "lora"));
  ONDO_ASSIGN_OR_RETURN(out["lora"], lora_params(lora));
  return out;
}

namespace {

nlohmann::json parsed(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() || !j.is_object() ? nlohmann::json::object() : j;
}

}  // namespace

nlohmann::json fine_tuning_job_json(const store::JobRecord& job) {
  const nlohmann::json p = parsed(job.params), r = parsed(job.result), progress = parsed(job.progress);
  nlohmann::json out = {{"object", "fine_tuning.job"},
                        {"id", job.id},
                        {"model", p.value("model", "")},
                        {"created_at", job.created_ms / 1000},
                        {"finished_at", job.finished_ms ? nlohmann::json(*job.finished_ms / 1000) : nlohmann::json(nullptr)},
                        {"fine_tuned_model", r.contains("fine_tuned_model") ? r["fine_tuned_model"] : nlohmann::json(nullptr)},
                        {"organization_id", "org-ondo"},
                        {"result_files", r.contains("result_files") ? r["result_files"] : nlohmann::json::array()},
                        {"status", job.state},
                        {"validation_file", p.contains("validation_file") ? p["validation_file"] : nlohmann::json(nullptr)},
                        {"training_file", p.value("training_file", "")},
                        {"hyperparameters", p.contains("hyperparameters") ? p["hyperparameters"] : nlohmann::json::object()},
                        {"trained_tokens", r.contains("trained_tokens") ? r["trained_tokens"] : nlohmann::json(nullptr)},
                        {"error", nullptr},
                        {"seed", p.value("seed", 0)},
                        {"estimated_finish", nullptr},
                        {"integrations", nlohmann::json::array()},
                        {"metadata", p.contains("metadata") ? p["metadata"] : nlohmann::json(nullptr)},
                        {"method", p.contains("method") ? p["method"] : nlohmann::json(nullptr)},
                        {"user_provided_suffix", p.contains("suffix") ? p["suffix"] : nlohmann::json(nullptr)},
                        {"lora", p.contains("lora") ? p["lora"] : nlohmann::json(nullptr)},
                        {"progress", progress}};
  if (job.state == "failed") out["error"] = {{"code", job.error_code}, {"message", job.error}, {"param", nullptr}};
  if (job.state == "running" && progress.contains("eta_s") && progress["eta_s"].is_number()) {
    out["estimated_finish"] = int64_t(std::llround(double(job.heartbeat_ms) / 1000.0 + progress["eta_s"].get<double>()));
  }
  return out;
}

nlohmann::json fine_tuning_event_json(const store::JobEvent& e) {
  const nlohmann::json data = parsed(e.data);
  return {{"object", "fine_tuning.job.event"},
          {"id", "ftevent-" + e.job_id + "-" + std::to_string(e.seq)},
          {"created_at", e.time_ms / 1000},
          {"level", e.level},
          {"message", e.message},
          {"data", data},
          {"type", data.contains("step") && data.contains("loss") ? "metrics" : "message"}};
}

nlohmann::json fine_tuning_checkpoint_json(const store::JobCheckpoint& c) {
  nlohmann::json metrics = parsed(c.metrics);
  metrics["step"] = c.step;
  return {{"object", "fine_tuning.job.checkpoint"},
          {"id", "ftckpt-" + c.job_id + "-" + std::to_string(c.seq)},
          {"created_at", c.created_ms / 1000},
          {"fine_tuned_model_checkpoint", c.ref},
          {"fine_tuning_job_id", c.job_id},
          {"metrics", metrics},
          {"step_number", c.step}};
}

}  // namespace ondo::serve
