// Darknet .cfg reading: input size, classes, the weights count, and errors naming the line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ondo/apps/fridge/darknet_cfg.h"
#include "ondo/apps/fridge/detector_models.h"
#include <unistd.h>

namespace ondo::apps::fridge {
namespace {

TEST(DarknetCfg, ReadsInputSizeClassesAndTheWeightsCount) {
  const char* cfg =
      "# a comment\n[net]\nwidth=96\r\nheight = 64\nchannels=3\n\n"
      "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
      "[maxpool]\nsize=2\nstride=2\n"
      "[convolutional]\nfilters=4\nsize=1\nactivation=linear\n"
      "[route]\nlayers=-1,-3\n"
      "[convolutional]\nfilters=18\nsize=1\nactivation=linear\n"
      "[yolo]\nmask=0,1,2\nanchors=1,1,2,2,3,3\nclasses=1\nnum=3\n";
  auto s = parse_darknet_cfg(cfg, "x.cfg");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->width, 96);
  EXPECT_EQ(s->height, 64);
  EXPECT_EQ(s->classes, 1);
  EXPECT_EQ(s->outputs, 1);
  // conv1: 8*4 (bias + bn) + 8*3*9; conv2: 4 + 4*8; route: 4 + 8 = 12 channels; conv3: 18 + 18*12.
  EXPECT_EQ(s->weight_floats, 8 * 4 + 8 * 3 * 9 + 4 + 4 * 8 + 18 + 18 * 12);
}

TEST(DarknetCfg, TheWrittenNetworksCountAsTheirWeightsFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("ondo-darknet-cfg-" + std::to_string(::getpid()));
  auto colour = write_colour_detector(dir);
  ASSERT_TRUE(colour.ok()) << colour.error().message;
  auto s = read_darknet_cfg(colour->cfg);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(20 + 4 * s->weight_floats, int64_t(std::filesystem::file_size(colour->weights)));
  EXPECT_TRUE(check_darknet_weights(colour->weights, *s).ok());
  auto tiny = write_yolo_tiny_detector(dir, 64, 3, 1);
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  s = read_darknet_cfg(tiny->cfg);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->outputs, 2);
  EXPECT_EQ(s->classes, 3);
  EXPECT_EQ(20 + 4 * s->weight_floats, int64_t(std::filesystem::file_size(tiny->weights)));
  std::filesystem::resize_file(tiny->weights, 1000);
  auto st = check_darknet_weights(tiny->weights, *s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("1000 bytes"), std::string::npos) << st.error().message;
  std::filesystem::remove_all(dir);
}

TEST(DarknetCfg, ErrorsNameTheFileAndWhatIsWrong) {
  struct Case {
    const char* cfg;
    const char* expect;
  };
  const Case cases[] = {
      {"", "no [net] section"},
      {"hello\n", "key=value before any section"},
      {"[convolutional]\nfilters=1\n", "the first section is [convolutional]"},
      {"[net]\nwidth=32\n[yolo]\nclasses=1\n", "no width and height"},
      {"[net]\nwidth=32\nheight=abc\n[yolo]\nclasses=1\n", "height=abc is not a whole number"},
      {"[net]\nwidth=32\nheight=32\nchannels=1\n[yolo]\nclasses=1\n", "channels=1"},
      {"[net]\nwidth=32\nheight=32\n[convolutional]\nfilters=6\n", "no [yolo] or [region] layer"},
      {"[net]\nwidth=32\nheight=32\n[yolo]\nmask=0\n", "has no classes="},
      {"[net]\nwidth=32\nheight=32\n[yolo]\nclasses=1\n[yolo]\nclasses=2\n", "classes=2 but an earlier output layer has 1"},
      {"[net]\nwidth=32\nheight=32\n[route]\nlayers=-5\n[yolo]\nclasses=1\n", "layers=-5 is not a whole number"},
      {"[net\nwidth=32\n", "unterminated section header"},
  };
  for (const Case& c : cases) {
    auto s = parse_darknet_cfg(c.cfg, "bad.cfg");
    ASSERT_FALSE(s.ok()) << c.cfg;
    EXPECT_EQ(s.error().code, ErrorCode::InvalidFile);
    EXPECT_EQ(s.error().message.rfind("bad.cfg: ", 0), 0u) << s.error().message;
    EXPECT_NE(s.error().message.find(c.expect), std::string::npos) << s.error().message;
  }
}

TEST(DarknetCfg, UnknownLayersLeaveTheWeightsCountUnknown) {
  auto s = parse_darknet_cfg("[net]\nwidth=32\nheight=32\n[connected]\noutput=10\n[region]\nclasses=2\n", "r.cfg");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->weight_floats, -1);
}

}  // namespace
}  // namespace ondo::apps::fridge
