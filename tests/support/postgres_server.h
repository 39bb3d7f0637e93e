// PostgresServer: a throwaway PostgreSQL 15 server for tests. initdb into a fresh temporary
// folder, pg_ctl start listening only on a unix socket in that folder (no TCP port to
// collide on), stop and remove everything in the destructor. Run as root, the server runs as
// `nobody` (initdb refuses root). Test support only.
// The binaries come from $ONDO_PG_BIN or /usr/lib/postgresql/15/bin; when they are missing,
// start() fails with Unsupported and a message a test prints when it skips.
// Thread contract: one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "ondo/core/result.h"

namespace ondo::testing {

class PostgresServer {
 public:
  // Starts a fresh server (a few seconds). Errors: Unsupported (no binaries), Internal
  // (initdb or pg_ctl failed: the message holds their log's tail).
  static Result<std::unique_ptr<PostgresServer>> start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // libpq URL of a fresh database `name` (created on first call with that name),
  // e.g. "postgres://ondo@/t1?host=/tmp/ondo-pg-Ab12Cd&port=5432".
  Result<std::string> create_database(const std::string& name);
  const std::filesystem::path& dir() const { return dir_; }
  // Stops the server now (pg_ctl stop -m immediate: like a crash of the database), to test
  // clients of a store that went away. Errors: Internal when pg_ctl fails.
  Status stop();

 private:
  PostgresServer() = default;
  // Runs `cmd` (a shell command line) as the server's user; output appended to the log.
  int run_as_owner(const std::string& cmd) const;
  std::string log_tail() const;

  std::filesystem::path dir_;
  std::filesystem::path bin_;
  bool started_ = false;
  bool as_nobody_ = false;
};

}  // namespace ondo::testing
