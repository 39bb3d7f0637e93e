// Image format and dimensions from header bytes, on images OpenCV encodes, and the refusals.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "ondo/apps/fridge/image_header.h"

namespace ondo::apps::fridge {
namespace {

std::string encode(const std::string& ext, int w, int h) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(ext, cv::Mat(h, w, CV_8UC3, cv::Scalar(10, 200, 30)), bytes)) << ext;
  return std::string(bytes.begin(), bytes.end());
}

TEST(ImageHeader, ReadsTheSizeOfEachFormat) {
  struct Case {
    const char* ext;
    const char* format;
  };
  for (const Case c : {Case{".png", "PNG"}, Case{".jpg", "JPEG"}, Case{".bmp", "BMP"}, Case{".webp", "WebP"}}) {
    auto s = sniff_image(encode(c.ext, 321, 123));
    ASSERT_TRUE(s.ok()) << c.ext << ": " << s.error().message;
    EXPECT_EQ(s->format, c.format);
    EXPECT_EQ(s->width, 321) << c.ext;
    EXPECT_EQ(s->height, 123) << c.ext;
  }
}

TEST(ImageHeader, LosslessWebPToo) {
  std::vector<uchar> bytes;
  ASSERT_TRUE(cv::imencode(".webp", cv::Mat(77, 55, CV_8UC3, cv::Scalar(1, 2, 3)), bytes, {cv::IMWRITE_WEBP_QUALITY, 101}));
  auto s = sniff_image(std::string(bytes.begin(), bytes.end()));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->width, 55);
  EXPECT_EQ(s->height, 77);
}

TEST(ImageHeader, OtherBytesAreRefusedShowingTheFirstBytes) {
  auto s = sniff_image("%PDF-1.7\n...");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(s.error().message, "image: not a JPEG/PNG/BMP/WebP image (first bytes 25 50 44 46 2d 31 2e 37 \"%PDF-1.7\")");
  EXPECT_EQ(sniff_image("").error().code, ErrorCode::InvalidArgument);
  // Right magic, header cut short.
  EXPECT_NE(sniff_image(encode(".png", 4, 4).substr(0, 12)).error().message.find("PNG header is truncated"), std::string::npos);
  EXPECT_NE(sniff_image(encode(".jpg", 4, 4).substr(0, 40)).error().message.find("JPEG header"), std::string::npos);
  EXPECT_FALSE(sniff_image(std::string("\xff\xd8\xff\xe0\x00\x01", 6)).ok());  // a segment length below 2
}

TEST(ImageHeader, SizeLimits) {
  EXPECT_TRUE(check_image_size({"PNG", 8000, 6000}).ok());
  EXPECT_EQ(check_image_size({"PNG", 0, 10}).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(check_image_size({"PNG", kMaxImageSide + 1, 10}).error().code, ErrorCode::TooLarge);
  EXPECT_EQ(check_image_size({"JPEG", 16000, 16000}).error().code, ErrorCode::TooLarge);  // pixels in all
}

}  // namespace
}  // namespace ondo::apps::fridge
