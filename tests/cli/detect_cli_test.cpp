// `ondo detect` as a user runs it: --make-test-model writes the colour detector, then the
// command finds a red square in a BMP photo the test writes byte by byte (no image library),
// prints JSON, and refuses bad input with a message naming the file. Layer: cli tests.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/bmp_image.h"
#include "support/run_command.h"

namespace ondo::cli {
namespace {

namespace fs = std::filesystem;

std::string bmp(int w, int h, int x, int y, int side) { return testing::bmp_with_square(w, h, x, y, side); }

class DetectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ondo-detect-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(DetectCli, MakesATestModelAndFindsTheRedSquareInAPhoto) {
  auto made = testing::run_ondo("detect --make-test-model " + (dir_ / "det").string());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("try: ondo detect"), std::string::npos) << made.out;
  const std::string model = (dir_ / "det" / "colour.cfg").string();
  const std::string labels = (dir_ / "det" / "colour.labels").string();
  const std::string photo = write("photo.bmp", bmp(512, 384, 200, 120, 120));
  const std::string blank = write("blank.bmp", bmp(512, 384, 0, 0, 0));
  auto r = testing::run_ondo("detect --detector " + model + " --labels " + labels + " -t 1 " + photo + " " + blank);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0]["image"], photo);
  ASSERT_EQ(out[0]["detections"].size(), 1u) << r.out;
  const auto& d = out[0]["detections"][0];
  EXPECT_EQ(d["label"], "tomato");
  EXPECT_NEAR(d["box"]["x"].get<int>(), 200, 12) << r.out;
  EXPECT_NEAR(d["box"]["y"].get<int>(), 120, 12) << r.out;
  EXPECT_NEAR(d["box"]["width"].get<int>(), 120, 12) << r.out;
  EXPECT_NEAR(d["box"]["height"].get<int>(), 120, 12) << r.out;
  EXPECT_EQ(out[1]["detections"], nlohmann::json::array()) << r.out;
}

TEST_F(DetectCli, BadInputIsAnErrorNamingIt) {
  ASSERT_EQ(testing::run_ondo("detect --make-test-model " + (dir_ / "det").string()).exit_code, 0);
  const std::string model = (dir_ / "det" / "colour.cfg").string();
  const std::string labels = (dir_ / "det" / "colour.labels").string();
  const std::string notes = write("notes.txt", "milk, eggs\n");
  auto r = testing::run_ondo("detect --detector " + model + " --labels " + labels + " " + notes);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(notes + ": image: not a JPEG/PNG/BMP/WebP image"), std::string::npos) << r.err;

  r = testing::run_ondo("detect --detector " + (dir_ / "nope.cfg").string() + " --labels " + labels + " " + notes);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nope.cfg"), std::string::npos) << r.err;

  r = testing::run_ondo("detect --detector " + model + " " + notes);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--labels"), std::string::npos) << r.err;

  r = testing::run_ondo("detect --detector " + model + " --labels " + labels);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no image"), std::string::npos) << r.err;
}

TEST_F(DetectCli, HelpNamesTheOptions) {
  auto r = testing::run_ondo("detect --help");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* opt : {"--detector", "--labels", "--threshold", "--make-test-model"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

}  // namespace
}  // namespace ondo::cli
