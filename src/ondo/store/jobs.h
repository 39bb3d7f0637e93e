// The rows of the job queue (issue 17.1): jobs with their lease, progress and result; each
// job's event log and checkpoints. Plain data; the statements both engines share. Layer: store.
//
// A job's life: queued -> running (claimed by a worker, which holds a lease it renews with
// heartbeats) -> succeeded | failed | cancelled. A lease that expires (the worker died) puts
// the job up for claiming again; the next worker resumes from the job's last checkpoint.
// Cancel: a queued job is cancelled at once; a running one gets cancel_requested, which its
// worker reads at its next heartbeat and stops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ondo::store {

struct JobRecord {
  std::string id;     // "job-..." or "ftjob-..."
  std::string kind;   // "train", "quantize", "fine_tune", ...
  std::string state;  // "queued", "running", "succeeded", "failed" or "cancelled"
  std::string params = "{}";    // JSON object: the kind's parameters
  std::string progress = "{}";  // JSON object: {step, total, loss, eval_loss, tokens_per_s, eta_s}
  std::string result = "{}";    // JSON object: what a succeeded job made
  std::string error_code;       // "" unless failed
  std::string error;            // the failure's message, "" unless failed
  int64_t created_ms = 0;
  std::optional<int64_t> started_ms;   // first claim
  std::optional<int64_t> finished_ms;  // reached a final state
  std::string lease_owner;             // the worker holding it ("" when none)
  int64_t lease_expires_ms = 0;
  int64_t heartbeat_ms = 0;            // the last heartbeat
  int64_t attempt = 0;                 // claims so far
  int64_t max_attempts = 3;            // a lease lost this often fails the job
  bool cancel_requested = false;
  std::string checkpoint;              // ref of the last checkpoint ("" when none)
  std::string owner;                   // who submitted it (caller name, "" for the CLI)

  bool operator==(const JobRecord&) const = default;
};

inline bool job_state_final(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

struct JobQuery {
  std::vector<std::string> kinds;  // empty: every kind
  std::string after;               // a job id: only jobs listed after it (older ones); "": from the newest
  int64_t limit = 20;              // 1 .. 1000
};

struct JobEvent {
  std::string job_id;
  int64_t seq = 0;  // 1, 2, ... per job (assigned by the store)
  int64_t time_ms = 0;
  std::string level = "info";  // "info", "warn" or "error"
  std::string message;
  std::string data = "{}";  // JSON object

  bool operator==(const JobEvent&) const = default;
};

struct JobCheckpoint {
  std::string job_id;
  int64_t seq = 0;   // 1, 2, ... per job (assigned by the store)
  int64_t step = 0;  // the step it holds
  std::string ref;   // where it is (a file path)
  std::string metrics = "{}";  // JSON object
  int64_t created_ms = 0;

  bool operator==(const JobCheckpoint&) const = default;
};

// What a worker's heartbeat learns.
enum class JobLease { Held, CancelRequested, Lost };

// The schema of the queue: migration 10 of each engine (migrations.h).
inline constexpr const char* kJobsSqliteMigration =
    "CREATE TABLE jobs (id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,"
    " params TEXT NOT NULL, progress TEXT NOT NULL, result TEXT NOT NULL, error_code TEXT NOT NULL, error TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL, started_ms INTEGER, finished_ms INTEGER, lease_owner TEXT NOT NULL,"
    " lease_expires_ms INTEGER NOT NULL, heartbeat_ms INTEGER NOT NULL, attempt INTEGER NOT NULL,"
    " max_attempts INTEGER NOT NULL, cancel_requested INTEGER NOT NULL, checkpoint TEXT NOT NULL, owner TEXT NOT NULL);"
    "CREATE INDEX jobs_by_state ON jobs (state, created_ms);"
    "CREATE INDEX jobs_by_created ON jobs (created_ms, id);"
    "CREATE TABLE job_events (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
    " time_ms INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (job_id, seq));"
    "CREATE TABLE job_checkpoints (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
    " step INTEGER NOT NULL, ref TEXT NOT NULL, metrics TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (job_id, seq))";
inline constexpr const char* kJobsPostgresMigration =
    "DO $$ BEGIN CREATE TABLE jobs (id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,"
    " params TEXT NOT NULL, progress TEXT NOT NULL, result TEXT NOT NULL, error_code TEXT NOT NULL, error TEXT NOT NULL,"
    " created_ms BIGINT NOT NULL, started_ms BIGINT, finished_ms BIGINT, lease_owner TEXT NOT NULL,"
    " lease_expires_ms BIGINT NOT NULL, heartbeat_ms BIGINT NOT NULL, attempt BIGINT NOT NULL,"
    " max_attempts BIGINT NOT NULL, cancel_requested INTEGER NOT NULL, checkpoint TEXT NOT NULL, owner TEXT NOT NULL);"
    " CREATE INDEX jobs_by_state ON jobs (state, created_ms);"
    " CREATE INDEX jobs_by_created ON jobs (created_ms, id);"
    " CREATE TABLE job_events (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, seq BIGINT NOT NULL,"
    " time_ms BIGINT NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (job_id, seq));"
    " CREATE TABLE job_checkpoints (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, seq BIGINT NOT NULL,"
    " step BIGINT NOT NULL, ref TEXT NOT NULL, metrics TEXT NOT NULL, created_ms BIGINT NOT NULL,"
    " PRIMARY KEY (job_id, seq));"
    " END $$";

// The columns of jobs in the order both engines read them.
inline constexpr const char* kJobColumns =
    "id, kind, state, params, progress, result, error_code, error, created_ms, started_ms, finished_ms, lease_owner, "
    "lease_expires_ms, heartbeat_ms, attempt, max_attempts, cancel_requested, checkpoint, owner";
inline constexpr int kJobColumnCount = 19;

// Shared statements ($n parameters; SQLite binds them by name).
// Before a claim, at $1 now: running jobs whose lease expired and whose cancel was asked
// become cancelled, and those out of attempts become failed.
inline constexpr const char* kJobSweepCancelled =
    "UPDATE jobs SET state = 'cancelled', finished_ms = $1, lease_owner = ''"
    " WHERE state = 'running' AND lease_expires_ms < $1 AND cancel_requested = 1";
inline constexpr const char* kJobSweepExhausted =
    "UPDATE jobs SET state = 'failed', finished_ms = $1, lease_owner = '', error_code = 'lease_expired',"
    " error = 'the worker running it stopped answering ' || attempt || ' times (lease expired)'"
    " WHERE state = 'running' AND lease_expires_ms < $1 AND attempt >= max_attempts";
// $1 id, $2 owner, $3 now, $4 lease_ms, $5 progress JSON or NULL: renews the lease.
inline constexpr const char* kJobHeartbeat =
    "UPDATE jobs SET heartbeat_ms = $3, lease_expires_ms = CAST($3 AS BIGINT) + CAST($4 AS BIGINT), progress = COALESCE($5, progress)"
    " WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING cancel_requested";
// $1 id, $2 owner, $3 state, $4 result, $5 error_code, $6 error, $7 now.
inline constexpr const char* kJobFinish =
    "UPDATE jobs SET state = $3, result = $4, error_code = $5, error = $6, finished_ms = $7, lease_owner = ''"
    " WHERE id = $1 AND lease_owner = $2 AND state = 'running'";
// $1 id, $2 now: a queued job is cancelled at once, a running one asked to stop.
inline constexpr const char* kJobCancel =
    "UPDATE jobs SET state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,"
    " finished_ms = CASE WHEN state = 'queued' THEN $2 ELSE finished_ms END,"
    " cancel_requested = CASE WHEN state = 'running' THEN 1 ELSE cancel_requested END WHERE id = $1";

}  // namespace ondo::store
