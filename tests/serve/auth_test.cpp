// API key, Host/Origin (DNS rebinding) and bind-address checks.
#include <gtest/gtest.h>

#include "ondo/serve/auth.h"

namespace ondo::serve {
namespace {

TEST(Auth, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Auth, LoopbackNames) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "app.localhost"}) {
    EXPECT_TRUE(is_loopback_name(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "128.0.0.1", "127.0.0", "127.0.0.1.evil.com", "evil.com", "localhost.evil.com", "", "127.0.0.256"}) {
    EXPECT_FALSE(is_loopback_name(h)) << h;
  }
  EXPECT_TRUE(is_loopback_host_header("localhost:8080"));
  EXPECT_TRUE(is_loopback_host_header("[::1]:8080"));
  EXPECT_TRUE(is_loopback_host_header("127.0.0.1"));
  EXPECT_FALSE(is_loopback_host_header("attacker.example:8080"));
  EXPECT_FALSE(is_loopback_host_header("[::1]x"));
  EXPECT_TRUE(is_loopback_origin("http://localhost:3000"));
  EXPECT_TRUE(is_loopback_origin("https://127.0.0.1"));
  EXPECT_FALSE(is_loopback_origin("null"));
  EXPECT_FALSE(is_loopback_origin("http://evil.com"));
  EXPECT_FALSE(is_loopback_origin("file://localhost"));
}

TEST(Auth, NoKeyChecksHostAndOrigin) {
  AccessPolicy none;
  EXPECT_TRUE(check_access(none, "", "", "127.0.0.1:8080", std::nullopt).ok());
  EXPECT_TRUE(check_access(none, "", "", "localhost:8080", std::string_view("http://localhost:5173")).ok());
  auto rebinding = check_access(none, "", "", "evil.com:8080", std::nullopt);
  ASSERT_FALSE(rebinding.ok());
  EXPECT_EQ(rebinding.error().code, ErrorCode::PermissionDenied);
  auto origin = check_access(none, "", "", "localhost:8080", std::string_view("http://evil.com"));
  ASSERT_FALSE(origin.ok());
  EXPECT_EQ(origin.error().code, ErrorCode::PermissionDenied);
}

TEST(Auth, KeyRequiredWhenSet) {
  AccessPolicy p{"k3y"};
  EXPECT_TRUE(check_access(p, "Bearer k3y", "", "anything.example", std::string_view("http://x")).ok());
  EXPECT_TRUE(check_access(p, "bearer k3y", "", "h", std::nullopt).ok());
  for (const char* bad : {"", "Bearer", "Bearer k3", "Bearer k3y ", "Basic k3y", "k3y"}) {
    auto st = check_access(p, bad, "", "localhost", std::nullopt);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::Unauthenticated) << bad;
  }
}

TEST(Auth, XApiKeyHeaderIsAKeyToo) {
  AccessPolicy p{"k3y"};
  EXPECT_TRUE(check_access(p, "", "k3y", "h", std::nullopt).ok());
  EXPECT_TRUE(check_access(p, "Bearer wrong", "k3y", "h", std::nullopt).ok());  // either matching is enough
  EXPECT_TRUE(check_access(p, "Bearer k3y", "wrong", "h", std::nullopt).ok());
  for (const char* bad : {"k3", "k3y ", "Bearer k3y", "K3Y"}) {
    auto st = check_access(p, "", bad, "localhost", std::nullopt);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::Unauthenticated) << bad;
  }
  auto none = check_access(p, "", "", "localhost", std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("x-api-key"), std::string::npos) << none.error().message;
}

TEST(Auth, CorsOriginsAreAcceptedWithoutKey) {
  const CorsPolicy cors = make_cors_policy({"https://app.example.com"}, false).value();
  AccessPolicy p{"", &cors};
  EXPECT_TRUE(check_access(p, "", "", "127.0.0.1:8080", std::string_view("https://app.example.com")).ok());
  EXPECT_TRUE(check_access(p, "", "", "127.0.0.1:8080", std::string_view("http://localhost:3000")).ok());
  auto other = check_access(p, "", "", "127.0.0.1:8080", std::string_view("https://evil.example"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::PermissionDenied);
  EXPECT_NE(other.error().message.find("--cors-origin"), std::string::npos) << other.error().message;
  // The Host rule (DNS rebinding) still holds for a listed origin.
  EXPECT_FALSE(check_access(p, "", "", "evil.com:8080", std::string_view("https://app.example.com")).ok());
}

TEST(Auth, BindRule) {
  EXPECT_TRUE(check_bind("127.0.0.1", false, false).ok());
  EXPECT_TRUE(check_bind("localhost", false, false).ok());
  EXPECT_FALSE(check_bind("0.0.0.0", false, false).ok());
  EXPECT_TRUE(check_bind("0.0.0.0", true, false).ok());
  EXPECT_TRUE(check_bind("0.0.0.0", false, true).ok());
}

}  // namespace
}  // namespace ondo::serve
