// The route table and what derives from it: matching, Allow, access rules and metrics labels,
// checked on the table itself and over HTTP against a server (405 with Allow for every row's
// path, one metrics label per row).
#include <gtest/gtest.h>

#include <set>

#include "ondo/serve/error_map.h"
#include "ondo/serve/route_table.h"
#include "serve/http_fixture.h"
#include "serve/request_hook.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;

// A concrete path for a row's template ("{model}" -> "fake").
std::string instance(const Route& r) {
  std::string p = r.path;
  const size_t brace = p.find('{');
  return brace == std::string::npos ? p : p.substr(0, brace) + "fake";
}

TEST(RouteTable, RowsMatchTheirOwnPaths) {
  ASSERT_FALSE(route_table().empty());
  for (const Route& r : route_table()) {
    const std::string path = instance(r);
    EXPECT_EQ(find_route(r.method, path), &r) << r.path;
    EXPECT_EQ(route_label(path), r.path);
    EXPECT_NE(allowed_methods(path).find(r.method), std::string::npos) << r.path;
    EXPECT_EQ(auth_rule(r.method, path), r.auth);
  }
  EXPECT_EQ(find_route("HEAD", "/health"), find_route("GET", "/health"));
  EXPECT_EQ(route_label("/v1/models/org/model-7b"), "/v1/models/{model}");
  EXPECT_EQ(route_label("/v1/models/"), "other");
  EXPECT_EQ(route_label("/v1/models/a\nb"), "other");
  EXPECT_EQ(route_label("/nope"), "other");
  EXPECT_EQ(allowed_methods("/nope"), "");
  EXPECT_EQ(find_route("POST", "/v1/models"), nullptr);
}

TEST(RouteTable, AuthRules) {
  EXPECT_EQ(auth_rule("GET", "/health"), AuthRule::Public);
  EXPECT_EQ(auth_rule("POST", "/health"), AuthRule::Public);  // a 405 on a public path stays public
  EXPECT_EQ(auth_rule("GET", "/v1/models"), AuthRule::ApiKey);
  EXPECT_EQ(auth_rule("GET", "/v1/chat/completions"), AuthRule::ApiKey);
  EXPECT_EQ(auth_rule("GET", "/nope"), AuthRule::ApiKey);  // unknown paths are not public
}

TEST(RouteTable, WrongMethodIs405WithAllowFromTheTable) {
  Fixture f("x");
  auto c = f.client();
  for (const Route& r : route_table()) {
    const std::string path = instance(r);
    const std::string allow = allowed_methods(path);
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      if (allow.find(method) != std::string::npos) continue;
      httplib::Request req;
      req.method = method;
      req.path = path;
      if (std::string(method) != "GET") req.body = "{}";
      auto res = c.send(req);
      ASSERT_TRUE(res) << method << " " << path;
      EXPECT_EQ(res->status, 405) << method << " " << path;
      EXPECT_EQ(res->get_header_value("Allow"), allow) << method << " " << path;
      const json body = json::parse(res->body);
      switch (error_shape_for_path(path)) {  // each family's routes answer in its own shape
        case ErrorShape::Ollama: EXPECT_TRUE(body["error"].is_string()) << res->body; break;
        case ErrorShape::Anthropic: EXPECT_EQ(body["error"]["type"], "invalid_request_error") << res->body; break;
        case ErrorShape::OpenAI: EXPECT_EQ(body["error"]["code"], "method_not_allowed") << res->body; break;
      }
    }
  }
  EXPECT_EQ(c.Get("/v1/nothing")->status, 404);
  EXPECT_FALSE(c.Get("/v1/nothing")->has_header("Allow"));
}

TEST(RouteTable, PublicRowsNeedNoKey) {
  Fixture keyed("x", "s3cret");
  auto c = keyed.client();
  for (const Route& r : route_table()) {
    if (std::string(r.method) != "GET") continue;
    const int status = c.Get(instance(r))->status;
    EXPECT_EQ(status, r.auth == AuthRule::Public ? 200 : r.auth == AuthRule::Admin ? 403 : 401) << r.path;  // admin: off here
  }
}

// A valid body for each POST row (the fake scheduler answers it).
json post_body(const Route& r) {
  const std::string path = r.path;
  if (path == "/v1/completions" || path == "/completions") return {{"model", "fake"}, {"prompt", "x"}};
  if (path == "/tokenize") return {{"content", "x"}};
  if (path == "/detokenize") return {{"tokens", {3}}};
  if (path == "/v1/responses") return {{"model", "fake"}, {"input", "x"}};
  if (path.rfind("/v1/messages", 0) == 0) {  // the message and its count_tokens
    return {{"model", "fake"}, {"max_tokens", 4}, {"messages", json::array({{{"role", "user"}, {"content", "x"}}})}};
  }
  if (path == "/v1/embeddings" || path == "/api/embed") return {{"model", "fake"}, {"input", "x"}};
  if (path == "/api/embeddings") return {{"model", "fake"}, {"prompt", "x"}};
  if (path == "/v1/rerank" || path == "/rerank") return {{"model", "fake"}, {"query", "q"}, {"documents", {"d"}}};
  if (path == "/v1/console/session") return {{"key", "x"}};  // a keyless server: no session needed (200)
  if (path == "/v1/compare") {  // the chat body with two models in place of one
    json b = chat_body({{"models", {"fake", "fake"}}});
    b.erase("model");
    return b;
  }
  return chat_body();
}

// What a row answers to that request: 200, but 404 from the rows of /v1/responses/{id} (this
// server stores no responses).
// The admin rows answer 403 (no admin key); files and vector stores 503 (no store). The embeddings rows answer 400: the fixture serves only a text generation model.
int expected_status(const Route& r) {
  const std::string path = r.path;
  if (path == "/v1/responses/{id}") return 404;
  if (path.rfind("/apps/fridge/api/", 0) == 0) return 404;  // no --app fridge, no --detector: the app is off
  if (path == "/v1/adapters/{name}") return 404;  // no adapter of that name is loaded
  if (path == "/v1/adapters" && std::string(r.method) == "POST") return 400;  // no "path" in the body
  if (r.auth == AuthRule::Admin) return 403;  // the fixture has no --admin-key: admin API off
  if (path.rfind("/v1/prompts", 0) == 0) return 503;  // no store
  if (path.rfind("/v1/usage", 0) == 0) return 503;   // the fixture has no store: no usage
  if (path == "/v1/embeddings" || path == "/v1/rerank" || path == "/rerank") return 400;
  if (path == "/api/embed" || path == "/api/embeddings") return 400;
  if (path.rfind("/v1/files", 0) == 0 || path.rfind("/v1/vector_stores", 0) == 0) return 503;  // no store
  if (path.rfind("/v1/fine_tuning", 0) == 0) return 503;  // no store: no jobs
  return 200;
}

TEST(RouteTable, MetricsLabelsComeFromTheTable) {
  testing::RequestHookLog log;
  Fixture f("ok", "", true, [&](ServerOptions& o) { o.on_request_done = log.hook(); });
  auto c = f.client();
  std::vector<std::string> ids;
  for (const Route& r : route_table()) {
    const std::string path = instance(r);
    const std::string method = r.method;
    auto res = method == "GET" ? c.Get(path) : method == "DELETE" ? c.Delete(path) : f.post(path, post_body(r));
    ASSERT_TRUE(res) << path;
    ids.push_back(res->get_header_value("x-request-id"));
  }
  ids.push_back(c.Get("/v1/unknown/route")->get_header_value("x-request-id"));
  for (const std::string& id : ids) ASSERT_TRUE(log.wait_for(id)) << id;
  const std::string metrics = c.Get("/metrics")->body;
  std::set<std::string> labels;
  for (const Route& r : route_table()) {
    labels.insert(r.path);
    const std::string status = std::to_string(expected_status(r));
    EXPECT_NE(metrics.find("ondo_requests_total{route=\"" + std::string(r.path) + "\",status=\"" + status + "\"}"),
              std::string::npos)
        << r.path << "\n" << metrics;
  }
  EXPECT_NE(metrics.find("ondo_requests_total{route=\"other\",status=\"404\"}"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("route=\"/v1/models/fake\""), std::string::npos);  // templates, not raw paths
}

}  // namespace
}  // namespace ondo::serve
