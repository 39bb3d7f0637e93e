// A throwaway PostgreSQL server for tests (see postgres_server.h). Test support only.
#include "support/postgres_server.h"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ondo::testing {

namespace fs = std::filesystem;

namespace {

constexpr int kPort = 5432;  // the socket's name only: the server listens on no TCP port

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::start() {
  const char* env_bin = std::getenv("ONDO_PG_BIN");
  const fs::path bin = env_bin && *env_bin ? fs::path(env_bin) : fs::path("/usr/lib/postgresql/15/bin");
  std::error_code ec;
  if (!fs::exists(bin / "initdb", ec) || !fs::exists(bin / "pg_ctl", ec)) {
    return make_error(ErrorCode::Unsupported, "PostgreSQL server binaries (initdb, pg_ctl) not found in " + bin.string() +
                                                  " (install postgresql-15, or set ONDO_PG_BIN)");
  }
  auto s = std::unique_ptr<PostgresServer>(new PostgresServer());
  s->bin_ = bin;
  char tmpl[] = "/tmp/ondo-pg-XXXXXX";
  if (!::mkdtemp(tmpl)) return make_error(ErrorCode::Internal, "mkdtemp failed for the PostgreSQL folder");
  s->dir_ = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("nobody");
    if (!pw) return make_error(ErrorCode::Unsupported, "running as root and there is no user 'nobody' to run PostgreSQL as");
    if (::chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) return make_error(ErrorCode::Internal, "chown of the PostgreSQL folder failed");
    s->as_nobody_ = true;
  }
  const std::string data = (s->dir_ / "data").string();
  if (s->run_as_owner(quote((bin / "initdb").string()) + " -D " + quote(data) +
                      " -U ondo -A trust -E UTF8 --no-sync --no-instructions") != 0) {
    return make_error(ErrorCode::Internal, "initdb failed: " + s->log_tail());
  }
  const std::string opts = "-k " + s->dir_.string() + " -p " + std::to_string(kPort) +
                           " -c listen_addresses= -c fsync=off -c max_connections=50";
  if (s->run_as_owner(quote((bin / "pg_ctl").string()) + " -D " + quote(data) + " -l " +
                      quote((s->dir_ / "server.log").string()) + " -w -t 60 -o " + quote(opts) + " start") != 0) {
    return make_error(ErrorCode::Internal, "pg_ctl start failed: " + s->log_tail());
  }
  s->started_ = true;
  return s;
}

Status PostgresServer::stop() {
  if (!started_) return ok_status();
  if (run_as_owner(quote((bin_ / "pg_ctl").string()) + " -D " + quote((dir_ / "data").string()) +
                   " -m immediate -w -t 30 stop") != 0) {
    return make_error(ErrorCode::Internal, "pg_ctl stop failed: " + log_tail());
  }
  started_ = false;
  return ok_status();
}

PostgresServer::~PostgresServer() {
  if (started_) {
    (void)run_as_owner(quote((bin_ / "pg_ctl").string()) + " -D " + quote((dir_ / "data").string()) +
                       " -m immediate -w -t 30 stop");
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

Result<std::string> PostgresServer::create_database(const std::string& name) {
  fs::path psql = bin_ / "psql";
  std::error_code ec;
  if (!fs::exists(psql, ec)) psql = "/usr/bin/psql";
  const std::string cmd = quote(psql.string()) + " -h " + quote(dir_.string()) + " -p " + std::to_string(kPort) +
                          " -U ondo -d postgres -v ON_ERROR_STOP=1 -c " + quote("CREATE DATABASE \"" + name + "\"");
  if (run_as_owner(cmd) != 0) return make_error(ErrorCode::Internal, "CREATE DATABASE " + name + " failed: " + log_tail());
  return "postgres://ondo@/" + name + "?host=" + dir_.string() + "&port=" + std::to_string(kPort);
}

int PostgresServer::run_as_owner(const std::string& cmd) const {
  const std::string log = quote((dir_ / "setup.log").string());
  const std::string line = as_nobody_ ? "setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c " + quote(cmd)
                                      : cmd;
  const int st = std::system(("cd / && " + line + " >>" + log + " 2>&1").c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string PostgresServer::log_tail() const {
  std::ifstream in(dir_ / "setup.log");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace ondo::testing
