// The job routes (issue 17.3): OpenAI's fine-tuning API (/v1/fine_tuning/jobs: create, list,
// retrieve, events (also SSE), checkpoints, cancel) over jobs of kind fine_tune, and ondo's
// generic /v1/jobs (admin: train and quantize jobs, their events, checkpoints and cancel).
// Layer: serve (routes). Jobs live in the store (jobs/queue.h); workers run them.
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

void handle_fine_tuning_create(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_fine_tuning_list(ServerState& state, const httplib::Request& req, httplib::Response& res);
// /v1/fine_tuning/jobs/{id}, /{id}/events, /{id}/checkpoints.
void handle_fine_tuning_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
// /v1/fine_tuning/jobs/{id}/cancel.
void handle_fine_tuning_post(ServerState& state, const httplib::Request& req, httplib::Response& res);

void handle_jobs_create(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_jobs_list(ServerState& state, const httplib::Request& req, httplib::Response& res);
// /v1/jobs/{id}, /{id}/events, /{id}/checkpoints.
void handle_jobs_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
// /v1/jobs/{id}/cancel.
void handle_jobs_post(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
