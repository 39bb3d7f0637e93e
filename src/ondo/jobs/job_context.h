// JobContext: what a job's runner sees of the queue while it runs (issue 17.2): its params,
// the compute pool, a work directory, and calls that record progress, events and checkpoints
// in the store. Layer: jobs.
//
// Cancel: a runner asks cancelled() (or hands stop_flag() to a loop that polls it) between
// units of work; progress() returns Cancelled once the job was asked to stop or its lease was
// lost, so a runner that checks it stops at its next progress call.
// Thread contract: the runner's thread calls everything; stop_flag() may be read from any
// thread. The Worker's heartbeat thread sets the flag.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::jobs {

// A job's progress; absent values are left out of the stored JSON.
struct Progress {
  int64_t step = 0;
  int64_t total = 0;
  std::optional<double> loss;
  std::optional<double> eval_loss;
  std::optional<double> tokens_per_s;
  std::optional<double> eta_s;

  nlohmann::json to_json() const;
};

// Wall-clock milliseconds since the Unix epoch (the store's times).
int64_t now_ms();

// JSON text for the store. Invalid UTF-8 in a string (a model's output cut inside a
// character) becomes U+FFFD instead of throwing, so a job's result can always be recorded.
std::string dump_json(const nlohmann::json& j);
std::string dump_json(const nlohmann::ordered_json& j);

class JobContext {
 public:
  // Shared with the Worker that made it (the heartbeat thread reads and writes these).
  struct Shared {
    std::atomic<bool> stop{false};       // cancel asked or lease lost
    std::atomic<bool> lease_lost{false};
    std::atomic<bool> shutdown{false};   // the worker is stopping (the job is left to resume)
    std::mutex mu;                       // guards pending_progress
    std::optional<std::string> pending_progress;  // written by the next heartbeat
  };

  // `job` as claimed; `store`, `pool` and `shared` are borrowed and outlive the context.
  JobContext(store::JobRecord job, nlohmann::json params, store::Store& store, core::ComputePool& pool,
             std::filesystem::path work_dir, std::string worker, int64_t lease_ms, Shared& shared);

  const store::JobRecord& job() const { return job_; }
  const nlohmann::json& params() const { return params_; }
  core::ComputePool& pool() { return pool_; }
  // The store the job lives in (a fine_tune runner reads its training file with
  // read_file_content(params["training_file"])).
  store::Store& store() { return store_; }
  // <jobs dir>/<job id>: created before the runner starts; kept after it ends.
  const std::filesystem::path& work_dir() const { return work_dir_; }
  // The job's last checkpoint ref when it was claimed ("" for a fresh job): a resumed job
  // (its earlier worker died) continues from it.
  const std::string& resume_from() const { return job_.checkpoint; }

  // Records progress (written to the store now, at most every 250 ms, else by the next
  // heartbeat). Returns Cancelled once the job should stop.
  Status progress(const Progress& p);
  // Appends to the job's event log (level "info", "warn" or "error"). A store error is
  // returned, the job goes on.
  Status event(const std::string& level, const std::string& message, const nlohmann::json& data = nlohmann::json::object());
  // Records `p` in the event log as a "metrics" event (message "step S/T: loss L", data {step,
  // total, loss, eval_loss?} and OpenAI's names total_steps, train_loss) when it is a sampled
  // step: the first, the last, every max(1, total/200)-th and any step with an eval loss, so a
  // job's log holds at most ~200 loss points whatever its length (the console's loss chart
  // reads them). Progress without a loss records nothing. A store error is returned, the job goes on.
  Status metrics(const Progress& p);
  // Records a checkpoint written at `ref` holding step `step`; it becomes resume_from() of a
  // later attempt.
  Status checkpoint(int64_t step, const std::string& ref, const nlohmann::json& metrics = nlohmann::json::object());

  bool cancelled() const { return shared_.stop.load(); }
  const std::atomic<bool>& stop_flag() const { return shared_.stop; }

 private:
  store::JobRecord job_;
  nlohmann::json params_;
  store::Store& store_;
  core::ComputePool& pool_;
  std::filesystem::path work_dir_;
  std::string worker_;
  int64_t lease_ms_;
  Shared& shared_;
  int64_t last_write_ms_ = 0;
};

// A kind's runner: does the job's work and returns its result object. Errors end the job
// failed with the error's message; Cancelled ends it cancelled.
using Runner = std::function<Result<nlohmann::json>(JobContext&)>;

}  // namespace ondo::jobs
