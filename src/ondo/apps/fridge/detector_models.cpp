// Writers of the networks in detector_models.h. Layer: apps/fridge.
// The Darknet .weights layout (as Darknet and OpenCV read it): int32 major, minor, revision,
// then (major*10+minor >= 2) a uint64 "images seen"; then per [convolutional] layer in file
// order: biases[n], and with batch_normalize scales[n], rolling_mean[n], rolling_variance[n],
// then weights[n][c][k][k], all float32 little-endian.
#include "ondo/apps/fridge/detector_models.h"

#include <fstream>
#include <random>
#include <vector>

namespace ondo::apps::fridge {
namespace {

namespace fs = std::filesystem;

Status write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) return make_error(ErrorCode::InvalidFile, path.string() + ": cannot write");
  return ok_status();
}

Status make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::InvalidFile, dir.string() + ": cannot create the folder (" + ec.message() + ")");
  return ok_status();
}

// The weights file's bytes: the header, then floats appended in file order.
class WeightsWriter {
 public:
  WeightsWriter() {
    const int32_t header[3] = {0, 2, 0};
    const uint64_t seen = 0;
    bytes_.append(reinterpret_cast<const char*>(header), sizeof header);
    bytes_.append(reinterpret_cast<const char*>(&seen), sizeof seen);
  }
  void put(float v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace

Result<WrittenDetector> write_colour_detector(const fs::path& dir) {
  ONDO_TRY(make_dir(dir));
  constexpr int kN = kColourDetectorInput, kK = kColourDetectorObject;
  const std::string cfg = "[net]\nwidth=" + std::to_string(kN) + "\nheight=" + std::to_string(kN) +
                          "\nchannels=3\n\n"
                          "# redness and greenness of each pixel\n"
                          "[convolutional]\nfilters=2\nsize=1\nstride=1\npad=0\nactivation=relu\n\n"
                          "# box, objectness and class logits from the window around each cell\n"
                          "[convolutional]\nfilters=7\nsize=" + std::to_string(kK) +
                          "\nstride=1\npad=1\nactivation=linear\n\n"
                          "[yolo]\nmask=0\nanchors=" + std::to_string(kK) + "," + std::to_string(kK) +
                          "\nclasses=2\nnum=1\n";
  WeightsWriter w;
  // Layer 1: 2 filters over RGB (the input blob is RGB): redness, greenness; no bias.
  for (float v : {0.f, 0.f, 1.f, -1.f, -1.f, -1.f, 1.f, -1.f}) w.put(v);
  // Layer 2: 7 filters over (redness, greenness), kK x kK each: tx, ty, tw, th = 0 (a box of
  // the anchor's size centred on the cell), objectness, class tomato, class lettuce.
  constexpr float kObjGain = 20, kObjBias = -18, kClassGain = 10;
  for (float b : {0.f, 0.f, 0.f, 0.f, kObjBias, 0.f, 0.f}) w.put(b);
  const float per_px = 1.0f / float(kK * kK);
  for (int f = 0; f < 7; ++f) {
    for (int c = 0; c < 2; ++c) {
      float v = 0;
      if (f == 4) v = kObjGain * per_px;
      if (f == 5) v = (c == 0 ? kClassGain : -kClassGain) * per_px;
      if (f == 6) v = (c == 1 ? kClassGain : -kClassGain) * per_px;
      for (int k = 0; k < kK * kK; ++k) w.put(v);
    }
  }
  WrittenDetector out{(dir / "colour.cfg").string(), (dir / "colour.weights").string(), (dir / "colour.labels").string()};
  ONDO_TRY(write_file(out.cfg, cfg));
  ONDO_TRY(write_file(out.weights, w.bytes()));
  ONDO_TRY(write_file(out.labels, "tomato\nlettuce\n"));
  return out;
}

Result<WrittenDetector> write_yolo_tiny_detector(const fs::path& dir, int input, int classes, uint64_t seed) {
  if (input < 32 || input > 2048 || input % 32 != 0) {
    return make_error(ErrorCode::InvalidArgument, "yolo-tiny: input " + std::to_string(input) + " is not a multiple of 32 in 32..2048");
  }
  if (classes < 1 || classes > 1000) {
    return make_error(ErrorCode::InvalidArgument, "yolo-tiny: classes " + std::to_string(classes) + " not in 1..1000");
  }
  ONDO_TRY(make_dir(dir));
  const int head = 3 * (5 + classes);
  struct Conv {
    int filters, size, in;
    bool bn;
  };
  // YOLOv3-tiny's convolutions in file order, with each one's input channels.
  const Conv convs[] = {{16, 3, 3, true},    {32, 3, 16, true},   {64, 3, 32, true},   {128, 3, 64, true},
                        {256, 3, 128, true}, {512, 3, 256, true}, {1024, 3, 512, true}, {256, 1, 1024, true},
                        {512, 3, 256, true}, {head, 1, 512, false}, {128, 1, 256, true}, {256, 3, 384, true},
                        {head, 1, 256, false}};
  const auto conv_cfg = [](const Conv& c) {
    return std::string("[convolutional]\n") + (c.bn ? "batch_normalize=1\n" : "") + "filters=" + std::to_string(c.filters) +
           "\nsize=" + std::to_string(c.size) + "\nstride=1\npad=1\nactivation=" + (c.bn ? "leaky" : "linear") + "\n\n";
  };
  const std::string pool2 = "[maxpool]\nsize=2\nstride=2\n\n";
  const std::string anchors = "anchors=10,14, 23,27, 37,58, 81,82, 135,169, 344,319\nclasses=" + std::to_string(classes) +
                              "\nnum=6\njitter=.3\nignore_thresh=.7\ntruth_thresh=1\nrandom=1\n\n";
  std::string cfg = "[net]\nbatch=1\nsubdivisions=1\nwidth=" + std::to_string(input) + "\nheight=" + std::to_string(input) +
                    "\nchannels=3\n\n";
  for (int i = 0; i < 5; ++i) cfg += conv_cfg(convs[i]) + pool2;
  cfg += conv_cfg(convs[5]) + "[maxpool]\nsize=2\nstride=1\n\n";
  for (int i = 6; i < 10; ++i) cfg += conv_cfg(convs[i]);
  cfg += "[yolo]\nmask=3,4,5\n" + anchors + "[route]\nlayers=-4\n\n" + conv_cfg(convs[10]) + "[upsample]\nstride=2\n\n" +
         "[route]\nlayers=-1,8\n\n" + conv_cfg(convs[11]) + conv_cfg(convs[12]) + "[yolo]\nmask=0,1,2\n" + anchors;

  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> small(-0.05f, 0.05f);
  WeightsWriter w;
  for (const Conv& c : convs) {
    for (int i = 0; i < c.filters; ++i) w.put(small(rng));  // biases
    if (c.bn) {
      for (int i = 0; i < c.filters; ++i) w.put(1.0f);  // scales
      for (int i = 0; i < c.filters; ++i) w.put(0.0f);  // rolling mean
      for (int i = 0; i < c.filters; ++i) w.put(1.0f);  // rolling variance
    }
    const int64_t n = int64_t(c.filters) * c.in * c.size * c.size;
    for (int64_t i = 0; i < n; ++i) w.put(small(rng));
  }
  std::string labels;
  for (int i = 0; i < classes; ++i) labels += "class" + std::to_string(i) + "\n";
  WrittenDetector out{(dir / "yolo-tiny.cfg").string(), (dir / "yolo-tiny.weights").string(), (dir / "yolo-tiny.labels").string()};
  ONDO_TRY(write_file(out.cfg, cfg));
  ONDO_TRY(write_file(out.weights, w.bytes()));
  ONDO_TRY(write_file(out.labels, labels));
  return out;
}

}  // namespace ondo::apps::fridge
