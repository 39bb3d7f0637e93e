// `ondo detect --detector FILE --labels FILE IMAGE...`: finds labelled boxes in photos with a
// detection network the user provides (OpenCV DNN; apps/fridge/detector.h) and prints them as
// JSON; `ondo detect --make-test-model DIR` writes a tiny colour detector to try it with.
// Layer: cli.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ondo/apps/fridge/detection_json.h"
#include "ondo/apps/fridge/detector.h"
#include "ondo/apps/fridge/detector_models.h"
#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"

namespace ondo::cli {
namespace {

namespace fridge = apps::fridge;

// Photos larger than this are refused before reading (the HTTP route's cap is 10 MB).
constexpr int64_t kMaxImageFileBytes = int64_t(64) << 20;

const CommandSpec& detect_spec() {
  static const CommandSpec kSpec = {
      "detect",
      "detect --detector FILE --labels FILE [options] IMAGE...",
      "Finds objects in each IMAGE (JPEG, PNG, BMP, WebP) with a Darknet YOLO network\n"
      "(NAME.cfg + NAME.weights; give either file) and prints one JSON array with an object per\n"
      "image: {\"image\": PATH, \"detections\": [{\"label\", \"score\", \"box\": {x, y, width, height}}]},\n"
      "boxes in the image's pixels, highest score first. --make-test-model DIR writes a tiny\n"
      "network (tomato = red squares, lettuce = green ones) and its labels into DIR.",
      {
          {"--detector", "FILE", "", "the network: NAME.cfg (with NAME.weights next to it) or NAME.weights"},
          {"--labels", "FILE", "", "class names, one per line (line 1 = class 0)"},
          {"--threshold", "S", "0.3", "lowest score reported"},
          {"--nms", "T", "0.45", "overlap (IoU) above which a lower-scored box of the same label is dropped"},
          {"-t|--threads", "N", "2", "threads OpenCV uses"},
          {"--make-test-model", "DIR", "", "write the tiny colour detector into DIR and exit"},
      },
      "ondo detect --make-test-model /tmp/det\n"
      "ondo detect --detector /tmp/det/colour.cfg --labels /tmp/det/colour.labels photo.jpg",
  };
  return kSpec;
}

Result<std::string> read_image_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the image");
  const std::streamoff size = in.tellg();
  if (size > kMaxImageFileBytes) {
    return make_error(ErrorCode::TooLarge, path + ": " + std::to_string(size) + " bytes (at most " +
                                               std::to_string(kMaxImageFileBytes) + ")");
  }
  in.seekg(0);
  std::string bytes(size_t(std::max<std::streamoff>(size, 0)), '\0');
  if (!in.read(bytes.data(), std::streamsize(bytes.size()))) return make_error(ErrorCode::InvalidFile, path + ": cannot read");
  return bytes;
}

Status make_test_model(const std::string& dir) {
  ONDO_ASSIGN_OR_RETURN(fridge::WrittenDetector w, fridge::write_colour_detector(dir));
  std::printf("wrote %s, %s and %s\ntry: ondo detect --detector %s --labels %s PHOTO\n", w.cfg.c_str(), w.weights.c_str(),
              w.labels.c_str(), w.cfg.c_str(), w.labels.c_str());
  return ok_status();
}

Status detect(const Args& args) {
  fridge::DetectorOptions o;
  o.model_path = args.get("--detector").value_or("");
  o.labels_path = args.get("--labels").value_or("");
  if (o.model_path.empty()) return make_error(ErrorCode::InvalidArgument, "--detector FILE is required");
  if (o.labels_path.empty()) return make_error(ErrorCode::InvalidArgument, "--labels FILE is required");
  ONDO_ASSIGN_OR_RETURN(double threshold, args.get_double("--threshold"));
  ONDO_ASSIGN_OR_RETURN(double nms, args.get_double("--nms"));
  ONDO_ASSIGN_OR_RETURN(int64_t threads, args.get_int("-t"));
  o.score_threshold = float(threshold);
  o.nms_threshold = float(nms);
  o.threads = int(std::clamp<int64_t>(threads, 0, 1 << 20));
  if (args.positional().empty()) return make_error(ErrorCode::InvalidArgument, "no image given (pass one or more IMAGE)");
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<fridge::Detector> detector, fridge::open_detector(o));
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& path : args.positional()) {
    ONDO_ASSIGN_OR_RETURN(std::string bytes, read_image_file(path));
    auto found = detector->detect(bytes);
    if (!found.ok()) return found.error().with_context(path);
    out.push_back({{"image", path}, {"detections", fridge::detections_to_json(*found)}});
  }
  const std::string text = out.dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return ok_status();
}

}  // namespace

int cmd_detect(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(detect_spec(), argc, argv, &args)) return *done;
  if (auto dir = args.get("--make-test-model")) {
    if (auto st = make_test_model(*dir); !st.ok()) return report("detect", st.error());
    return 0;
  }
  if (auto st = detect(args); !st.ok()) return report("detect", st.error());
  return 0;
}

}  // namespace ondo::cli
