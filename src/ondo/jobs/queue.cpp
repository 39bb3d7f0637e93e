// Submitting and showing jobs. Layer: jobs.
#include "ondo/jobs/queue.h"

#include <cstdio>
#include <random>

#include "ondo/jobs/job_context.h"
#include "ondo/jobs/kinds.h"

namespace ondo::jobs {
namespace {

nlohmann::json parse_object(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

nlohmann::json seconds(const std::optional<int64_t>& ms) {
  return ms ? nlohmann::json(*ms / 1000) : nlohmann::json(nullptr);
}

}  // namespace

std::string new_job_id(std::string_view prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ (uint64_t(std::random_device{}()) << 32)};
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx%08llx", (unsigned long long)rng(), (unsigned long long)(rng() & 0xffffffffu));
  return std::string(prefix) + "-" + hex;
}

Result<store::JobRecord> submit_job(store::Store& store, const std::string& kind, const nlohmann::json& params,
                                    const std::string& owner, std::string_view id_prefix) {
  if (kind.empty()) return make_error(ErrorCode::InvalidArgument, "kind: required (e.g. train, quantize)");
  ONDO_TRY(validate_params(kind, params, &store));
  store::JobRecord j;
  j.id = new_job_id(id_prefix);
  j.kind = kind;
  j.state = "queued";
  j.params = params.dump();
  j.created_ms = now_ms();
  j.owner = owner;
  ONDO_TRY(store.insert_job(j));
  (void)store.append_job_event({j.id, 0, j.created_ms, "info", "queued", "{}"});
  return j;
}

nlohmann::json job_json(const store::JobRecord& j) {
  nlohmann::json out = {{"id", j.id},
                        {"object", "job"},
                        {"kind", j.kind},
                        {"state", j.state},
                        {"params", parse_object(j.params)},
                        {"progress", parse_object(j.progress)},
                        {"result", parse_object(j.result)},
                        {"error", nullptr},
                        {"created_at", j.created_ms / 1000},
                        {"started_at", seconds(j.started_ms)},
                        {"finished_at", seconds(j.finished_ms)},
                        {"attempt", j.attempt},
                        {"worker", j.lease_owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.lease_owner)},
                        {"checkpoint", j.checkpoint.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.checkpoint)},
                        {"cancel_requested", j.cancel_requested}};
  if (j.state == "failed") out["error"] = {{"code", j.error_code}, {"message", j.error}};
  return out;
}

nlohmann::json job_event_json(const store::JobEvent& e) {
  return {{"object", "job.event"}, {"seq", e.seq},        {"created_at", e.time_ms / 1000},
          {"level", e.level},      {"message", e.message}, {"data", parse_object(e.data)}};
}

nlohmann::json job_checkpoint_json(const store::JobCheckpoint& c) {
  return {{"object", "job.checkpoint"}, {"seq", c.seq}, {"step", c.step}, {"ref", c.ref},
          {"metrics", parse_object(c.metrics)}, {"created_at", c.created_ms / 1000}};
}

}  // namespace ondo::jobs
