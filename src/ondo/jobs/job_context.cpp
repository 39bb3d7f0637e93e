// JobContext: progress, events and checkpoints of one running job, written to the store.
// Layer: jobs.
#include "ondo/jobs/job_context.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ondo::jobs {

namespace {
constexpr int64_t kProgressWriteMs = 250;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string dump_json(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::json Progress::to_json() const {
  nlohmann::json j = {{"step", step}, {"total", total}};
  if (loss) j["loss"] = *loss;
  if (eval_loss) j["eval_loss"] = *eval_loss;
  if (tokens_per_s) j["tokens_per_s"] = *tokens_per_s;
  if (eta_s) j["eta_s"] = *eta_s;
  return j;
}

JobContext::JobContext(store::JobRecord job, nlohmann::json params, store::Store& store, core::ComputePool& pool,
                       std::filesystem::path work_dir, std::string worker, int64_t lease_ms, Shared& shared)
    : job_(std::move(job)),
      params_(std::move(params)),
      store_(store),
      pool_(pool),
      work_dir_(std::move(work_dir)),
      worker_(std::move(worker)),
      lease_ms_(lease_ms),
      shared_(shared) {}

Status JobContext::progress(const Progress& p) {
  const std::string body = p.to_json().dump();
  const int64_t now = now_ms();
  if (now - last_write_ms_ >= kProgressWriteMs) {
    last_write_ms_ = now;
    {
      std::lock_guard<std::mutex> lock(shared_.mu);
      shared_.pending_progress.reset();
    }
    auto lease = store_.heartbeat_job(job_.id, worker_, now, lease_ms_, body);
    if (lease.ok() && *lease != store::JobLease::Held) {
      if (*lease == store::JobLease::Lost) shared_.lease_lost.store(true);
      shared_.stop.store(true);
    }
  } else {
    std::lock_guard<std::mutex> lock(shared_.mu);
    shared_.pending_progress = body;
  }
  if (shared_.stop.load()) {
    return make_error(ErrorCode::Cancelled, "job '" + job_.id + "' was cancelled at step " + std::to_string(p.step));
  }
  return ok_status();
}

Status JobContext::event(const std::string& level, const std::string& message, const nlohmann::json& data) {
  ONDO_TRY(store_.append_job_event({job_.id, 0, now_ms(), level, message, dump_json(data)}));
  return ok_status();
}

Status JobContext::metrics(const Progress& p) {
  if (!p.loss) return ok_status();
  const int64_t stride = std::max<int64_t>(1, p.total / 200);
  const bool sampled = p.step <= 1 || p.step >= p.total || p.step % stride == 0 || p.eval_loss.has_value();
  if (!sampled) return ok_status();
  char text[96];
  std::snprintf(text, sizeof text, "step %lld/%lld: loss %.4f", static_cast<long long>(p.step),
                static_cast<long long>(p.total), *p.loss);
  std::string message = text;
  // total_steps and train_loss are the names of OpenAI's fine-tuning metrics events.
  nlohmann::json data = {{"step", p.step},        {"total", p.total},       {"loss", *p.loss},
                         {"total_steps", p.total}, {"train_loss", *p.loss}};
  if (p.eval_loss) {
    std::snprintf(text, sizeof text, ", eval loss %.4f", *p.eval_loss);
    message += text;
    data["eval_loss"] = *p.eval_loss;
  }
  return event("info", message, data);
}

Status JobContext::checkpoint(int64_t step, const std::string& ref, const nlohmann::json& metrics) {
  ONDO_TRY(store_.add_job_checkpoint({job_.id, 0, step, ref, dump_json(metrics), now_ms()}));
  job_.checkpoint = ref;
  return event("info", "checkpoint at step " + std::to_string(step), {{"step", step}, {"ref", ref}});
}

}  // namespace ondo::jobs
