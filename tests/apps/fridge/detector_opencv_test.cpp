// The OpenCV detector on a network the test writes itself (detector_models.h: a 1x1 colour
// conv, a 15x15 window average, a [yolo] layer) and images the test draws: detection must find
// the drawn square with its label and a box on it, and nothing where nothing was drawn.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ondo/apps/fridge/detector.h"
#include "ondo/apps/fridge/detector_models.h"
#include "support/temp_dir.h"

namespace ondo::apps::fridge {
namespace {

namespace fs = std::filesystem;

const cv::Scalar kRed(0, 0, 255), kGreen(0, 255, 0), kBlue(255, 0, 0), kWhite(255, 255, 255);

// A 512x384 photo (letterboxed to 64x48 in the 64x64 input: 1/8 scale) with squares drawn on
// it; the colour detector's object is 15 network pixels = 120 image pixels.
cv::Mat photo(const cv::Scalar& background = kWhite) { return cv::Mat(384, 512, CV_8UC3, background); }

std::string encode(const cv::Mat& image, const std::string& ext = ".png") {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(ext, image, bytes));
  return std::string(bytes.begin(), bytes.end());
}

double iou(const Detection& d, const cv::Rect& r) {
  const cv::Rect a(d.x, d.y, d.width, d.height);
  const double inter = (a & r).area();
  return inter / (a.area() + r.area() - inter);
}

class DetectorTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto written = write_colour_detector(dir_);
    ASSERT_TRUE(written.ok()) << written.error().message;
    files_ = *written;
    auto opened = open_detector(options());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    detector_ = std::move(*opened);
  }
  DetectorOptions options() const {
    DetectorOptions o;
    o.model_path = files_.cfg;
    o.labels_path = files_.labels;
    return o;
  }
  std::vector<Detection> detect(const std::string& bytes) {
    auto r = detector_->detect(bytes);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<Detection>{};
  }
  WrittenDetector files_;
  std::unique_ptr<Detector> detector_;
};

TEST_F(DetectorTest, FindsTheRedSquareAsATomatoWhereItWasDrawn) {
  cv::Mat image = photo();
  const cv::Rect drawn(200, 120, 120, 120);
  cv::rectangle(image, drawn, kRed, cv::FILLED);
  const auto found = detect(encode(image));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].label, "tomato");
  EXPECT_GT(found[0].score, 0.5f);
  EXPECT_GT(iou(found[0], drawn), 0.8) << found[0].x << "," << found[0].y << " " << found[0].width << "x" << found[0].height;
}

TEST_F(DetectorTest, FindsAGreenSquareInAJpegAsLettuceAndFollowsItsPlace) {
  for (const cv::Rect drawn : {cv::Rect(16, 40, 120, 120), cv::Rect(360, 216, 120, 120)}) {
    cv::Mat image = photo();
    cv::rectangle(image, drawn, kGreen, cv::FILLED);
    const auto found = detect(encode(image, ".jpg"));
    ASSERT_EQ(found.size(), 1u) << "square at " << drawn.x << "," << drawn.y;
    EXPECT_EQ(found[0].label, "lettuce");
    EXPECT_GT(iou(found[0], drawn), 0.5) << found[0].x << "," << found[0].y << " " << found[0].width << "x" << found[0].height;
  }
}

TEST_F(DetectorTest, FindsBothOfTwoSquaresSortedByScore) {
  cv::Mat image = photo();
  const cv::Rect red(24, 24, 120, 120), green(344, 216, 120, 120);
  cv::rectangle(image, red, kRed, cv::FILLED);
  cv::rectangle(image, green, kGreen, cv::FILLED);
  const auto found = detect(encode(image));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_GE(found[0].score, found[1].score);
  const auto tomato = std::find_if(found.begin(), found.end(), [](const Detection& d) { return d.label == "tomato"; });
  const auto lettuce = std::find_if(found.begin(), found.end(), [](const Detection& d) { return d.label == "lettuce"; });
  ASSERT_NE(tomato, found.end());
  ASSERT_NE(lettuce, found.end());
  EXPECT_GT(iou(*tomato, red), 0.5);
  EXPECT_GT(iou(*lettuce, green), 0.5);
}

TEST_F(DetectorTest, FindsNothingOnPlainImagesOrInAColourItDoesNotKnow) {
  for (const cv::Scalar& bg : {kWhite, cv::Scalar(0, 0, 0), cv::Scalar(127, 127, 127), kBlue}) {
    EXPECT_TRUE(detect(encode(photo(bg))).empty()) << "background " << bg;
  }
  cv::Mat blue_square = photo();
  cv::rectangle(blue_square, cv::Rect(200, 120, 120, 120), kBlue, cv::FILLED);
  EXPECT_TRUE(detect(encode(blue_square)).empty());
}

TEST_F(DetectorTest, AHigherScoreThresholdDropsWeakerBoxes) {
  cv::Mat image = photo();
  cv::rectangle(image, cv::Rect(200, 120, 120, 120), kRed, cv::FILLED);
  DetectorOptions o = options();
  o.score_threshold = 0.99f;
  auto strict = open_detector(o);
  ASSERT_TRUE(strict.ok()) << strict.error().message;
  auto found = (*strict)->detect(encode(image));
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
}

TEST_F(DetectorTest, BytesThatAreNotAnImageAreRefusedNamingWhatWasSeen) {
  auto r = detector_->detect("<html><body>hello</body></html>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("image: not a JPEG/PNG/BMP/WebP image (first bytes 3c 68 74 6d"), std::string::npos)
      << r.error().message;
  auto empty = detector_->detect("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::InvalidArgument);
  std::string png = encode(photo());
  png.resize(png.size() / 2);  // a PNG cut short
  auto cut = detector_->detect(png);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(cut.error().message.find("PNG"), std::string::npos) << cut.error().message;
}

TEST_F(DetectorTest, AnImageTooLargeToDecodeIsRefusedBeforeDecoding) {
  std::string png = encode(cv::Mat(2, 2, CV_8UC3, kWhite));
  // IHDR width and height (big-endian at 16 and 20) claim 30000 x 30000.
  const char big[4] = {0, 0, char(0x75), char(0x30)};
  png.replace(16, 4, big, 4);
  png.replace(20, 4, big, 4);
  auto r = detector_->detect(png);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::TooLarge);
  EXPECT_NE(r.error().message.find("30000x30000"), std::string::npos) << r.error().message;
}

TEST_F(DetectorTest, MissingFilesAreErrorsNamingThem) {
  DetectorOptions o = options();
  o.model_path = path("absent.cfg");
  auto r = open_detector(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("absent.cfg"), std::string::npos) << r.error().message;

  fs::remove(files_.weights);
  r = open_detector(options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("colour.weights"), std::string::npos) << r.error().message;

  o = options();
  o.labels_path = path("absent.labels");
  r = open_detector(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("absent.labels"), std::string::npos) << r.error().message;
}

TEST_F(DetectorTest, DamagedFilesAndWrongLabelsAreErrors) {
  DetectorOptions o = options();
  {
    std::ofstream(path("three.labels")) << "a\nb\nc\n";
    o.labels_path = path("three.labels");
    auto r = open_detector(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("3 labels"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("2 classes"), std::string::npos) << r.error().message;
  }
  {
    std::ofstream(path("empty.labels")) << "\n\n";
    o.labels_path = path("empty.labels");
    auto r = open_detector(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidFile);
  }
  {
    fs::resize_file(files_.weights, 100);  // cut short: OpenCV must not crash, we report it
    auto r = open_detector(options());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(r.error().message.find("colour.weights"), std::string::npos) << r.error().message;
  }
  {
    std::ofstream(files_.cfg) << "this is not a network\n";
    auto r = open_detector(options());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(r.error().message.find("colour.cfg"), std::string::npos) << r.error().message;
  }
}

TEST_F(DetectorTest, UnknownFormatsAndBadOptionsAreRefused) {
  std::ofstream(path("net.onnx")) << "x";
  DetectorOptions o = options();
  o.model_path = path("net.onnx");
  auto r = open_detector(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
  o = options();
  o.threads = 0;
  EXPECT_EQ(open_detector(o).error().code, ErrorCode::InvalidArgument);
  o = options();
  o.nms_threshold = 0;
  EXPECT_EQ(open_detector(o).error().code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ondo::apps::fridge
