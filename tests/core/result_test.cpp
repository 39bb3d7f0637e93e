// Error's field path: making field errors, prefixing a path while an error propagates out of
// nested parsers, and joining paths.
#include <gtest/gtest.h>

#include "ondo/core/result.h"

namespace ondo {
namespace {

TEST(ErrorField, FieldErrorSetsPathAndMessage) {
  const Error e = field_error(ErrorCode::InvalidArgument, "messages[2].content", "expected a string (seen number)");
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_EQ(e.field, "messages[2].content");
  EXPECT_EQ(e.message, "messages[2].content: expected a string (seen number)");
  EXPECT_TRUE(make_error(ErrorCode::NotFound, "x: y").field.empty());
}

TEST(ErrorField, InFieldPrefixesPathAndMessage) {
  const Error inner = field_error(ErrorCode::InvalidArgument, "content", "bad");
  const Error outer = inner.in_field("messages[2]");
  EXPECT_EQ(outer.field, "messages[2].content");
  EXPECT_EQ(outer.message, "messages[2].content: bad");
  const Error twice = field_error(ErrorCode::Unsupported, "[1]", "no").in_field("prompt").in_field("batch[0]");
  EXPECT_EQ(twice.field, "batch[0].prompt[1]");
  EXPECT_EQ(twice.message, "batch[0].prompt[1]: no");
  EXPECT_EQ(twice.code, ErrorCode::Unsupported);
  // No field yet: the parent becomes the field and names the message.
  const Error plain = make_error(ErrorCode::InvalidArgument, "template failed").in_field("messages");
  EXPECT_EQ(plain.field, "messages");
  EXPECT_EQ(plain.message, "messages: template failed");
}

TEST(ErrorField, WithContextKeepsField) {
  const Error e = field_error(ErrorCode::InvalidArgument, "stop[1]", "bad").with_context("request");
  EXPECT_EQ(e.field, "stop[1]");
  EXPECT_EQ(e.message, "request: stop[1]: bad");
}

TEST(ErrorField, JoinFieldPath) {
  EXPECT_EQ(join_field_path("a", "b"), "a.b");
  EXPECT_EQ(join_field_path("a", "[1]"), "a[1]");
  EXPECT_EQ(join_field_path("", "b"), "b");
  EXPECT_EQ(join_field_path("a", ""), "a");
  EXPECT_EQ(join_field_path("tools[0]", "function.parameters"), "tools[0].function.parameters");
}

}  // namespace
}  // namespace ondo
