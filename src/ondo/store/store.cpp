// open_store: picks the engine from the options. Layer: store.
#include "ondo/store/store.h"

#include "ondo/store/migrations.h"

namespace ondo::store {

int current_schema_version() { return kSchemaVersion; }

Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  const std::string& url = options.db_url;
  if (!url.empty()) {
    if (url.rfind("postgres://", 0) != 0 && url.rfind("postgresql://", 0) != 0) {
      return make_error(ErrorCode::InvalidArgument,
                        "--db: unsupported database URL (seen '" + url.substr(0, url.find(':')) +
                            ":...', expected postgres://... or postgresql://...)");
    }
    if (options.pool_size < 1 || options.pool_size > 64) {
      return make_error(ErrorCode::InvalidArgument,
                        "pool size out of range (seen " + std::to_string(options.pool_size) + ", expected 1 to 64)");
    }
    return open_postgres_store(url, options.pool_size);
  }
  if (options.data_dir.empty()) return make_error(ErrorCode::InvalidArgument, "--data-dir: empty path");
  return open_sqlite_store(options.data_dir, options.env ? *options.env : core::Env::posix());
}

}  // namespace ondo::store
