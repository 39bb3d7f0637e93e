// The fine_tune job kind over a real SQLite store: a job whose base model file is gone fails
// at once with a reason naming the model and the file. Layer: tests/jobs.
#include "ondo/jobs/fine_tune.h"

#include <gtest/gtest.h>

#include "ondo/jobs/kinds.h"
#include "store/engine_test.h"

namespace ondo::jobs {
namespace {

class FineTuneJob : public store::testing_support::EngineTest {
 protected:
  core::ComputePool pool_{1};
};

TEST_P(FineTuneJob, AJobWhoseBaseModelFileIsGoneFailsNamingIt) {
  KindRegistry kinds;
  ASSERT_TRUE(register_builtin_kinds(kinds).ok());
  const auto dir = std::filesystem::temp_directory_path() / ("ondo-ft-job-" + std::to_string(::getpid()));
  store::JobRecord j;
  j.id = "ftjob-gone";
  j.kind = "fine_tune";
  j.state = "queued";
  j.params = nlohmann::json{{"model", "ref"}, {"model_path", (dir / "gone.gguf").string()}, {"training_file", "file-x"}}.dump();
  j.created_ms = now_ms();
  ASSERT_TRUE(store_->insert_job(j).ok());
  WorkerOptions o;
  o.name = "w1";
  o.jobs_dir = dir;
  Worker w(*store_, kinds, pool_, o);
  ASSERT_TRUE(w.run_once().ok());
  auto done = store_->find_job("ftjob-gone");
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->state, "failed");
  EXPECT_EQ((*done)->error, "params.model_path: " + (dir / "gone.gguf").string() + ": the model file is missing");
  EXPECT_EQ((*done)->attempt, 1);  // failed at once, not after lease expiries
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Engines, FineTuneJob, ::testing::Values("sqlite"), [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::jobs
