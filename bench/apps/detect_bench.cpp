// bench_detect: ingredient detection latency (issue 20.5) of a YOLOv3-tiny-shaped Darknet
// network with random weights (apps/fridge/detector_models.h; latency does not depend on the
// weight values) on a 640x640 photo, through the whole Detector::detect() (PNG decode,
// letterbox, forward pass, box decoding, NMS). Plain main; prints the median of the runs, the
// first call after opening, and the median of each stage (Detector::last_timings()).
//   bench_detect [--threads N] [--runs R] [--input S] [--classes C]
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>
#include <unistd.h>

#include "ondo/apps/fridge/detector.h"
#include "ondo/apps/fridge/detector_models.h"

namespace fridge = ondo::apps::fridge;

namespace {

// A 640x640 "fridge shelf": a grey background with coloured boxes and circles.
std::string photo() {
  cv::Mat image(640, 640, CV_8UC3, cv::Scalar(200, 200, 200));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pos(0, 600), size(20, 160), colour(0, 255);
  for (int i = 0; i < 24; ++i) {
    const cv::Scalar c(colour(rng), colour(rng), colour(rng));
    if (i % 2) cv::rectangle(image, cv::Rect(pos(rng), pos(rng), size(rng), size(rng)), c, cv::FILLED);
    else cv::circle(image, cv::Point(pos(rng), pos(rng)), size(rng) / 2, c, cv::FILLED);
  }
  std::vector<uchar> bytes;
  cv::imencode(".png", image, bytes);
  return std::string(bytes.begin(), bytes.end());
}

int arg(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = arg(argc, argv, "--threads", 2);
  const int runs = std::max(1, arg(argc, argv, "--runs", 9));
  const int input = arg(argc, argv, "--input", 416);
  const int classes = arg(argc, argv, "--classes", 80);
  const auto dir = std::filesystem::temp_directory_path() / ("ondo-bench-detect-" + std::to_string(::getpid()));
  auto written = fridge::write_yolo_tiny_detector(dir, input, classes, 1);
  if (!written.ok()) {
    std::fprintf(stderr, "bench_detect: %s\n", written.error().message.c_str());
    return 1;
  }
  fridge::DetectorOptions o;
  o.model_path = written->cfg;
  o.labels_path = written->labels;
  o.threads = threads;
  const auto open0 = std::chrono::steady_clock::now();
  auto detector = fridge::open_detector(o);
  const double open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - open0).count();
  if (!detector.ok()) {
    std::fprintf(stderr, "bench_detect: %s\n", detector.error().message.c_str());
    return 1;
  }
  const std::string image = photo();
  std::vector<double> ms, decode, letterbox, forward, post;
  double first_ms = 0;
  size_t boxes = 0;
  for (int r = 0; r <= runs; ++r) {  // run 0: the first photo after open_detector(), reported apart
    const auto t0 = std::chrono::steady_clock::now();
    auto found = (*detector)->detect(image);
    const auto t1 = std::chrono::steady_clock::now();
    if (!found.ok()) {
      std::fprintf(stderr, "bench_detect: %s\n", found.error().message.c_str());
      return 1;
    }
    boxes = found->size();
    const double took = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (r == 0) {
      first_ms = took;
      continue;
    }
    ms.push_back(took);
    const fridge::DetectTimings t = (*detector)->last_timings();
    decode.push_back(t.decode_ms);
    letterbox.push_back(t.letterbox_ms);
    forward.push_back(t.forward_ms);
    post.push_back(t.boxes_ms);
  }
  for (auto* v : {&ms, &decode, &letterbox, &forward, &post}) std::sort(v->begin(), v->end());
  std::printf("detect: yolov3-tiny shape, %dx%d input, %d classes, %.1f MB weights; 640x640 PNG; %d threads\n", input, input,
              classes, double(std::filesystem::file_size(written->weights)) / 1e6, threads);
  std::printf("  median %.1f ms, min %.1f ms, max %.1f ms over %d runs (%zu boxes from random weights)\n", ms[ms.size() / 2],
              ms.front(), ms.back(), runs, boxes);
  std::printf("  stages (median): decode %.1f ms, letterbox + blob %.1f ms, forward %.1f ms, boxes + NMS %.1f ms\n",
              decode[decode.size() / 2], letterbox[letterbox.size() / 2], forward[forward.size() / 2], post[post.size() / 2]);
  std::printf("  open_detector (load + warm-up pass) %.1f ms; first photo after it %.1f ms\n", open_ms, first_ms);
  std::filesystem::remove_all(dir);
  return 0;
}
