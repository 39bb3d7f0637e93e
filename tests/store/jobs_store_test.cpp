// The job queue's store methods (issue 17.1), run against both engines (engine_test.h):
// claims, leases and their expiry, cancel, events, checkpoints, and racing claims from two
// store objects that must never hand one job out twice.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

class JobsStoreTest : public testing_support::EngineTest {
 protected:
  static JobRecord job(const std::string& id, int64_t created, const std::string& kind = "train") {
    JobRecord j;
    j.id = id;
    j.kind = kind;
    j.state = "queued";
    j.params = R"({"steps":3})";
    j.created_ms = created;
    return j;
  }

  JobRecord get(const std::string& id) {
    auto r = store_->find_job(id);
    EXPECT_TRUE(r.ok() && r->has_value()) << (r.ok() ? "missing" : r.error().message);
    return r.ok() && r->has_value() ? **r : JobRecord{};
  }

  std::optional<JobRecord> claim(const std::string& owner, int64_t now, int64_t lease = 1000,
                                 std::vector<std::string> kinds = {}) {
    auto r = store_->claim_job(owner, kinds, now, lease);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::nullopt;
  }
};

TEST_P(JobsStoreTest, InsertFindAndListNewestFirstWithAfter) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->insert_job(job("job-" + std::to_string(i), 100 + i)).ok());
  ASSERT_TRUE(store_->insert_job(job("ftjob-x", 200, "fine_tune")).ok());
  auto dup = store_->insert_job(job("job-1", 5));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(get("job-2"), job("job-2", 102));

  auto all = store_->list_jobs({});
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ((*all)[0].id, "ftjob-x");
  EXPECT_EQ((*all)[5].id, "job-0");
  auto page = store_->list_jobs({{"train"}, "job-3", 2});
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, "job-2");
  EXPECT_EQ((*page)[1].id, "job-1");
  auto ft = store_->list_jobs({{"fine_tune"}, "", 10});
  ASSERT_TRUE(ft.ok());
  ASSERT_EQ(ft->size(), 1u);
  auto bad = store_->list_jobs({{}, "job-missing", 10});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::NotFound);
  auto none = store_->find_job("job-missing");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(JobsStoreTest, ClaimTakesOldestOfItsKindsAndHoldsTheLease) {
  ASSERT_TRUE(store_->insert_job(job("job-b", 20)).ok());
  ASSERT_TRUE(store_->insert_job(job("job-a", 10, "quantize")).ok());
  auto q = claim("w1", 1000, 500, {"train"});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->id, "job-b");
  EXPECT_EQ(q->state, "running");
  EXPECT_EQ(q->lease_owner, "w1");
  EXPECT_EQ(q->lease_expires_ms, 1500);
  EXPECT_EQ(q->attempt, 1);
  EXPECT_EQ(q->started_ms, std::optional<int64_t>(1000));
  EXPECT_FALSE(claim("w2", 1100, 500, {"train"}));  // the lease holds
  auto any = claim("w2", 1100);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->id, "job-a");
  EXPECT_FALSE(claim("w3", 1200));

  auto hb = store_->heartbeat_job("job-b", "w1", 1400, 500, std::string(R"({"step":1,"total":3})"));
  ASSERT_TRUE(hb.ok()) << hb.error().message;
  EXPECT_EQ(*hb, JobLease::Held);
  EXPECT_EQ(get("job-b").lease_expires_ms, 1900);
  EXPECT_EQ(get("job-b").progress, R"({"step":1,"total":3})");
  auto other = store_->heartbeat_job("job-b", "w2", 1400, 500, std::nullopt);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, JobLease::Lost);
  EXPECT_EQ(get("job-b").progress, R"({"step":1,"total":3})");  // kept when none is given

  auto wrong = store_->finish_job("job-b", "w2", "succeeded", "{}", "", "", 1500);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::NotFound);
  auto bad_state = store_->finish_job("job-b", "w1", "running", "{}", "", "", 1500);
  ASSERT_FALSE(bad_state.ok());
  EXPECT_EQ(bad_state.error().code, ErrorCode::InvalidArgument);
  ASSERT_TRUE(store_->finish_job("job-b", "w1", "succeeded", R"({"model":"m.gguf"})", "", "", 1600).ok());
  const JobRecord done = get("job-b");
  EXPECT_EQ(done.state, "succeeded");
  EXPECT_EQ(done.result, R"({"model":"m.gguf"})");
  EXPECT_EQ(done.finished_ms, std::optional<int64_t>(1600));
  EXPECT_EQ(done.lease_owner, "");
  auto late = store_->heartbeat_job("job-b", "w1", 1700, 500, std::nullopt);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(*late, JobLease::Lost);
}

TEST_P(JobsStoreTest, ExpiredLeaseIsReclaimedUntilAttemptsRunOut) {
  JobRecord j = job("job-1", 1);
  j.max_attempts = 2;
  ASSERT_TRUE(store_->insert_job(j).ok());
  ASSERT_TRUE(claim("w1", 1000, 100));
  EXPECT_FALSE(claim("w2", 1099, 100));
  auto again = claim("w2", 1101, 100);  // w1 died: its lease ran out at 1100
  ASSERT_TRUE(again);
  EXPECT_EQ(again->lease_owner, "w2");
  EXPECT_EQ(again->attempt, 2);
  EXPECT_EQ(again->started_ms, std::optional<int64_t>(1000));
  auto lost = store_->heartbeat_job("job-1", "w1", 1102, 100, std::nullopt);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(*lost, JobLease::Lost);
  EXPECT_FALSE(claim("w3", 1300, 100));  // two attempts used: the sweep fails it
  const JobRecord failed = get("job-1");
  EXPECT_EQ(failed.state, "failed");
  EXPECT_EQ(failed.error_code, "lease_expired");
  EXPECT_NE(failed.error.find("2 times"), std::string::npos) << failed.error;
}

TEST_P(JobsStoreTest, CancelQueuedAtOnceAndRunningAtItsNextHeartbeat) {
  ASSERT_TRUE(store_->insert_job(job("job-q", 1)).ok());
  ASSERT_TRUE(store_->insert_job(job("job-r", 2)).ok());
  auto q = store_->cancel_job("job-q", 50);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->state, "cancelled");
  EXPECT_EQ(q->finished_ms, std::optional<int64_t>(50));
  auto r = claim("w1", 100, 1000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "job-r");  // the cancelled one is never claimed
  auto c = store_->cancel_job("job-r", 150);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->state, "running");
  EXPECT_TRUE(c->cancel_requested);
  auto hb = store_->heartbeat_job("job-r", "w1", 200, 1000, std::nullopt);
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(*hb, JobLease::CancelRequested);
  ASSERT_TRUE(store_->finish_job("job-r", "w1", "cancelled", "{}", "", "", 250).ok());
  auto again = store_->cancel_job("job-r", 300);  // a finished job stays as it is
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, "cancelled");
  EXPECT_EQ(again->finished_ms, std::optional<int64_t>(250));
  auto missing = store_->cancel_job("job-none", 300);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_P(JobsStoreTest, CancelledJobWhoseWorkerDiedEndsCancelledNotResumed) {
  ASSERT_TRUE(store_->insert_job(job("job-1", 1)).ok());
  ASSERT_TRUE(claim("w1", 100, 100));
  ASSERT_TRUE(store_->cancel_job("job-1", 150).ok());
  EXPECT_FALSE(claim("w2", 300, 100));
  EXPECT_EQ(get("job-1").state, "cancelled");
}

TEST_P(JobsStoreTest, EventsAndCheckpointsAreNumberedPerJob) {
  ASSERT_TRUE(store_->insert_job(job("job-1", 1)).ok());
  ASSERT_TRUE(store_->insert_job(job("job-2", 2)).ok());
  for (int i = 0; i < 4; ++i) {
    auto seq = store_->append_job_event({"job-1", 0, 10 + i, "info", "step " + std::to_string(i), R"({"i":1})"});
    ASSERT_TRUE(seq.ok()) << seq.error().message;
    EXPECT_EQ(*seq, i + 1);
  }
  auto other = store_->append_job_event({"job-2", 0, 5, "warn", "w", "{}"});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, 1);
  auto none = store_->append_job_event({"job-x", 0, 5, "info", "m", "{}"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::NotFound);
  auto events = store_->list_job_events("job-1", 1, 2);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0], (JobEvent{"job-1", 2, 11, "info", "step 1", R"({"i":1})"}));
  EXPECT_EQ((*events)[1].seq, 3);

  auto c1 = store_->add_job_checkpoint({"job-1", 0, 10, "/ck/10.gguf", R"({"loss":2.5})", 40});
  ASSERT_TRUE(c1.ok()) << c1.error().message;
  auto c2 = store_->add_job_checkpoint({"job-1", 0, 20, "/ck/20.gguf", "{}", 50});
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(*c2, 2);
  EXPECT_EQ(get("job-1").checkpoint, "/ck/20.gguf");
  auto cks = store_->list_job_checkpoints("job-1");
  ASSERT_TRUE(cks.ok());
  ASSERT_EQ(cks->size(), 2u);
  EXPECT_EQ((*cks)[0], (JobCheckpoint{"job-1", 1, 10, "/ck/10.gguf", R"({"loss":2.5})", 40}));
  auto bad = store_->add_job_checkpoint({"job-x", 0, 1, "r", "{}", 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::NotFound);
}

TEST_P(JobsStoreTest, JobsSurviveReopen) {
  ASSERT_TRUE(store_->insert_job(job("job-1", 1)).ok());
  ASSERT_TRUE(claim("w1", 10, 100));
  reopen();
  EXPECT_EQ(get("job-1").state, "running");
  EXPECT_EQ(get("job-1").lease_owner, "w1");
}

// Two store objects (two replicas) claim from one queue as fast as they can: every job is
// claimed exactly once.
TEST_P(JobsStoreTest, RacingClaimsNeverShareAJob) {
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "job-%03d", i);
    ASSERT_TRUE(store_->insert_job(job(id, i)).ok());
  }
  std::unique_ptr<Store> second;
  if (GetParam() == "postgres") {
    auto s = open_store(options_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    second = std::move(*s);
  }
  Store* stores[2] = {store_.get(), second ? second.get() : store_.get()};  // SQLite: one object per file
  std::mutex mu;
  std::vector<std::string> claimed;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        auto r = stores[t % 2]->claim_job("w" + std::to_string(t), {}, 1000, 1000000);
        if (!r.ok()) {
          ++errors;
          return;
        }
        if (!r->has_value()) return;
        std::lock_guard<std::mutex> lock(mu);
        claimed.push_back((*r)->id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claimed.size(), size_t(kJobs));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), size_t(kJobs));
}

INSTANTIATE_TEST_SUITE_P(Engines, JobsStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
