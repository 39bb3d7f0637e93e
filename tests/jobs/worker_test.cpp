// jobs::Worker over a real store (SQLite and PostgreSQL through the two-engine fixture):
// runs, progress, events, failure, cancel, no runner, and resuming a job whose worker went
// away from its last checkpoint. Layer: tests/jobs.
#include "ondo/jobs/worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/engine_test.h"

namespace ondo::jobs {
namespace {

Progress at(int64_t step, int64_t total) {
  Progress p;
  p.step = step;
  p.total = total;
  p.loss = 1.0 / double(step);
  return p;
}

class WorkerTest : public store::testing_support::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped()) return;
    jobs_dir_ = std::filesystem::temp_directory_path() / ("ondo-jobs-" + std::to_string(::getpid()) + "-" +
                                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(jobs_dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(jobs_dir_);
    EngineTest::TearDown();
  }

  WorkerOptions options(const std::string& name, int64_t lease_ms = 10000, int64_t heartbeat_ms = 50) {
    WorkerOptions o;
    o.name = name;
    o.jobs_dir = jobs_dir_;
    o.lease_ms = lease_ms;
    o.heartbeat_ms = heartbeat_ms;
    o.poll_ms = 20;
    return o;
  }

  void submit(const std::string& id, const std::string& kind, const std::string& params = "{}") {
    store::JobRecord j;
    j.id = id;
    j.kind = kind;
    j.state = "queued";
    j.params = params;
    j.created_ms = now_ms();
    ASSERT_TRUE(store_->insert_job(j).ok());
  }

  store::JobRecord get(const std::string& id) {
    auto r = store_->find_job(id);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : store::JobRecord{};
  }

  std::vector<std::string> messages(const std::string& id) {
    std::vector<std::string> out;
    auto ev = store_->list_job_events(id, 0, 1000);
    EXPECT_TRUE(ev.ok());
    if (ev.ok()) for (const auto& e : *ev) out.push_back(e.message);
    return out;
  }

  // Waits (bounded, 20 s) until job `id` reaches `state`.
  bool wait_state(const std::string& id, const std::string& state) {
    for (int i = 0; i < 2000; ++i) {
      if (get(id).state == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::filesystem::path jobs_dir_;
  core::ComputePool pool_{1};
};

TEST_P(WorkerTest, RunsAJobRecordingProgressEventsAndResult) {
  KindRegistry kinds;
  ASSERT_TRUE(kinds
                  .add("count",
                       [](JobContext& ctx) -> Result<nlohmann::json> {
                         const int64_t n = ctx.params().value("n", 0);
                         for (int64_t i = 1; i <= n; ++i) {
                           ONDO_TRY(ctx.progress(at(i, n)));
                           ONDO_TRY(ctx.event("info", "step " + std::to_string(i)));
                         }
                         EXPECT_TRUE(std::filesystem::is_directory(ctx.work_dir()));
                         return nlohmann::json{{"counted", n}};
                       })
                  .ok());
  submit("job-1", "count", R"({"n":3})");
  Worker w(*store_, kinds, pool_, options("w1"));
  auto ran = w.run_once();
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_TRUE(*ran);
  const store::JobRecord j = get("job-1");
  EXPECT_EQ(j.state, "succeeded");
  EXPECT_EQ(nlohmann::json::parse(j.result), (nlohmann::json{{"counted", 3}}));
  EXPECT_EQ(nlohmann::json::parse(j.progress)["step"], 3);  // the last progress is written when the job ends
  const auto m = messages("job-1");
  ASSERT_GE(m.size(), 5u);
  EXPECT_EQ(m.front(), "started by worker w1");
  EXPECT_EQ(m[1], "step 1");
  EXPECT_EQ(m.back(), "succeeded");
  auto again = w.run_once();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // nothing left
}

TEST_P(WorkerTest, FailuresAndMissingRunnersEndTheJobFailedWithTheReason) {
  KindRegistry kinds;
  ASSERT_TRUE(kinds.add("boom", [](JobContext&) -> Result<nlohmann::json> {
                     return make_error(ErrorCode::InvalidFile, "data.jsonl: line 3: not JSON");
                   }).ok());
  EXPECT_FALSE(kinds.add("boom", nullptr).ok());
  submit("job-a", "boom");
  submit("ftjob-b", "fine_tune");
  submit("job-c", "boom", "[1,2]");
  Worker w(*store_, kinds, pool_, options("w1"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w.run_once().ok());
  EXPECT_EQ(get("job-a").state, "failed");
  EXPECT_EQ(get("job-a").error, "data.jsonl: line 3: not JSON");
  EXPECT_EQ(get("ftjob-b").state, "failed");
  EXPECT_EQ(get("ftjob-b").error, "no runner for kind fine_tune");
  EXPECT_EQ(get("ftjob-b").error_code, "no_runner");
  EXPECT_EQ(get("job-c").error, "params: not a JSON object");
  EXPECT_EQ(messages("ftjob-b").back(), "no runner for kind fine_tune");
}

TEST_P(WorkerTest, CancelStopsARunningJobAtItsNextProgressCall) {
  KindRegistry kinds;
  std::atomic<int64_t> reached{0};
  ASSERT_TRUE(kinds.add("forever", [&](JobContext& ctx) -> Result<nlohmann::json> {
                     for (int64_t i = 1;; ++i) {
                       reached = i;
                       ONDO_TRY(ctx.progress(at(i, 0)));
                       std::this_thread::sleep_for(std::chrono::milliseconds(5));
                     }
                   }).ok());
  submit("job-1", "forever");
  Worker w(*store_, kinds, pool_, options("w1"));
  w.start();
  for (int i = 0; i < 2000 && reached.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_GE(reached.load(), 3);
  auto c = store_->cancel_job("job-1", now_ms());
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(wait_state("job-1", "cancelled"));
  w.stop();
  EXPECT_EQ(messages("job-1").back(), "cancelled");
}

// A worker that goes away mid-job (stop() here; kill -9 in the CLI test) leaves its lease to
// run out; a second worker then resumes from the last recorded checkpoint.
TEST_P(WorkerTest, ALostWorkersJobResumesFromItsLastCheckpoint) {
  KindRegistry kinds;
  std::atomic<bool> first_at_2{false};
  std::vector<int64_t> resumed_from;
  ASSERT_TRUE(kinds.add("steps", [&](JobContext& ctx) -> Result<nlohmann::json> {
                     int64_t start = 0;
                     if (!ctx.resume_from().empty()) start = std::stoll(ctx.resume_from().substr(5));  // "step-N"
                     resumed_from.push_back(start);
                     for (int64_t i = start + 1; i <= 5; ++i) {
                       ONDO_TRY(ctx.checkpoint(i, "step-" + std::to_string(i)));
                       if (i == 2 && ctx.job().attempt == 1) {
                         first_at_2 = true;
                         while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                         return make_error(ErrorCode::Cancelled, "stopped");
                       }
                     }
                     return nlohmann::json{{"done", 5}};
                   }).ok());
  submit("job-1", "steps");
  {
    Worker a(*store_, kinds, pool_, options("a", 300, 100));
    a.start();
    for (int i = 0; i < 2000 && !first_at_2.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(first_at_2.load());
  }  // a stops: the job stays running under a's lease
  EXPECT_EQ(get("job-1").state, "running");
  Worker b(*store_, kinds, pool_, options("b", 300, 100));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // a's lease runs out
  auto ran = b.run_once();
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  ASSERT_TRUE(*ran);
  const store::JobRecord j = get("job-1");
  EXPECT_EQ(j.state, "succeeded");
  EXPECT_EQ(j.attempt, 2);
  EXPECT_EQ(resumed_from, (std::vector<int64_t>{0, 2}));
  auto cks = store_->list_job_checkpoints("job-1");
  ASSERT_TRUE(cks.ok());
  EXPECT_EQ(cks->size(), 5u);
}

// metrics(): the loss of sampled steps lands in the event log (first, last, every total/200-th,
// eval steps), so a long job's log holds about 200 points; progress without a loss adds none.
TEST_P(WorkerTest, MetricsEventsSampleTheLossCurve) {
  KindRegistry kinds;
  ASSERT_TRUE(kinds
                  .add("curve",
                       [](JobContext& ctx) -> Result<nlohmann::json> {
                         const int64_t n = ctx.params().value("n", 0);
                         for (int64_t i = 1; i <= n; ++i) {
                           Progress p = at(i, n);
                           if (i == 7) p.eval_loss = 0.5;
                           ONDO_TRY(ctx.metrics(p));
                           Progress bare;
                           bare.step = i;
                           bare.total = n;
                           ONDO_TRY(ctx.metrics(bare));  // no loss: nothing recorded
                         }
                         return nlohmann::json::object();
                       })
                  .ok());
  submit("job-m", "curve", R"({"n":1000})");
  Worker w(*store_, kinds, pool_, options("w1"));
  ASSERT_TRUE(w.run_once().ok());
  auto ev = store_->list_job_events("job-m", 0, 10000);
  ASSERT_TRUE(ev.ok());
  std::vector<int64_t> steps;
  for (const auto& e : *ev) {
    const auto data = nlohmann::json::parse(e.data);
    if (!data.contains("loss")) continue;
    steps.push_back(data["step"].get<int64_t>());
    EXPECT_EQ(data["total"], 1000);
    EXPECT_DOUBLE_EQ(data["loss"].get<double>(), 1.0 / double(steps.back()));
    if (steps.back() == 7) {
      EXPECT_EQ(data["eval_loss"], 0.5);
      EXPECT_EQ(e.message, "step 7/1000: loss 0.1429, eval loss 0.5000");
    }
  }
  ASSERT_EQ(steps.size(), 202u);  // step 1, step 7 (eval), and every 5th up to 1000
  EXPECT_EQ(steps[0], 1);
  EXPECT_EQ(steps[1], 5);
  EXPECT_EQ(steps[2], 7);
  EXPECT_EQ(steps.back(), 1000);
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkerTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::jobs
