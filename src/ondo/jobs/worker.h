// Worker: claims jobs from the store's queue and runs them (issue 17.2). Layer: jobs.
//
// KindRegistry maps a kind name ("train", "quantize", ...) to its Runner; kinds are
// registered before a worker starts (register_builtin_kinds adds today's). A worker claims a
// job of any kind; one whose kind has no runner here fails with "no runner for kind K".
// While a runner works, a heartbeat thread renews the job's lease every heartbeat_ms, writes
// pending progress and raises the job's stop flag when the job was cancelled or the lease
// lost. Runners do their compute on the shared pool under Background leases, below serving.
// A worker killed outright (kill -9) stops heartbeating; when its lease runs out another
// worker claims the job and the runner resumes from JobContext::resume_from().
// Thread contract: register kinds before start(); start()/stop() from one thread; run_once()
// is for a caller that drives the worker itself (tests, `ondo worker --once`), not alongside
// start().
#pragma once

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ondo/jobs/job_context.h"

namespace ondo::jobs {

class KindRegistry {
 public:
  // Errors: InvalidArgument for an empty name or a kind registered twice.
  Status add(const std::string& kind, Runner runner);
  // nullptr when `kind` has no runner.
  const Runner* find(const std::string& kind) const;
  std::vector<std::string> kinds() const;

 private:
  std::map<std::string, Runner> runners_;
};

struct WorkerOptions {
  std::string name;              // the lease owner; "": <hostname>:<pid>:<random>
  std::filesystem::path jobs_dir = "ondo-data/jobs";  // work directories, one per job
  int64_t lease_ms = 30000;      // a lease not renewed for this long lets another worker take the job
  int64_t heartbeat_ms = 5000;   // Requires: < lease_ms
  int64_t poll_ms = 1000;        // idle wait between claims
};

class Worker {
 public:
  // All borrowed; they outlive the worker.
  Worker(store::Store& store, const KindRegistry& kinds, core::ComputePool& pool, WorkerOptions options);
  ~Worker();  // stop()
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  const std::string& name() const { return options_.name; }

  // Claims one job and runs it to its end. false: nothing to claim. Errors: the store's
  // (the job's own failure is recorded in the store, not returned).
  Result<bool> run_once();

  // A thread that claims and runs jobs until stop(); a running job is asked to stop (as a
  // cancel would) and left queued-by-lease: its lease runs out and a worker resumes it.
  void start();
  void stop();

 private:
  void loop();
  Status run_job(const store::JobRecord& job);
  void heartbeat_loop(const std::string& job_id, JobContext::Shared& shared, bool& done, std::mutex& mu,
                      std::condition_variable& cv);

  store::Store& store_;
  const KindRegistry& kinds_;
  core::ComputePool& pool_;
  WorkerOptions options_;
  std::thread thread_;
  std::mutex mu_;  // guards stopping_ and current_
  std::condition_variable cv_;
  bool stopping_ = false;
  JobContext::Shared* current_ = nullptr;  // the running job's flags
};

}  // namespace ondo::jobs
