// `ondo serve --detector FILE --labels FILE` (see detector_options.h). Layer: cli.
#include "ondo/cli/detector_options.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>

#include "ondo/apps/fridge/detection_worker.h"
#include "ondo/apps/fridge/detector.h"
#include "ondo/serve/routes/fridge_detect.h"  // kMaxDetectImageBytes

namespace ondo::cli {
namespace {

// Photos that may wait while one is detected; more get 429.
constexpr size_t kDetectQueue = 16;
// A 10 MB photo in a multipart body, with room for the form's headers.
constexpr size_t kDetectBodyBytes = serve::kMaxDetectImageBytes + (size_t(1) << 20);

}  // namespace

OptionSpec detector_option_spec() {
  return {"--detector", "FILE", "none (detection off)",
          "a Darknet YOLO network (NAME.cfg + NAME.weights) for POST /apps/fridge/api/detect"};
}
OptionSpec labels_option_spec() { return {"--labels", "FILE", "", "the detector's class names, one per line"}; }
OptionSpec detector_threads_option_spec() { return {"--detector-threads", "N", "2", "threads the detector uses"}; }

Status apply_detector_options(const Args& args, serve::ServerOptions& server) {
  const auto model = args.get("--detector");
  if (!model) {
    if (args.has("--labels")) return make_error(ErrorCode::InvalidArgument, "--labels: give --detector FILE too");
    return ok_status();
  }
  apps::fridge::DetectorOptions o;
  o.model_path = *model;
  o.labels_path = args.get("--labels").value_or("");
  if (o.labels_path.empty()) return make_error(ErrorCode::InvalidArgument, "--detector: give --labels FILE too");
  ONDO_ASSIGN_OR_RETURN(int64_t threads, args.get_int("--detector-threads"));
  if (threads < 1 || threads > 256) {
    return make_error(ErrorCode::InvalidArgument, "--detector-threads: out of range (seen " + std::to_string(threads) + ", expected 1 to 256)");
  }
  o.threads = int(threads);
  auto detector = apps::fridge::open_detector(o);
  if (!detector.ok()) return detector.error().with_context("--detector");
  // The detection thread (and the OpenCV threads it starts) must not take SIGTERM/SIGINT: the
  // serve command waits for them with sigwait on its main thread, and this runs before it blocks them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  server.detector = std::make_shared<apps::fridge::DetectionWorker>(std::move(*detector), kDetectQueue);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (!args.has("--max-body")) server.max_body_bytes = std::max(server.max_body_bytes, kDetectBodyBytes);
  std::fprintf(stderr, "ondo serve: detector %s (labels %s, %d threads) on POST /apps/fridge/api/detect\n", o.model_path.c_str(),
               o.labels_path.c_str(), o.threads);
  return ok_status();
}

}  // namespace ondo::cli
