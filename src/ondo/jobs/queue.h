// Submitting and showing jobs (issue 17.1): what `ondo jobs`, `ondo serve` and the HTTP
// routes share on top of the store's job rows. Layer: jobs.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::jobs {

// "<prefix>-" and 24 random lowercase hex digits ("job-…", "ftjob-…").
std::string new_job_id(std::string_view prefix);

// Checks `params` for `kind` (kinds.h validate_params) and queues a new job.
// Errors: InvalidArgument naming the bad param or an empty kind; the store's.
Result<store::JobRecord> submit_job(store::Store& store, const std::string& kind, const nlohmann::json& params,
                                    const std::string& owner, std::string_view id_prefix = "job");

// A job as JSON: {id, object "job", kind, state, params, progress, result, error {code,
// message} or null, created_at/started_at/finished_at (Unix seconds or null), attempt,
// worker, checkpoint, cancel_requested}.
nlohmann::json job_json(const store::JobRecord& job);
nlohmann::json job_event_json(const store::JobEvent& event);
nlohmann::json job_checkpoint_json(const store::JobCheckpoint& checkpoint);

}  // namespace ondo::jobs
