// The HTTP edge's scan of a request head: completion at the blank line (fed whole or byte by
// byte), framing headers, and refusals for long request lines, too many or too large headers,
// conflicting lengths; the raw error responses.
#include "ondo/serve/http_conn.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ondo::serve {
namespace {

HeaderScan scan_all(const std::string& bytes, const HttpLimits& lim = {}) {
  HeaderScan s;
  scan_request_head(bytes, s, lim);
  return s;
}

HeaderScan scan_bytewise(const std::string& bytes, const HttpLimits& lim = {}) {
  HeaderScan s;
  for (size_t i = 1; i <= bytes.size(); ++i) scan_request_head(std::string_view(bytes).substr(0, i), s, lim);
  return s;
}

TEST(HttpConn, CompleteAtTheBlankLine) {
  const std::string head = "POST /v1/completions HTTP/1.1\r\nHost: x\r\ncontent-length:  12 \r\n\r\n";
  for (const HeaderScan& s : {scan_all(head + "{\"a\":1}"), scan_bytewise(head)}) {
    ASSERT_EQ(s.state, HeaderScan::State::Complete) << s.message;
    EXPECT_EQ(s.header_end, head.size());
    EXPECT_EQ(s.content_length, 12);
    EXPECT_FALSE(s.chunked);
    EXPECT_FALSE(s.light);
  }
  EXPECT_EQ(scan_all("GET /health HTTP/1.1\r\nHost: x\r\n").state, HeaderScan::State::Incomplete);
  EXPECT_TRUE(scan_all("GET /health HTTP/1.1\r\n\r\n").light);
  EXPECT_TRUE(scan_all("GET /health?x=1 HTTP/1.1\r\n\r\n").light);
  EXPECT_FALSE(scan_all("GET /healthz HTTP/1.1\r\n\r\n").light);
  const HeaderScan chunked = scan_all("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_TRUE(chunked.chunked);
  EXPECT_TRUE(chunked.expect_continue);
  // A bare-LF line is not the end (httplib skips such lines); only "\r\n" is.
  EXPECT_EQ(scan_all("GET / HTTP/1.1\r\nA: b\n\n").state, HeaderScan::State::Incomplete);
}

TEST(HttpConn, RefusesOversizedHeads) {
  HttpLimits lim;
  lim.max_request_line = 64;
  lim.max_header_bytes = 256;
  lim.max_header_count = 5;
  const HeaderScan line = scan_bytewise("GET /" + std::string(100, 'a'), lim);  // refused before its end
  EXPECT_EQ(line.state, HeaderScan::State::Refused);
  EXPECT_EQ(line.refusal, EdgeRefusal::RequestLineTooLong);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 6; ++i) many += "A: b\r\n";
  const HeaderScan count = scan_all(many, lim);
  EXPECT_EQ(count.refusal, EdgeRefusal::HeadersTooLarge);
  EXPECT_NE(count.message.find("more than 5 header lines"), std::string::npos);
  const HeaderScan bytes = scan_bytewise("GET / HTTP/1.1\r\nA: " + std::string(300, 'b'), lim);
  EXPECT_EQ(bytes.state, HeaderScan::State::Refused);
  EXPECT_EQ(bytes.refusal, EdgeRefusal::HeadersTooLarge);
  EXPECT_EQ(scan_all("GET / HTTP/1.1\r\nA: " + std::string(240, 'b') + "\r\n\r\n", lim).state,
            HeaderScan::State::Complete);
}

TEST(HttpConn, RefusesAmbiguousFraming) {
  EXPECT_EQ(scan_all("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n").refusal, EdgeRefusal::Malformed);
  EXPECT_EQ(scan_all("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").state,
            HeaderScan::State::Complete);
  EXPECT_EQ(scan_all("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").state, HeaderScan::State::Refused);
  EXPECT_EQ(scan_all("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n").state, HeaderScan::State::Refused);
  EXPECT_EQ(scan_all("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n").refusal,
            EdgeRefusal::Malformed);
}

TEST(HttpConn, EdgeResponseIsOpenAiShaped) {
  const std::string r = edge_response(EdgeRefusal::TooManyFromAddress, "connection: too many");
  EXPECT_EQ(r.rfind("HTTP/1.1 429 Too Many Requests\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(r.find("Retry-After: 1\r\n"), std::string::npos);
  const size_t end = r.find("\r\n\r\n");
  const auto body = nlohmann::json::parse(r.substr(end + 4));
  EXPECT_EQ(body["error"]["message"], "connection: too many");
  EXPECT_EQ(body["error"]["code"], "too_many_connections");
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_TRUE(body["error"]["param"].is_null());
  EXPECT_EQ(edge_response(EdgeRefusal::HeadersTooLarge, "x").rfind("HTTP/1.1 431 ", 0), 0u);
  EXPECT_EQ(edge_response(EdgeRefusal::Timeout, "x").rfind("HTTP/1.1 408 ", 0), 0u);
  EXPECT_EQ(edge_response(EdgeRefusal::RequestLineTooLong, "x").rfind("HTTP/1.1 414 ", 0), 0u);
  EXPECT_NE(edge_response(EdgeRefusal::Timeout, "x", "req_1").find("\r\nx-request-id: req_1\r\n"), std::string::npos);
  EXPECT_EQ(edge_response(EdgeRefusal::Timeout, "x").find("x-request-id"), std::string::npos);
}

}  // namespace
}  // namespace ondo::serve
