// `ondo jobs list|show|cancel|submit` and `ondo worker` (issue 17.2): the job queue in the
// store that `ondo serve` uses (--data-dir or --db), and a worker process that runs its jobs.
// Layer: cli.
#include <csignal>
#include <cstdio>
#include <ctime>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/cli/store_options.h"
#include "ondo/jobs/kinds.h"
#include "ondo/jobs/queue.h"
#include "ondo/jobs/worker.h"
#include "ondo/serve/job_prompts.h"

namespace ondo::cli {
namespace {

const CommandSpec& jobs_spec() {
  static const CommandSpec kSpec = {
      "jobs",
      "jobs list [--kind K] [--limit N] | jobs show ID | jobs cancel ID | jobs submit KIND PARAMS_JSON",
      "The job queue in the store (the same --data-dir or --db as `ondo serve`). list prints the\n"
      "newest jobs first as JSON lines; show prints one job with its events and checkpoints;\n"
      "cancel cancels a queued job at once and asks a running one to stop; submit queues a job\n"
      "(kinds: train, quantize, imatrix, eval, fine_tune; their params are in docs/jobs.md).\n"
      "`ondo worker` or `ondo serve --workers N` runs the jobs.",
      {data_dir_option_spec(), db_option_spec(), {"--kind", "K", "", "list: only jobs of this kind"},
       {"--limit", "N", "20", "list: at most N jobs (1 to 1000)"}},
      "ondo jobs submit quantize '{\"input\":\"m-f16.gguf\",\"output\":\"m-q8.gguf\",\"type\":\"Q8_0\"}'\n"
      "ondo jobs list --kind train\n"
      "ondo jobs cancel job-0123456789abcdef01234567",
  };
  return kSpec;
}

const CommandSpec& worker_spec() {
  static const CommandSpec kSpec = {
      "worker",
      "worker [--data-dir DIR | --db URL] [options]",
      "Runs the store's queued jobs (fine_tune, train, quantize, imatrix, eval) one at a time until SIGINT or SIGTERM. Several\n"
      "workers on one PostgreSQL never run one job twice; a worker killed mid-job leaves it to be\n"
      "resumed from its last checkpoint by the next worker once its lease runs out.",
      {data_dir_option_spec(), db_option_spec(), threads_option_spec(),
       {"--name", "NAME", "host:pid:random", "the worker's name in the jobs it holds"},
       {"--lease", "S", "30", "lease seconds: a worker silent this long loses its job"},
       {"--jobs-dir", "DIR", "DATA_DIR/jobs", "work directories (checkpoints, outputs), one per job"},
       {"--once", "", "", "run the jobs queued now, then exit"}},
      "ondo worker --db postgres://ondo@db/ondo -t 8",
  };
  return kSpec;
}

std::sig_atomic_t volatile g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

int print_job(store::Store& s, const std::string& id) {
  auto j = s.find_job(id);
  if (!j.ok()) return report("jobs", j.error());
  if (!j->has_value()) return report("jobs", make_error(ErrorCode::NotFound, "no job '" + id + "'"));
  nlohmann::json out = jobs::job_json(**j);
  auto events = s.list_job_events(id, 0, 1000);
  auto cks = s.list_job_checkpoints(id);
  if (!events.ok()) return report("jobs", events.error());
  if (!cks.ok()) return report("jobs", cks.error());
  out["events"] = nlohmann::json::array();
  for (const auto& e : *events) out["events"].push_back(jobs::job_event_json(e));
  out["checkpoints"] = nlohmann::json::array();
  for (const auto& c : *cks) out["checkpoints"].push_back(jobs::job_checkpoint_json(c));
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

int jobs_main(const Args& args) {
  const auto& pos = args.positional();
  const std::string action = pos.empty() ? "" : pos[0];
  const size_t want = action == "list" ? 1 : action == "submit" ? 3 : 2;
  if (action != "list" && action != "show" && action != "cancel" && action != "submit") {
    return report("jobs", make_error(ErrorCode::InvalidArgument, "expected list, show ID, cancel ID or submit KIND PARAMS (see --help)"));
  }
  if (pos.size() != want) {
    return report("jobs", make_error(ErrorCode::InvalidArgument, action + ": expected " + std::to_string(want - 1) +
                                                                     " argument(s), seen " + std::to_string(pos.size() - 1)));
  }
  auto options = store_options(args);
  if (!options.ok()) return report("jobs", options.error());
  auto opened = store::open_store(*options);
  if (!opened.ok()) return report("jobs", opened.error());
  store::Store& s = **opened;
  if (action == "list") {
    store::JobQuery q;
    if (auto k = args.get("--kind")) q.kinds = {*k};
    auto limit = args.get_int("--limit");
    if (!limit.ok()) return report("jobs", limit.error());
    if (*limit < 1 || *limit > 1000) return report("jobs", make_error(ErrorCode::InvalidArgument, "--limit: expected 1 to 1000"));
    q.limit = *limit;
    auto all = s.list_jobs(q);
    if (!all.ok()) return report("jobs", all.error());
    for (const auto& j : *all) std::printf("%s\n", jobs::job_json(j).dump().c_str());
    return 0;
  }
  if (action == "show") return print_job(s, pos[1]);
  if (action == "cancel") {
    auto j = s.cancel_job(pos[1], jobs::now_ms());
    if (!j.ok()) return report("jobs", j.error());
    std::printf("%s\n", jobs::job_json(*j).dump(2).c_str());
    return 0;
  }
  nlohmann::json params = nlohmann::json::parse(pos[2], nullptr, false);
  if (params.is_discarded()) return report("jobs", make_error(ErrorCode::InvalidArgument, "PARAMS: not valid JSON"));
  auto j = jobs::submit_job(s, pos[1], params, "cli");
  if (!j.ok()) return report("jobs", j.error());
  std::printf("%s\n", jobs::job_json(*j).dump(2).c_str());
  return 0;
}

int worker_main(const Args& args) {
  auto options = store_options(args);
  if (!options.ok()) return report("worker", options.error());
  auto threads = threads_option(args);
  if (!threads.ok()) return report("worker", threads.error());
  auto lease = args.get_int("--lease");
  if (!lease.ok()) return report("worker", lease.error());
  if (*lease < 1 || *lease > 86400) return report("worker", make_error(ErrorCode::InvalidArgument, "--lease: expected 1 to 86400 seconds"));
  auto opened = store::open_store(*options);
  if (!opened.ok()) return report("worker", opened.error());
  jobs::KindRegistry kinds;
  if (auto st = jobs::register_builtin_kinds(kinds, {serve::job_prompt_resolver()}); !st.ok()) return report("worker", st.error());
  jobs::WorkerOptions wo;
  wo.name = args.get("--name").value_or("");
  wo.lease_ms = *lease * 1000;
  wo.heartbeat_ms = std::max<int64_t>(200, wo.lease_ms / 5);
  wo.jobs_dir = args.get("--jobs-dir").value_or((options->data_dir / "jobs").string());
  core::ComputePool pool(*threads);
  jobs::Worker worker(**opened, kinds, pool, wo);
  std::fprintf(stderr, "ondo worker %s: store %s, %d threads\n", worker.name().c_str(), (*opened)->location().c_str(), *threads);
  if (args.has("--once")) {
    for (;;) {
      auto ran = worker.run_once();
      if (!ran.ok()) return report("worker", ran.error());
      if (!*ran) return 0;
    }
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  worker.start();
  while (!g_stop) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  std::fprintf(stderr, "ondo worker %s: stopping (a running job is resumed by the next worker)\n", worker.name().c_str());
  worker.stop();
  return 0;
}

}  // namespace

int cmd_jobs(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(jobs_spec(), argc, argv, &args)) return *done;
  return jobs_main(args);
}

int cmd_worker(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(worker_spec(), argc, argv, &args)) return *done;
  return worker_main(args);
}

}  // namespace ondo::cli
