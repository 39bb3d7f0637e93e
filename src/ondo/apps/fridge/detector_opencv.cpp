// The detector runtime: OpenCV's DNN module (Debian's libopencv-dnn 4.6) running a detection
// network the user provides. Layer: apps/fridge. Must not touch serve or cli.
// Formats: Darknet YOLO (.cfg + .weights, [yolo] or [region] output layers). Verified by
// tests/apps/fridge/detector_opencv_test.cpp with a network the test writes itself.
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ondo/apps/fridge/darknet_cfg.h"
#include "ondo/apps/fridge/detector.h"
#include "ondo/apps/fridge/image_header.h"

namespace ondo::apps::fridge {
namespace {

namespace fs = std::filesystem;

// Darknet's letterbox fill: mid grey (0.5 after scaling to [0, 1]).
constexpr int kLetterboxGrey = 127;

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// One label per line; trailing blank lines are ignored, a blank line in between is an error.
Result<std::vector<std::string>> read_labels(const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::InvalidArgument, "labels: no labels file given (--labels FILE)");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return make_error(ErrorCode::NotFound, path + ": labels file not found");
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::InvalidFile, path + ": cannot read the labels file");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) labels.push_back(trim(line));
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  if (labels.empty()) return make_error(ErrorCode::InvalidFile, path + ": no labels (expected one label per line)");
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].empty()) {
      return make_error(ErrorCode::InvalidFile, path + ": line " + std::to_string(i + 1) + " is empty (expected one label per line)");
    }
  }
  return labels;
}

// The cfg and weights of a Darknet network given either file.
struct DarknetFiles {
  std::string cfg;
  std::string weights;
};

Result<DarknetFiles> darknet_files(const std::string& model_path) {
  const fs::path p(model_path);
  DarknetFiles f;
  if (p.extension() == ".cfg") {
    f.cfg = p.string();
    f.weights = fs::path(p).replace_extension(".weights").string();
  } else {
    f.weights = p.string();
    f.cfg = fs::path(p).replace_extension(".cfg").string();
  }
  std::error_code ec;
  for (const std::string& file : {f.cfg, f.weights}) {
    if (!fs::is_regular_file(file, ec)) {
      return make_error(ErrorCode::NotFound, file + ": detector file not found (a Darknet network is NAME.cfg + NAME.weights)");
    }
  }
  return f;
}

// How the network's input is made from an image and how its output rows are read.
struct NetShape {
  int width = 0;
  int height = 0;
  int classes = 0;
};

class OpenCvDetector final : public Detector {
 public:
  OpenCvDetector(cv::dnn::Net net, NetShape shape, std::vector<std::string> labels, DetectorOptions options)
      : net_(std::move(net)), shape_(shape), labels_(std::move(labels)), options_(std::move(options)) {
    out_names_ = net_.getUnconnectedOutLayersNames();
  }

  Result<std::vector<Detection>> detect(std::string_view image_bytes) override {
    using Clock = std::chrono::steady_clock;
    const auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    timings_ = {};
    const auto t0 = Clock::now();
    ONDO_ASSIGN_OR_RETURN(cv::Mat image, decode(image_bytes));
    const auto t1 = Clock::now();
    timings_.decode_ms = ms(t0, t1);
    try {
      const Letterbox box = letterbox(image);
      cv::dnn::blobFromImage(box.canvas, blob_, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/true, /*crop=*/false);
      const auto t2 = Clock::now();
      timings_.letterbox_ms = ms(t1, t2);
      net_.setInput(blob_);
      net_.forward(outs_, out_names_);
      const auto t3 = Clock::now();
      timings_.forward_ms = ms(t2, t3);
      ONDO_ASSIGN_OR_RETURN(std::vector<Candidate> found, read_yolo_rows(outs_, box, image.cols, image.rows));
      std::vector<Detection> out = suppress(std::move(found));
      timings_.boxes_ms = ms(t3, Clock::now());
      return out;
    } catch (const cv::Exception& e) {
      return make_error(ErrorCode::Internal, options_.model_path + ": the network failed to run (" + trim(e.err) + ")");
    }
  }

  // One pass on a grey input of the network's size: OpenCV sets its layers up on the first
  // forward(), which would otherwise land on the first photo.
  Status warm_up() {
    try {
      const cv::Mat grey(shape_.height, shape_.width, CV_8UC3, cv::Scalar::all(kLetterboxGrey));
      cv::dnn::blobFromImage(grey, blob_, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false);
      net_.setInput(blob_);
      net_.forward(outs_, out_names_);
    } catch (const cv::Exception& e) {
      return make_error(ErrorCode::InvalidFile, options_.model_path + ": the network does not run (" + trim(e.err) + ")");
    }
    return ok_status();
  }

  DetectTimings last_timings() const override { return timings_; }

  std::vector<std::string> labels() const override { return labels_; }

 private:
  struct Letterbox {
    cv::Mat canvas;     // shape_.width x shape_.height, BGR
    double scale = 1;   // network pixels per image pixel
    int pad_x = 0;
    int pad_y = 0;
  };
  struct Candidate {
    int cls = 0;
    float score = 0;
    cv::Rect box;  // image pixels
  };

  Result<cv::Mat> decode(std::string_view bytes) const {
    ONDO_ASSIGN_OR_RETURN(ImageSize size, sniff_image(bytes));
    ONDO_TRY(check_image_size(size));
    cv::Mat image;
    try {
      const cv::Mat raw(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
      image = cv::imdecode(raw, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
      return make_error(ErrorCode::InvalidArgument, "image: cannot be decoded (" + trim(e.err) + ")");
    }
    if (image.empty()) {
      return make_error(ErrorCode::InvalidArgument, "image: the " + size.format + " data cannot be decoded (damaged or truncated)");
    }
    return image;
  }

  // The image scaled to fit the network input, aspect kept, centred on grey (Darknet's letterbox).
  Letterbox letterbox(const cv::Mat& image) const {
    Letterbox b;
    b.scale = std::min(double(shape_.width) / image.cols, double(shape_.height) / image.rows);
    const int w = std::clamp(int(std::lround(image.cols * b.scale)), 1, shape_.width);
    const int h = std::clamp(int(std::lround(image.rows * b.scale)), 1, shape_.height);
    b.pad_x = (shape_.width - w) / 2;
    b.pad_y = (shape_.height - h) / 2;
    b.canvas = cv::Mat(shape_.height, shape_.width, CV_8UC3, cv::Scalar::all(kLetterboxGrey));
    cv::Mat scaled;
    cv::resize(image, scaled, cv::Size(w, h), 0, 0, w < image.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
    scaled.copyTo(b.canvas(cv::Rect(b.pad_x, b.pad_y, w, h)));
    return b;
  }

  // OpenCV's Darknet [yolo]/[region] output: one row per (cell, anchor) of
  // [cx, cy, w, h, objectness, class scores...], box in [0, 1] of the network input, class
  // scores already multiplied by objectness.
  Result<std::vector<Candidate>> read_yolo_rows(const std::vector<cv::Mat>& outs, const Letterbox& b, int img_w,
                                                int img_h) const {
    std::vector<Candidate> found;
    const int cols = 5 + shape_.classes;
    for (const cv::Mat& out : outs) {
      if (out.dims != 2 || out.cols != cols || out.type() != CV_32F) {
        return make_error(ErrorCode::Unsupported, options_.model_path + ": an output layer is not a YOLO detection layer (rows of " +
                                                      std::to_string(out.dims == 2 ? out.cols : -1) + " values, expected " +
                                                      std::to_string(cols) + " = 5 + classes)");
      }
      for (int r = 0; r < out.rows; ++r) {
        const float* row = out.ptr<float>(r);
        const float* best = std::max_element(row + 5, row + cols);
        if (!(*best >= options_.score_threshold)) continue;
        const double cx = row[0] * shape_.width, cy = row[1] * shape_.height;
        const double w = row[2] * shape_.width, h = row[3] * shape_.height;
        const double x0 = std::clamp((cx - w / 2 - b.pad_x) / b.scale, 0.0, double(img_w));
        const double y0 = std::clamp((cy - h / 2 - b.pad_y) / b.scale, 0.0, double(img_h));
        const double x1 = std::clamp((cx + w / 2 - b.pad_x) / b.scale, 0.0, double(img_w));
        const double y1 = std::clamp((cy + h / 2 - b.pad_y) / b.scale, 0.0, double(img_h));
        const cv::Rect box(int(std::lround(x0)), int(std::lround(y0)), int(std::lround(x1 - x0)), int(std::lround(y1 - y0)));
        if (box.width <= 0 || box.height <= 0) continue;
        found.push_back({int(best - (row + 5)), *best, box});
      }
    }
    return found;
  }

  // Non-maximum suppression per class, then every kept box sorted by score.
  std::vector<Detection> suppress(std::vector<Candidate> found) const {
    std::map<int, std::vector<size_t>> by_class;
    for (size_t i = 0; i < found.size(); ++i) by_class[found[i].cls].push_back(i);
    std::vector<Detection> out;
    for (const auto& [cls, members] : by_class) {
      std::vector<cv::Rect> boxes;
      std::vector<float> scores;
      for (size_t i : members) {
        boxes.push_back(found[i].box);
        scores.push_back(found[i].score);
      }
      std::vector<int> keep;
      cv::dnn::NMSBoxes(boxes, scores, options_.score_threshold, options_.nms_threshold, keep);
      for (int k : keep) {
        const Candidate& c = found[members[size_t(k)]];
        out.push_back({labels_[size_t(c.cls)], c.score, c.box.x, c.box.y, c.box.width, c.box.height});
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
    return out;
  }

  cv::dnn::Net net_;
  NetShape shape_;
  std::vector<std::string> labels_;
  DetectorOptions options_;
  std::vector<std::string> out_names_;
  cv::Mat blob_;               // the input blob, reused from call to call
  std::vector<cv::Mat> outs_;  // the output layers, reused
  DetectTimings timings_;
};

Status check_options(const DetectorOptions& o) {
  if (o.model_path.empty()) return make_error(ErrorCode::InvalidArgument, "detector: no network file given (--detector FILE)");
  if (!(o.score_threshold >= 0 && o.score_threshold <= 1)) {
    return make_error(ErrorCode::InvalidArgument, "detector: score threshold must be in [0, 1] (seen " + std::to_string(o.score_threshold) + ")");
  }
  if (!(o.nms_threshold > 0 && o.nms_threshold <= 1)) {
    return make_error(ErrorCode::InvalidArgument, "detector: NMS threshold must be in (0, 1] (seen " + std::to_string(o.nms_threshold) + ")");
  }
  if (o.threads < 1 || o.threads > 1024) {
    return make_error(ErrorCode::InvalidArgument, "detector: threads must be 1..1024 (seen " + std::to_string(o.threads) + ")");
  }
  return ok_status();
}

Result<std::unique_ptr<Detector>> open_darknet(const DetectorOptions& options, std::vector<std::string> labels) {
  ONDO_ASSIGN_OR_RETURN(DarknetFiles files, darknet_files(options.model_path));
  ONDO_ASSIGN_OR_RETURN(DarknetSummary summary, read_darknet_cfg(files.cfg));
  if (summary.classes != int(labels.size())) {
    return make_error(ErrorCode::InvalidArgument, options.labels_path + ": " + std::to_string(labels.size()) +
                                                      " labels, but " + files.cfg + " detects " +
                                                      std::to_string(summary.classes) + " classes");
  }
  ONDO_TRY(check_darknet_weights(files.weights, summary));
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromDarknet(files.cfg, files.weights);
  } catch (const cv::Exception& e) {
    return make_error(ErrorCode::InvalidFile, files.weights + ": OpenCV cannot load the network (" + trim(e.err) + ")");
  }
  if (net.empty()) return make_error(ErrorCode::InvalidFile, files.cfg + ": OpenCV loaded an empty network");
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  const NetShape shape{summary.width, summary.height, summary.classes};
  auto detector = std::make_unique<OpenCvDetector>(std::move(net), shape, std::move(labels), options);
  ONDO_TRY(detector->warm_up());
  return std::unique_ptr<Detector>(std::move(detector));
}

}  // namespace

Result<std::unique_ptr<Detector>> open_detector(const DetectorOptions& options) {
  ONDO_TRY(check_options(options));
  std::error_code ec;
  if (!fs::exists(options.model_path, ec)) {
    return make_error(ErrorCode::NotFound, options.model_path + ": detector file not found");
  }
  ONDO_ASSIGN_OR_RETURN(std::vector<std::string> labels, read_labels(options.labels_path));
  cv::setNumThreads(options.threads);
  const std::string ext = fs::path(options.model_path).extension().string();
  if (ext == ".cfg" || ext == ".weights") return open_darknet(options, std::move(labels));
  return make_error(ErrorCode::Unsupported, options.model_path + ": unknown detector format '" + ext +
                                                "' (supported: a Darknet YOLO network, NAME.cfg + NAME.weights)");
}

}  // namespace ondo::apps::fridge
