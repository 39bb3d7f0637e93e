// Two `ondo worker --db postgres://...` processes against one real PostgreSQL (issue 17.1:
// replicas claim with FOR UPDATE SKIP LOCKED and never run a job twice): N small quantize jobs
// queued first, then both workers started; every job succeeds, on its first attempt, started
// exactly once (one "started by" event, no "resumed"), and both workers took part.
// Label slow: about 50 s on a loaded 2-core machine (PostgreSQL start, 10 quantize jobs). Layer: tests/jobs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/postgres_server.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::jobs {
namespace {

using ondo::testing::read_file;
using ondo::testing::run_ondo;

pid_t spawn_worker(const std::string& db, const std::string& name, const std::string& jobs_dir, const std::string& log) {
  const std::string bin = (ondo::testing::binary_dir() / "ondo").string();
  std::vector<std::string> args = {bin, "worker", "--db", db, "--name", name, "--jobs-dir", jobs_dir, "-t", "1", "--lease", "5"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// SIGTERM, then waits (bounded: 10 s, then SIGKILL). Returns the exit status.
int stop_worker(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 1000; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

TEST(WorkerPostgres, TwoWorkerProcessesRunEveryJobExactlyOnce) {
  ONDO_TESTDATA_OR_SKIP(data);
  auto pg = ondo::testing::PostgresServer::start();
  if (!pg.ok()) GTEST_SKIP() << "PostgreSQL tests skipped: " << pg.error().message;
  auto url = (*pg)->create_database("twoworkers");
  ASSERT_TRUE(url.ok()) << url.error().message;
  const std::string db = " --db '" + *url + "'";
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / ("ondo_pg_workers_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string model = (data / "models" / "ref-llama-spm-f32.gguf").string();

  constexpr int kJobs = 10;
  std::vector<std::string> ids;
  for (int i = 0; i < kJobs; ++i) {
    const nlohmann::json p = {{"input", model}, {"type", i % 2 ? "Q8_0" : "Q4_K_M"}};
    auto r = run_ondo("jobs submit quantize '" + p.dump() + "'" + db);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ids.push_back(nlohmann::json::parse(r.out)["id"].get<std::string>());
  }
  const pid_t a = spawn_worker(*url, "wa", (dir / "jobs").string(), (dir / "a.log").string());
  const pid_t b = spawn_worker(*url, "wb", (dir / "jobs").string(), (dir / "b.log").string());

  auto show = [&](const std::string& id) {
    auto r = run_ondo("jobs show " + id + db);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  };
  auto all_done = [&] {
    auto r = run_ondo("jobs list --kind quantize --limit 100" + db);
    if (r.exit_code != 0) return false;
    int done = 0;
    size_t start = 0;
    while (start < r.out.size()) {
      size_t end = r.out.find('\n', start);
      if (end == std::string::npos) end = r.out.size();
      auto j = nlohmann::json::parse(r.out.substr(start, end - start), nullptr, false);
      if (j.is_object() && (j["state"] == "succeeded" || j["state"] == "failed")) ++done;
      start = end + 1;
    }
    return done == kJobs;
  };
  bool finished = false;
  for (int i = 0; i < 240 && !finished; ++i) {  // bounded: 60 s
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    finished = all_done();
  }
  stop_worker(a);
  stop_worker(b);
  ASSERT_TRUE(finished) << read_file(dir / "a.log") << read_file(dir / "b.log");

  std::map<std::string, int> per_worker;
  for (const std::string& id : ids) {
    const nlohmann::json j = show(id);
    SCOPED_TRACE(id);
    EXPECT_EQ(j["state"], "succeeded") << j.dump(2);
    EXPECT_EQ(j["attempt"], 1);
    int started = 0, resumed = 0, succeeded = 0;
    std::string by;
    for (const auto& e : j["events"]) {
      const std::string m = e["message"].get<std::string>();
      if (m.rfind("started by worker ", 0) == 0) ++started, by = m.substr(18);
      if (m.rfind("resumed", 0) == 0) ++resumed;
      if (m == "succeeded") ++succeeded;
    }
    EXPECT_EQ(started, 1) << j["events"].dump(2);
    EXPECT_EQ(resumed, 0);
    EXPECT_EQ(succeeded, 1);
    EXPECT_TRUE(std::filesystem::exists(j["result"]["model"].get<std::string>()));
    ++per_worker[by];
  }
  EXPECT_EQ(per_worker.size(), 2u) << "one worker ran every job: wa " << per_worker["wa"] << ", wb " << per_worker["wb"];
  EXPECT_EQ(per_worker["wa"] + per_worker["wb"], kJobs);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ondo::jobs
