// StopMatcher hold-back and SSE framing.
#include <gtest/gtest.h>

#include "ondo/serve/sse.h"
#include "ondo/serve/stop_strings.h"

namespace ondo::serve {
namespace {

TEST(StopMatcher, NoStopsPassesThrough) {
  StopMatcher m({});
  EXPECT_EQ(m.push("abc"), "abc");
  EXPECT_EQ(m.flush(), "");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, HoldsBackPossibleStart) {
  StopMatcher m({"END"});
  EXPECT_EQ(m.push("hello E"), "hello ");
  EXPECT_EQ(m.held_bytes(), 1u);
  EXPECT_EQ(m.push("N"), "");
  EXPECT_EQ(m.push("X"), "ENX");  // not a stop after all: released
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, StopsBeforeStopTextAcrossPieces) {
  StopMatcher m({"END", "\n\n"});
  EXPECT_EQ(m.push("one E"), "one ");
  EXPECT_EQ(m.push("N"), "");
  EXPECT_EQ(m.matched(), "");
  EXPECT_EQ(m.push("D and more"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.matched(), "END");
  EXPECT_EQ(m.push("later"), "");
  EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcher, EarliestStopWins) {
  StopMatcher m({"cd", "b"});
  EXPECT_EQ(m.push("abcd"), "a");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.matched(), "b");  // the one that starts first, not the first listed
}

TEST(StopMatcher, FlushReleasesHeldText) {
  StopMatcher m({"STOP"});
  EXPECT_EQ(m.push("xST"), "x");
  EXPECT_EQ(m.flush(), "ST");
}

TEST(StopMatcher, MultiByteStop) {
  StopMatcher m({"\xE2\x96\x81\xE2\x96\x81"});
  EXPECT_EQ(m.push("a\xE2\x96"), "a");
  EXPECT_EQ(m.push("\x81\xE2\x96\x81z"), "");
  EXPECT_TRUE(m.stopped());
}

TEST(Sse, Framing) {
  EXPECT_EQ(sse_event({{"a", 1}}), "data: {\"a\":1}\n\n");
  EXPECT_EQ(sse_done(), "data: [DONE]\n\n");
  EXPECT_EQ(sse_comment().substr(0, 1), ":");
  EXPECT_EQ(sse_comment().substr(sse_comment().size() - 2), "\n\n");
  // Invalid UTF-8 becomes U+FFFD instead of throwing; no raw newline can break a frame.
  const std::string e = sse_event({{"t", "x\xff\ny"}});
  EXPECT_EQ(e, "data: {\"t\":\"x\xEF\xBF\xBD\\ny\"}\n\n");
}

}  // namespace
}  // namespace ondo::serve
