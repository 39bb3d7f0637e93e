// POST /apps/fridge/api/detect through the real `ondo serve --detector FILE --labels FILE`,
// with the colour detector the test writes (apps/fridge/detector_models.h) and photos it
// draws: multipart and raw uploads (Node's fetch + FormData: node/fridge_detect_client.mjs, and
// cpp-httplib), nothing on a blank photo, 400 for a non-image, 413 over 10 MB, and 404 on a
// server started without --detector.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ondo/apps/fridge/detector_models.h"
#include "serve/serve_process.h"
#include "support/bmp_image.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

// A 512x384 white photo with a red 120x120 square at (200, 120): the colour detector's tomato.
std::string tomato_photo() { return bmp_with_square(512, 384, 200, 120, 120); }
std::string blank_photo() { return bmp_with_square(512, 384, 0, 0, 0); }

class FridgeDetectServe : public TinyServeTest {
 protected:
  static fs::path dir() { return fs::temp_directory_path() / ("ondo-detect-serve-" + std::to_string(::getpid())); }
  static void SetUpTestSuite() { written_ = apps::fridge::write_colour_detector(dir()).value(); }
  static void TearDownTestSuite() { fs::remove_all(dir()); }
  std::vector<std::string> extra_args() const override {
    return {"--detector", written_.cfg, "--labels", written_.labels};
  }
  httplib::Result post(const std::string& body, const std::string& type) {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(60, 0);
    return c.Post("/apps/fridge/api/detect", body, type);
  }
  static apps::fridge::WrittenDetector written_;
};
apps::fridge::WrittenDetector FridgeDetectServe::written_;

TEST_F(FridgeDetectServe, NodeFetchUploadsFindTheDrawnTomato) {
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  const fs::path photo = dir() / "fridge.bmp";
  std::ofstream(photo, std::ios::binary) << tomato_photo();
  int rc = 0;
  const std::string out = run_node("fridge_detect_client.mjs", server_.base_url() + " " + photo.string(), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

TEST_F(FridgeDetectServe, RawBodyGivesLabelledBoxesAndABlankPhotoGivesNone) {
  auto r = post(tomato_photo(), "application/octet-stream");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto body = nlohmann::json::parse(r->body);
  ASSERT_EQ(body["detections"].size(), 1u) << r->body;
  EXPECT_EQ(body["detections"][0]["label"], "tomato");
  const auto& box = body["detections"][0]["box"];
  EXPECT_NEAR(box["x"].get<int>(), 200, 12) << r->body;
  EXPECT_NEAR(box["y"].get<int>(), 120, 12) << r->body;
  EXPECT_NEAR(box["width"].get<int>(), 120, 12) << r->body;
  EXPECT_NEAR(box["height"].get<int>(), 120, 12) << r->body;

  r = post(blank_photo(), "image/bmp");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body)["detections"], nlohmann::json::array()) << r->body;
}

TEST_F(FridgeDetectServe, BadPayloadsGetClearErrors) {
  auto r = post("%PDF-1.7 not a photo", "application/pdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  auto err = nlohmann::json::parse(r->body)["error"];
  EXPECT_EQ(err["param"], "image");
  EXPECT_NE(err["message"].get<std::string>().find("first bytes 25 50 44 46"), std::string::npos) << r->body;

  r = post("", "image/png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;

  // Over 10 MB: a photo padded with zeros (the size is checked before any decoding).
  std::string big = tomato_photo();
  big.resize((size_t(10) << 20) + 1, '\0');
  r = post(big, "image/png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413) << r->body;
  EXPECT_NE(r->body.find("10485760"), std::string::npos) << r->body;

  // A 50 MB upload (curl, multipart): the body limit refuses it at once, before the route.
  const fs::path upload = dir() / "big.jpg";
  std::ofstream(upload, std::ios::binary) << std::string(size_t(50) << 20, '\0');
  const ShellResult curl = run_shell("curl -s --max-time 30 -o /dev/null -w '%{http_code}' -F image=@" + upload.string() + " " +
                                     server_.base_url() + "/apps/fridge/api/detect");
  EXPECT_EQ(curl.out, "413") << curl.out;
  fs::remove(upload);
}

class NoDetectorServe : public TinyServeTest {};

TEST_F(NoDetectorServe, TheRouteIsA404WithoutDetector) {
  httplib::Client c("127.0.0.1", server_.port());
  auto r = c.Post("/apps/fridge/api/detect", tomato_photo(), "image/png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_NE(r->body.find("--detector"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace ondo::testing
