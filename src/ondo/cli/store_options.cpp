// --data-dir and --db. Layer: cli.
#include "ondo/cli/store_options.h"

namespace ondo::cli {

OptionSpec data_dir_option_spec() {
  return {"--data-dir", "DIR", "./ondo-data", "SQLite store folder (created 0700): keys and other state"};
}

OptionSpec db_option_spec() {
  return {"--db", "URL", "", "PostgreSQL store (postgres://user:pass@host/db) shared by several replicas, instead of --data-dir"};
}

Result<store::StoreOptions> store_options(const Args& args) {
  if (args.has("--data-dir") && args.has("--db")) {
    return make_error(ErrorCode::InvalidArgument, "give --data-dir or --db, not both");
  }
  store::StoreOptions o;
  if (auto d = args.get("--data-dir")) o.data_dir = *d;
  if (auto u = args.get("--db")) {
    if (u->empty()) return make_error(ErrorCode::InvalidArgument, "--db: empty URL");
    o.db_url = *u;
  }
  return o;
}

}  // namespace ondo::cli
