// The options that name the store (--data-dir, --db), shared by `ondo serve` and
// `ondo admin`. Layer: cli.
#pragma once

#include "ondo/cli/args.h"
#include "ondo/store/store.h"

namespace ondo::cli {

OptionSpec data_dir_option_spec();
OptionSpec db_option_spec();

// The store options from --data-dir / --db. Errors: InvalidArgument when both are given.
Result<store::StoreOptions> store_options(const Args& args);

}  // namespace ondo::cli
