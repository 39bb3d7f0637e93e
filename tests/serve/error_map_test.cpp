// ErrorCode -> HTTP status and OpenAI error body.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ondo/serve/error_map.h"

namespace ondo::serve {
namespace {

TEST(ErrorMap, StatusPerCode) {
  const std::pair<ErrorCode, int> want[] = {
      {ErrorCode::InvalidArgument, 400}, {ErrorCode::NotFound, 404},      {ErrorCode::Unsupported, 400},
      {ErrorCode::Unauthenticated, 401}, {ErrorCode::PermissionDenied, 403}, {ErrorCode::TooLarge, 413},
      {ErrorCode::Overloaded, 429},      {ErrorCode::Unavailable, 503},   {ErrorCode::Internal, 500},
  };
  for (const auto& [code, status] : want) {
    EXPECT_EQ(to_api_error(make_error(code, "x")).status, status) << error_code_name(code);
  }
}

TEST(ErrorMap, OverloadedHasRetryAfter) {
  EXPECT_GT(to_api_error(make_error(ErrorCode::Overloaded, "queue full")).retry_after_s, 0);
  EXPECT_EQ(to_api_error(make_error(ErrorCode::InvalidArgument, "x")).retry_after_s, 0);
}

TEST(ErrorMap, BodyShape) {
  const auto j = nlohmann::json::parse(error_body(to_api_error(field_error(ErrorCode::NotFound, "model", "'x' is not served"))));
  ASSERT_TRUE(j.contains("error"));
  const auto& e = j["error"];
  EXPECT_EQ(e["message"], "model: 'x' is not served");
  EXPECT_EQ(e["type"], "invalid_request_error");
  EXPECT_EQ(e["param"], "model");
  EXPECT_EQ(e["code"], "model_not_found");
  const auto k = nlohmann::json::parse(error_body(to_api_error(make_error(ErrorCode::InvalidArgument, "bad"))));
  EXPECT_TRUE(k["error"]["param"].is_null());
  EXPECT_TRUE(k["error"]["code"].is_null());
  EXPECT_EQ(method_not_allowed("PUT", "/v1/models").status, 405);
}

TEST(ErrorMap, ParamIsTheErrorsField) {
  Error e = make_error(ErrorCode::Unsupported, "this message names no field");
  e.field = "response_format.type";
  const ApiError a = to_api_error(e);
  EXPECT_EQ(a.param, "response_format.type");
  EXPECT_EQ(a.code, "unsupported_parameter");
  EXPECT_EQ(a.message, "this message names no field");
  // NotFound of another field is not model_not_found.
  EXPECT_EQ(to_api_error(field_error(ErrorCode::NotFound, "tool_choice", "x")).code, "not_found");
}

TEST(ErrorMap, InvalidUtf8InMessageDoesNotThrow) {
  const std::string body = error_body(to_api_error(make_error(ErrorCode::InvalidArgument, "bad \xff byte")));
  EXPECT_TRUE(nlohmann::json::accept(body));
}

}  // namespace
}  // namespace ondo::serve
