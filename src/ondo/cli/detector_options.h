// The options of `ondo serve` that turn on ingredient detection (POST /apps/fridge/api/detect):
// --detector FILE, --labels FILE, --detector-threads N. Layer: cli.
#pragma once

#include "ondo/cli/args.h"
#include "ondo/serve/server.h"

namespace ondo::cli {

OptionSpec detector_option_spec();
OptionSpec labels_option_spec();
OptionSpec detector_threads_option_spec();

// With --detector: loads the network and its labels, starts the detection thread and hands it
// to the server (ServerOptions::detector); unless --max-body was given, raises the body limit so that a 10 MB photo
// fits. Without it: nothing (--labels alone is an error). Errors name the option or the file.
Status apply_detector_options(const Args& args, serve::ServerOptions& server);

}  // namespace ondo::cli
