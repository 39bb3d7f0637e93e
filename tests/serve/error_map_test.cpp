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

TEST(ErrorMap, ShapeFollowsTheFamilysPaths) {
  EXPECT_EQ(error_shape_for_path("/v1/messages"), ErrorShape::Anthropic);
  EXPECT_EQ(error_shape_for_path("/v1/messages/count_tokens"), ErrorShape::Anthropic);
  EXPECT_EQ(error_shape_for_path("/v1/messagesX"), ErrorShape::OpenAI);
  EXPECT_EQ(error_shape_for_path("/api/chat"), ErrorShape::Ollama);
  EXPECT_EQ(error_shape_for_path("/api"), ErrorShape::OpenAI);
  EXPECT_EQ(error_shape_for_path("/v1/chat/completions"), ErrorShape::OpenAI);
  EXPECT_EQ(error_shape_for_path("/nope"), ErrorShape::OpenAI);
}

TEST(ErrorMap, BodiesInEachShape) {
  const ApiError a = to_api_error(field_error(ErrorCode::NotFound, "model", "'x' is not served here"));
  const auto openai = nlohmann::json::parse(error_body(a, ErrorShape::OpenAI));
  EXPECT_EQ(openai["error"]["code"], "model_not_found");
  const auto anthropic = nlohmann::json::parse(error_body(a, ErrorShape::Anthropic));
  EXPECT_EQ(anthropic["type"], "error");
  EXPECT_EQ(anthropic["error"]["type"], "not_found_error");
  EXPECT_EQ(anthropic["error"]["message"], "model: 'x' is not served here");
  const auto ollama = nlohmann::json::parse(error_body(a, ErrorShape::Ollama));
  EXPECT_EQ(ollama, nlohmann::json({{"error", "model: 'x' is not served here"}}));
  for (auto [code, type] : {std::pair{ErrorCode::InvalidArgument, "invalid_request_error"},
                            {ErrorCode::Unauthenticated, "authentication_error"},
                            {ErrorCode::PermissionDenied, "permission_error"},
                            {ErrorCode::TooLarge, "request_too_large"},
                            {ErrorCode::Overloaded, "rate_limit_error"},
                            {ErrorCode::Unavailable, "overloaded_error"},
                            {ErrorCode::Internal, "api_error"}}) {
    const auto j = nlohmann::json::parse(error_body(to_api_error(make_error(code, "m")), ErrorShape::Anthropic));
    EXPECT_EQ(j["error"]["type"], type) << int(code);
  }
}

}  // namespace
}  // namespace ondo::serve
