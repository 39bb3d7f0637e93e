// Worker: claim, run with heartbeats, record the end. Layer: jobs.
#include "ondo/jobs/worker.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>

namespace ondo::jobs {

Status KindRegistry::add(const std::string& kind, Runner runner) {
  if (kind.empty()) return make_error(ErrorCode::InvalidArgument, "job kind: empty name");
  if (!runners_.emplace(kind, std::move(runner)).second) {
    return make_error(ErrorCode::InvalidArgument, "job kind '" + kind + "' is registered twice");
  }
  return ok_status();
}

const Runner* KindRegistry::find(const std::string& kind) const {
  auto it = runners_.find(kind);
  return it == runners_.end() ? nullptr : &it->second;
}

std::vector<std::string> KindRegistry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [k, r] : runners_) out.push_back(k);
  return out;
}

namespace {

std::string default_name() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06x", unsigned(rd()) & 0xffffffu);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

}  // namespace

Worker::Worker(store::Store& store, const KindRegistry& kinds, core::ComputePool& pool, WorkerOptions options)
    : store_(store), kinds_(kinds), pool_(pool), options_(std::move(options)) {
  if (options_.name.empty()) options_.name = default_name();
  if (options_.heartbeat_ms >= options_.lease_ms) options_.heartbeat_ms = std::max<int64_t>(1, options_.lease_ms / 3);
}

Worker::~Worker() { stop(); }

Result<bool> Worker::run_once() {
  ONDO_ASSIGN_OR_RETURN(std::optional<store::JobRecord> job,
                        store_.claim_job(options_.name, {}, now_ms(), options_.lease_ms));
  if (!job) return false;
  ONDO_TRY(run_job(*job));
  return true;
}

void Worker::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Worker::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (current_) {
      current_->shutdown.store(true);
      current_->stop.store(true);
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::loop() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    auto ran = run_once();
    if (!ran.ok()) std::fprintf(stderr, "ondo worker %s: %s\n", options_.name.c_str(), ran.error().message.c_str());
    if (ran.ok() && *ran) continue;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stopping_; });
  }
}

void Worker::heartbeat_loop(const std::string& job_id, JobContext::Shared& shared, bool& done, std::mutex& mu,
                            std::condition_variable& cv) {
  std::unique_lock<std::mutex> lock(mu);
  while (!cv.wait_for(lock, std::chrono::milliseconds(options_.heartbeat_ms), [&] { return done; })) {
    std::optional<std::string> progress;
    {
      std::lock_guard<std::mutex> plock(shared.mu);
      progress.swap(shared.pending_progress);
    }
    auto lease = store_.heartbeat_job(job_id, options_.name, now_ms(), options_.lease_ms, progress);
    if (!lease.ok()) continue;  // the store is away: the next beat tries again, the lease has slack
    if (*lease == store::JobLease::Lost) shared.lease_lost.store(true);
    if (*lease != store::JobLease::Held) shared.stop.store(true);
  }
}

Status Worker::run_job(const store::JobRecord& job) {
  auto finish = [&](const std::string& state, const nlohmann::json& result, const std::string& code,
                    const std::string& message) {
    if (!message.empty()) (void)store_.append_job_event({job.id, 0, now_ms(), "error", message, "{}"});
    return store_.finish_job(job.id, options_.name, state, dump_json(result), code, message, now_ms());
  };
  const Runner* runner = kinds_.find(job.kind);
  if (runner == nullptr) return finish("failed", nlohmann::json::object(), "no_runner", "no runner for kind " + job.kind);
  nlohmann::json params = nlohmann::json::parse(job.params, nullptr, false);
  if (!params.is_object()) return finish("failed", nlohmann::json::object(), "invalid_params", "params: not a JSON object");
  const std::filesystem::path dir = options_.jobs_dir / job.id;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return finish("failed", nlohmann::json::object(), "work_dir", dir.string() + ": cannot create (" + ec.message() + ")");

  JobContext::Shared shared;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return ok_status();  // claimed while stopping: the lease runs out, another worker takes it
    current_ = &shared;
  }
  JobContext ctx(job, std::move(params), store_, pool_, dir, options_.name, options_.lease_ms, shared);
  (void)ctx.event("info", job.attempt > 1 ? "resumed by worker " + options_.name + " (attempt " +
                                                std::to_string(job.attempt) + ")" +
                                                (job.checkpoint.empty() ? "" : " from " + job.checkpoint)
                                          : "started by worker " + options_.name,
                  {{"attempt", job.attempt}});
  bool done = false;
  std::mutex hb_mu;
  std::condition_variable hb_cv;
  std::thread beat([&] { heartbeat_loop(job.id, shared, done, hb_mu, hb_cv); });
  Result<nlohmann::json> out = make_error(ErrorCode::Internal, "runner did not run");
  try {
    out = (*runner)(ctx);
  } catch (const std::exception& e) {
    out = make_error(ErrorCode::Internal, std::string("runner threw: ") + e.what());
  }
  {
    std::lock_guard<std::mutex> lock(hb_mu);
    done = true;
  }
  hb_cv.notify_all();
  beat.join();
  if (shared.pending_progress && !shared.lease_lost.load()) {  // the last progress, unthrottled
    (void)store_.heartbeat_job(job.id, options_.name, now_ms(), options_.lease_ms, shared.pending_progress);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = nullptr;
  }
  if (shared.lease_lost.load()) return ok_status();  // another worker holds it now
  if (out.ok()) {
    (void)ctx.event("info", "succeeded", *out);
    return finish("succeeded", *out, "", "");
  }
  if (shared.shutdown.load()) return ok_status();  // left to its lease: a worker resumes it
  if (out.error().code == ErrorCode::Cancelled && shared.stop.load()) {
    (void)ctx.event("info", "cancelled");
    return finish("cancelled", nlohmann::json::object(), "", "");
  }
  return finish("failed", nlohmann::json::object(), error_code_name(out.error().code), out.error().message);
}

}  // namespace ondo::jobs
