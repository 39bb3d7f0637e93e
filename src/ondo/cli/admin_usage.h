// `ondo admin usage [requests]`: the usage queries of GET /v1/usage and /v1/usage/requests on
// the store `ondo serve` uses, printed as JSON or CSV. Layer: cli.
#pragma once

#include "ondo/cli/args.h"
#include "ondo/store/store.h"

namespace ondo::cli {

// The options admin_usage() reads (admin's option table includes them).
std::vector<OptionSpec> admin_usage_options();

// `what`: "" (sums from the rollups) or "requests" (raw rows). Returns the exit code.
int admin_usage(store::Store& store, const std::string& what, const Args& args);

}  // namespace ondo::cli
