// The job routes (see jobs.h): OpenAI's /v1/fine_tuning/jobs over fine_tune jobs and ondo's
// generic /v1/jobs. Layer: serve. Talks to the store (store.h) and jobs/queue.h only.
#include "ondo/serve/routes/jobs.h"

#include <chrono>
#include <thread>

#include "ondo/jobs/job_context.h"
#include "ondo/jobs/queue.h"
#include "ondo/serve/fine_tuning.h"
#include "ondo/serve/json_limits.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/server_state.h"
#include "ondo/serve/sse.h"
#include "ondo/store/store.h"

namespace ondo::serve {
namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
constexpr int64_t kEventPollMs = 250;

// The two route families differ in prefix, kind filter and JSON shapes.
struct Family {
  std::string_view prefix;  // "/v1/fine_tuning/jobs/" or "/v1/jobs/"
  bool fine_tuning;
  nlohmann::json job(const store::JobRecord& j) const { return fine_tuning ? fine_tuning_job_json(j) : jobs::job_json(j); }
  nlohmann::json event(const store::JobEvent& e) const {
    return fine_tuning ? fine_tuning_event_json(e) : jobs::job_event_json(e);
  }
  nlohmann::json checkpoint(const store::JobCheckpoint& c) const {
    return fine_tuning ? fine_tuning_checkpoint_json(c) : jobs::job_checkpoint_json(c);
  }
};
constexpr Family kFineTuning{"/v1/fine_tuning/jobs/", true};
constexpr Family kGeneric{"/v1/jobs/", false};

Result<store::Store*> job_store(ServerState& state) {
  if (!state.options().store) {
    return make_error(ErrorCode::Unavailable, "jobs need a store: start the server with --data-dir or --db");
  }
  return state.options().store;
}

std::string caller_name() {
  const auto& record = current_request();
  return record ? record->context.caller : std::string();
}

// {id} and what follows it ("", "events", "checkpoints", "cancel").
std::pair<std::string, std::string> split_path(const Family& f, const std::string& path) {
  std::string rest = path.substr(f.prefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return {rest, ""};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

Result<int64_t> limit_param(const httplib::Request& req) {
  if (!req.has_param("limit")) return int64_t(20);
  const std::string v = req.get_param_value("limit");
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 1 || n > 100) return field_error(kBad, "limit", "expected an integer from 1 to 100");
  return int64_t(n);
}

// The job `id`, which must be of the family's kinds. Errors: NotFound.
Result<store::JobRecord> find_job(store::Store& s, const Family& f, const std::string& id) {
  ONDO_ASSIGN_OR_RETURN(std::optional<store::JobRecord> j, s.find_job(id));
  if (!j || (f.fine_tuning && j->kind != "fine_tune")) {
    return make_error(ErrorCode::NotFound, (f.fine_tuning ? "no fine-tuning job '" : "no job '") + id.substr(0, 200) + "'");
  }
  return std::move(*j);
}

void send_list(httplib::Response& res, nlohmann::json data, bool has_more) {
  send_json(res, 200, {{"object", "list"}, {"data", std::move(data)}, {"has_more", has_more}});
}

void list_jobs(ServerState& state, const Family& f, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto s = job_store(state);
  if (!s.ok()) return send_error(res, s.error());
  auto limit = limit_param(req);
  if (!limit.ok()) return send_error(res, limit.error());
  store::JobQuery q;
  if (f.fine_tuning) q.kinds = {"fine_tune"};
  else if (req.has_param("kind")) q.kinds = {req.get_param_value("kind")};
  q.after = req.get_param_value("after");
  q.limit = *limit + 1;
  auto jobs = (*s)->list_jobs(q);
  if (!jobs.ok()) {
    Error e = jobs.error();
    if (e.code == ErrorCode::NotFound) e = field_error(kBad, "after", "no job '" + q.after.substr(0, 200) + "'");
    return send_error(res, e);
  }
  nlohmann::json data = nlohmann::json::array();
  for (size_t i = 0; i < jobs->size() && int64_t(i) < *limit; ++i) data.push_back(f.job((*jobs)[i]));
  send_list(res, std::move(data), int64_t(jobs->size()) > *limit);
}

bool wants_stream(const httplib::Request& req) {
  if (req.get_param_value("stream") == "true") return true;
  return req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

// The job's events as SSE: everything after `after`, then new ones as they come, until the
// job ends (then "data: [DONE]"), the client goes away or the server drains.
void stream_events(ServerState& state, store::Store& s, const Family& f, const std::string& id, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider("text/event-stream", [&state, &s, f, id, seq = int64_t(0)](size_t, httplib::DataSink& sink) mutable {
    state.enter();
    for (;;) {
      auto job = s.find_job(id);
      auto events = s.list_job_events(id, seq, 100);
      if (!job.ok() || !events.ok() || !job->has_value()) break;
      for (const auto& e : *events) {
        seq = e.seq;
        const std::string chunk = sse_event(f.event(e));
        if (!sink.write(chunk.data(), chunk.size())) {
          state.leave();
          return false;
        }
      }
      if (events->size() == 100) continue;
      if (store::job_state_final((*job)->state) || state.draining()) break;
      const std::string ping = sse_comment();
      if (!sink.write(ping.data(), ping.size())) {
        state.leave();
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kEventPollMs));
    }
    const std::string done = sse_done();
    sink.write(done.data(), done.size());
    sink.done();
    state.leave();
    return true;
  });
}

void get_job(ServerState& state, const Family& f, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto s = job_store(state);
  if (!s.ok()) return send_error(res, s.error());
  const auto [id, what] = split_path(f, req.path);
  auto job = find_job(**s, f, id);
  if (!job.ok()) return send_error(res, job.error());
  if (what.empty()) return send_json(res, 200, f.job(*job));
  if (what == "checkpoints") {
    auto cks = (*s)->list_job_checkpoints(id);
    if (!cks.ok()) return send_error(res, cks.error());
    nlohmann::json data = nlohmann::json::array();
    for (auto it = cks->rbegin(); it != cks->rend(); ++it) data.push_back(f.checkpoint(*it));  // newest first
    return send_list(res, std::move(data), false);
  }
  if (what != "events") return send_error(res, make_error(ErrorCode::NotFound, "no route " + req.path.substr(0, 200)));
  if (wants_stream(req)) return stream_events(state, **s, f, id, res);
  auto limit = limit_param(req);
  if (!limit.ok()) return send_error(res, limit.error());
  // OpenAI lists events newest first; `after` is an event id of this list.
  auto events = (*s)->list_job_events(id, 0, 1000000);
  if (!events.ok()) return send_error(res, events.error());
  const std::string after = req.get_param_value("after");
  nlohmann::json data = nlohmann::json::array();
  bool started = after.empty(), more = false;
  for (auto it = events->rbegin(); it != events->rend(); ++it) {
    nlohmann::json e = f.event(*it);
    if (!started) {
      started = e.value("id", "") == after || std::to_string(it->seq) == after;
      continue;
    }
    if (int64_t(data.size()) == *limit) {
      more = true;
      break;
    }
    data.push_back(std::move(e));
  }
  send_list(res, std::move(data), more);
}

void cancel(ServerState& state, const Family& f, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto s = job_store(state);
  if (!s.ok()) return send_error(res, s.error());
  const auto [id, what] = split_path(f, req.path);
  if (what != "cancel") return send_error(res, make_error(ErrorCode::NotFound, "no route POST " + req.path.substr(0, 200)));
  auto job = find_job(**s, f, id);
  if (!job.ok()) return send_error(res, job.error());
  if (store::job_state_final(job->state)) {
    return send_error(res, make_error(kBad, "job '" + id + "' has already " + (job->state == "succeeded" ? "succeeded" : "ended (" + job->state + ")")));
  }
  auto cancelled = (*s)->cancel_job(id, jobs::now_ms());
  if (!cancelled.ok()) return send_error(res, cancelled.error());
  (void)(*s)->append_job_event({id, 0, jobs::now_ms(), "info", "cancel requested by " + caller_name(), "{}"});
  send_json(res, 200, f.job(*cancelled));
}

}  // namespace

void handle_fine_tuning_create(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto s = job_store(state);
  if (!s.ok()) return send_error(res, s.error());
  JsonBudget budget;
  auto body = parse_request_json(req.body, "", budget);
  if (!body.ok()) return send_error(res, body.error());
  auto params = fine_tuning_params(*body);
  if (!params.ok()) return send_error(res, params.error());
  auto model = lookup_model(state, (*params)["model"].get<std::string>());
  if (!model.ok()) return send_error(res, model.error());
  if ((*model)->kind != ModelKind::Generator || (*model)->path.empty()) {
    return send_error(res, field_error(kBad, "model", "'" + (*model)->alias + "' cannot be fine-tuned (a chat model loaded from a GGUF file can)"));
  }
  (*params)["model_path"] = (*model)->path;  // the worker trains over this file
  for (const char* key : {"training_file", "validation_file"}) {
    if (!(*params)[key].is_string()) continue;
    const std::string id = (*params)[key].get<std::string>();
    auto f = (*s)->find_file(id);
    if (!f.ok()) return send_error(res, f.error());
    if (!f->has_value()) return send_error(res, field_error(kBad, key, "no file '" + id.substr(0, 200) + "' (upload it to /v1/files)"));
  }
  auto job = jobs::submit_job(**s, "fine_tune", *params, caller_name(), "ftjob");
  if (!job.ok()) return send_error(res, job.error());
  send_json(res, 200, fine_tuning_job_json(*job));
}

void handle_fine_tuning_list(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  list_jobs(state, kFineTuning, req, res);
}
void handle_fine_tuning_get(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  get_job(state, kFineTuning, req, res);
}
void handle_fine_tuning_post(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  cancel(state, kFineTuning, req, res);
}

void handle_jobs_create(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  auto s = job_store(state);
  if (!s.ok()) return send_error(res, s.error());
  JsonBudget budget;
  auto body = parse_request_json(req.body, "", budget);
  if (!body.ok()) return send_error(res, body.error());
  if (!body->is_object()) return send_error(res, make_error(kBad, "request body: expected a JSON object"));
  auto kind = body->find("kind");
  if (kind == body->end() || !kind->is_string()) return send_error(res, field_error(kBad, "kind", "missing (train, quantize, imatrix or eval)"));
  const std::string k = kind->get<std::string>();
  if (k != "train" && k != "quantize" && k != "imatrix" && k != "eval") {
    return send_error(res, field_error(kBad, "kind", "'" + k.substr(0, 32) + "' cannot be created here (expected train, quantize, imatrix or eval; fine-tuning: /v1/fine_tuning/jobs)"));
  }
  auto p = body->find("params");
  if (p == body->end() || !p->is_object()) return send_error(res, field_error(kBad, "params", "missing (an object)"));
  auto job = jobs::submit_job(**s, k, nlohmann::json::parse(p->dump()), caller_name());
  if (!job.ok()) {
    Error e = job.error();
    if (e.message.rfind("params.", 0) == 0) e.field = e.message.substr(0, e.message.find(':'));
    return send_error(res, e);
  }
  send_json(res, 200, jobs::job_json(*job));
}

void handle_jobs_list(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  list_jobs(state, kGeneric, req, res);
}
void handle_jobs_get(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  get_job(state, kGeneric, req, res);
}
void handle_jobs_post(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  cancel(state, kGeneric, req, res);
}

}  // namespace ondo::serve
