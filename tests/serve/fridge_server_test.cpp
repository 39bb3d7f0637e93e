// The fridge app end to end (issue 20): `ondo serve --app fridge` with the built-in recipe model
// and a tiny embedding model, driven over HTTP as the web page would. It walks the case: a
// household with two members, items added as one list and one from a photo (drawn here, detected
// by the tiny colour network the test writes, the chosen box added in one call), what expires soon, a
// recommendation that uses the expiring items and avoids the excluded recipe and its look-alikes,
// a shared recipe, the expiry webhook received by a listener here with a valid HMAC, an SSE
// alert; then isolation (every route across households is 404), bad input (4xx), and a restart
// that keeps everything and sends no webhook twice.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include "ondo/apps/fridge/alerts.h"
#include "ondo/apps/fridge/catalog.h"
#include "ondo/apps/fridge/detector_models.h"
#include "serve/serve_process.h"
#include "support/bmp_image.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A tiny webhook receiver: records every POST (body, signature, idempotency key).
class Listener {
 public:
  struct Hit {
    std::string body, signature, key;
  };
  void start() {
    http_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      hits_.push_back({req.body, req.get_header_value("X-Ondo-Signature"), req.get_header_value("X-Ondo-Idempotency-Key")});
      res.set_content("ok", "text/plain");
    });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
  }
  ~Listener() {
    http_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Hit> hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  int port() const { return port_; }

 private:
  httplib::Server http_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Hit> hits_;
  int port_ = 0;
};

class FridgeServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !fs::exists(*dir / "models" / "ref-bert-mean-f32.gguf")) {
      if (testdata_required()) FAIL() << "ref-bert-mean-f32.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    emb_ = (*dir / "models" / "ref-bert-mean-f32.gguf").string();
    data_ = fs::temp_directory_path() / ("ondo-fridge-" + std::to_string(::getpid()));
    fs::remove_all(data_);
    fs::remove_all(detector_dir());
    auto written = apps::fridge::write_colour_detector(detector_dir());
    ASSERT_TRUE(written.ok()) << written.error().message;
    detector_ = *written;
    for (const char* name : {"alice", "bob", "eve"}) {
      CommandResult r = run_ondo("admin keys create --data-dir " + data_.string() + " --name " + name);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const json k = json::parse(r.out, nullptr, false);
      ASSERT_TRUE(k.is_object()) << r.out;
      keys_[name] = {k.value("id", ""), k.value("key", "")};
    }
    listener_.start();
    start();
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
    fs::remove_all(data_);
    fs::remove_all(detector_dir());
  }
  fs::path detector_dir() const { return fs::path(data_.string() + "-detector"); }
  void start() {
    const std::string model = (fs::path(ONDO_SOURCE_DIR) / "models" / "ondo-recipe.gguf").string();
    ASSERT_TRUE(server_.start({"-m", model + "=recipe", "-m", emb_ + "=emb", "--app", "fridge", "--data-dir",
                               data_.string(), "-t", "1", "--detector", detector_.cfg, "--labels", detector_.labels}))
        << server_.log();
    httplib::Client c("127.0.0.1", server_.port());
    for (int i = 0; i < 600; ++i) {  // bounded wait for the corpus to be indexed (not a timing check)
      auto r = c.Get("/apps/fridge/api/status", {{"Authorization", "Bearer " + keys_["alice"].second}});
      if (r && r->status == 200 && json::parse(r->body, nullptr, false).value("ready", false)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "the fridge app never became ready\n" << server_.log();
  }

  httplib::Result call(const std::string& who, const std::string& method, const std::string& path,
                       const json& body = nullptr) {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(300);
    const httplib::Headers h = {{"Authorization", "Bearer " + keys_[who].second}};
    const std::string full = "/apps/fridge/api/" + path;
    if (method == "GET") return c.Get(full, h);
    if (method == "DELETE") return c.Delete(full, h);
    const std::string text = body.is_null() ? "{}" : body.dump();
    if (method == "PUT") return c.Put(full, h, text, "application/json");
    return c.Post(full, h, text, "application/json");
  }
  json ok(const std::string& who, const std::string& method, const std::string& path, const json& body = nullptr) {
    auto r = call(who, method, path, body);
    EXPECT_TRUE(r) << method << " " << path;
    if (!r) return json();
    EXPECT_TRUE(r->status == 200 || r->status == 201) << method << " " << path << ": " << r->status << " " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  int status(const std::string& who, const std::string& method, const std::string& path, const json& body = nullptr) {
    auto r = call(who, method, path, body);
    return r ? r->status : -1;
  }
  static std::string in_days(int64_t d) { return apps::fridge::format_date(apps::fridge::today_days() + d); }
  std::vector<float> embed(const std::string& text) {
    httplib::Client c("127.0.0.1", server_.port());
    auto r = c.Post("/v1/embeddings", {{"Authorization", "Bearer " + keys_["alice"].second}},
                    json{{"model", "emb"}, {"input", text}}.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body)["data"][0]["embedding"].get<std::vector<float>>() : std::vector<float>();
  }
  double cosine(const std::string& a, const std::string& b) {
    const auto va = embed(apps::fridge::normalise_ingredient(a)), vb = embed(apps::fridge::normalise_ingredient(b));
    double d = 0, na = 0, nb = 0;
    for (size_t i = 0; i < va.size() && i < vb.size(); ++i) {
      d += double(va[i]) * vb[i];
      na += double(va[i]) * va[i];
      nb += double(vb[i]) * vb[i];
    }
    return na > 0 && nb > 0 ? d / std::sqrt(na * nb) : 0.0;
  }

  // POST detect with a photo's bytes (a BMP).
  json detect(const std::string& who, const std::string& photo) {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(120);
    auto r = c.Post("/apps/fridge/api/detect", {{"Authorization", "Bearer " + keys_[who].second}}, photo, "image/bmp");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : std::string("no answer"));
    return r ? json::parse(r->body, nullptr, false) : json();
  }

  std::string emb_;
  fs::path data_;
  apps::fridge::WrittenDetector detector_;
  std::map<std::string, std::pair<std::string, std::string>> keys_;  // name -> id, secret
  Listener listener_;
  ServeProcess server_;
};

TEST_F(FridgeServe, WalksTheCaseKeepsHouseholdsApartAndSurvivesRestart) {
  // A household with two members; alice owns it and sets the webhook.
  const json h = ok("alice", "POST", "households", {{"name", "Kim family"}});
  const std::string hid = h["id"];
  ok("alice", "POST", "households/" + hid + "/members", {{"key_id", keys_["bob"].first}, {"role", "member"}});
  EXPECT_EQ(ok("bob", "GET", "households/" + hid)["members"].size(), 2u);
  const std::string secret = "webhook-secret";
  ok("alice", "PUT", "households/" + hid + "/webhook",
     {{"url", "http://127.0.0.1:" + std::to_string(listener_.port()) + "/hook"}, {"secret", secret}, {"alert_days", 2}});

  // An SSE listener on the household before anything expires.
  std::atomic<bool> sse_got{false}, sse_stop{false}, sse_open{false};
  std::thread sse([&] {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(60);
    std::string seen;
    c.Get("/apps/fridge/api/households/" + hid + "/events", {{"Authorization", "Bearer " + keys_["bob"].second}},
          [&](const char* data, size_t n) {
            seen.append(data, n);
            sse_open = true;  // the server's first bytes: subscribed
            if (seen.find("event: expiry") != std::string::npos) sse_got = true;
            return !sse_got.load() && !sse_stop.load();
          });
  });

  for (int i = 0; i < 300 && !sse_open; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!sse_open) {
    sse_stop = true;
    sse.join();
    FAIL() << "the event stream did not open\n" << server_.log();
  }

  // bob adds a detected list in one call.
  const json fr = ok("bob", "POST", "households/" + hid + "/fridges", {{"name", "Kitchen"}, {"kind", "fridge"}});
  const json added = ok("bob", "POST", "fridges/" + fr["id"].get<std::string>() + "/items",
                        json::array({{{"name", "pork belly"}, {"quantity", 600}, {"unit", "g"}, {"use_by", in_days(1)}},
                                     {{"name", "green onion"}, {"quantity", 1}, {"unit", "bunch"}, {"use_by", in_days(2)}},
                                     {{"name", "kimchi"}, {"quantity", 1}, {"unit", "pack"}, {"use_by", in_days(3)}},
                                     {{"name", "rice"}, {"quantity", 2}, {"unit", "kg"}}}));
  ASSERT_EQ(added["data"].size(), 4u);
  EXPECT_EQ(added["data"][3]["estimated"], true);

  // One from a photo: a red square on a white photo is the tiny network's tomato. bob detects,
  // picks that box and adds it in one more call; bought six days ago, its estimated use-by (the
  // shelf-life table: a week in the fridge) is tomorrow.
  const json found = detect("bob", bmp_with_square(512, 384, 200, 120, 120));
  ASSERT_EQ(found["detections"].size(), 1u) << found.dump();
  ASSERT_EQ(found["detections"][0]["label"], "tomato") << found.dump();
  const int64_t tomato_days = apps::fridge::shelf_life_days("tomato", "fridge");
  const json from_photo = ok("bob", "POST", "fridges/" + fr["id"].get<std::string>() + "/items:from-detections",
                             {{"detections", json::array({found["detections"][0]})}, {"bought", in_days(1 - tomato_days)}});
  ASSERT_EQ(from_photo["data"].size(), 1u) << from_photo.dump();
  const json tomato = from_photo["data"][0];
  EXPECT_EQ(tomato["ingredient"], "tomato");
  EXPECT_EQ(tomato["estimated"], true);
  EXPECT_EQ(tomato["use_by"], in_days(1));
  EXPECT_EQ(tomato["detected"]["source"], "photo");
  EXPECT_EQ(tomato["detected"]["box"], found["detections"][0]["box"]);

  const json soon = ok("alice", "GET", "households/" + hid + "/expiring?days=2");
  ASSERT_EQ(soon["data"].size(), 3u) << soon.dump(1);
  std::vector<std::string> soon_names;
  for (const json& it : soon["data"]) soon_names.push_back(it["ingredient"]);
  EXPECT_EQ(soon_names[2], "green onion");  // 2 days; pork belly and the tomato 1 day each
  EXPECT_NE(std::find(soon_names.begin(), soon_names.end(), "tomato"), soon_names.end()) << soon.dump(1);
  EXPECT_NE(std::find(soon_names.begin(), soon_names.end(), "pork belly"), soon_names.end()) << soon.dump(1);

  // The recommendation: default ingredients are the items by days to expiry.
  const std::string excluded = "Onion Pork Stir-fry";
  const double threshold = 0.9;
  const json rec = ok("alice", "POST", "recommend",
                      {{"household_id", hid}, {"except_recipe", {excluded}}, {"similarity_threshold", threshold}, {"seed", 7}});
  ASSERT_TRUE(rec.is_object());
  ASSERT_TRUE(rec["recipe_name"].is_string());
  ASSERT_TRUE(rec["recipe_ingredients"].is_array());
  ASSERT_TRUE(rec["recipes"].is_array());
  EXPECT_EQ(rec["ingredients_from"], "household_expiry");
  // The three that expire soonest, the photo's tomato among them.
  EXPECT_EQ(rec["ingredients"], json::array({"pork belly", "tomato", "green onion"})) << rec.dump(1);
  EXPECT_FALSE(rec["uses_expiring"].empty()) << rec.dump(1);
  EXPECT_FALSE(rec["grounding"].empty()) << rec.dump(1);
  bool excluded_seen = false;
  for (const json& e : rec["excluded_similar"]) excluded_seen = excluded_seen || e["name"] == excluded;
  EXPECT_TRUE(excluded_seen) << rec.dump(1);  // retrieved and kept out
  // Neither the answer nor any grounding recipe is the excluded one or like it.
  EXPECT_LT(cosine(rec["recipe_name"], excluded), threshold) << rec.dump(1);
  for (const json& g : rec["grounding"]) EXPECT_LT(cosine(g["name"], excluded), threshold) << g.dump();

  // A shared recipe: bob's household recipe; alice's public one; eve sees only the public one.
  const json shared = ok("bob", "POST", "recipes",
                         {{"household_id", hid}, {"name", "Grandma's Kimchi Stew"},
                          {"ingredients", {{{"name", "kimchi"}, {"amount", "300 g"}}, {{"name", "pork belly"}, {"amount", "200 g"}}}},
                          {"steps", {"Fry the pork.", "Add kimchi and water.", "Simmer 20 minutes."}}, {"tags", {"stew"}}});
  EXPECT_EQ(ok("alice", "GET", "recipes/" + shared["id"].get<std::string>())["name"], "Grandma's Kimchi Stew");
  const json pub = ok("alice", "POST", "recipes",
                      {{"household_id", hid}, {"visibility", "public"}, {"name", "Quick Rice Bowl"},
                       {"ingredients", {"rice", "egg"}}, {"steps", {"Cook rice.", "Top with egg."}}});
  EXPECT_EQ(ok("eve", "GET", "recipes/" + pub["id"].get<std::string>())["name"], "Quick Rice Bowl");

  // The webhook: the expiry alerts arrive signed with the household's secret.
  std::vector<Listener::Hit> hits;
  for (int i = 0; i < 300 && hits.size() < 2; ++i) {  // bounded wait for delivery
    hits = listener_.hits();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(hits.size(), 2u) << server_.log();
  bool expiry_seen = false;
  for (const auto& hit : hits) {
    EXPECT_EQ(hit.signature, "sha256=" + apps::fridge::hmac_sha256_hex(secret, hit.body));
    const json b = json::parse(hit.body);
    EXPECT_EQ(b["idempotency_key"], hit.key);
    EXPECT_EQ(b["household_id"], hid);
    expiry_seen = expiry_seen || b["type"] == "expiry";
  }
  EXPECT_TRUE(expiry_seen);
  for (int i = 0; i < 300 && !sse_got; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(sse_got.load());
  sse_stop = true;  // the stream's keep-alive (every 15 s) lets the reader see it
  sse.join();

  // Consume part, discard the rest: history and waste.
  const std::string pork = added["data"][0]["id"];
  ok("bob", "POST", "items/" + pork + "/consume", {{"quantity", 200}});
  ok("bob", "POST", "items/" + pork + "/discard", json::object());
  EXPECT_EQ(ok("alice", "GET", "households/" + hid + "/history")["data"].size(), 2u);
  const json stats = ok("alice", "GET", "households/" + hid + "/stats");
  ASSERT_EQ(stats["data"].size(), 1u);
  EXPECT_NEAR(stats["data"][0]["waste_share"].get<double>(), 400.0 / 600.0, 1e-9);

  // Isolation: eve, in a household of her own, gets 404 on every route of alice's household.
  const std::string eh = ok("eve", "POST", "households", {{"name", "Eve"}})["id"];
  const std::string efr = ok("eve", "POST", "households/" + eh + "/fridges", {{"name", "Mine"}})["id"];
  const std::string item = added["data"][1]["id"], fid = fr["id"];
  const std::vector<std::tuple<std::string, std::string, json>> routes = {
      {"GET", "households/" + hid, nullptr},
      {"POST", "households/" + hid + "/members", {{"key_id", keys_["eve"].first}}},
      {"DELETE", "households/" + hid + "/members/" + keys_["bob"].first, nullptr},
      {"PUT", "households/" + hid + "/webhook", {{"url", "http://127.0.0.1:9/x"}, {"secret", "s"}}},
      {"GET", "households/" + hid + "/fridges", nullptr},
      {"POST", "households/" + hid + "/fridges", {{"name", "x"}}},
      {"GET", "households/" + hid + "/items", nullptr},
      {"GET", "households/" + hid + "/expiring?days=3", nullptr},
      {"GET", "households/" + hid + "/digest", nullptr},
      {"GET", "households/" + hid + "/history", nullptr},
      {"GET", "households/" + hid + "/stats", nullptr},
      {"GET", "households/" + hid + "/recipes", nullptr},
      {"GET", "households/" + hid + "/events", nullptr},
      {"GET", "fridges/" + fid, nullptr},
      {"GET", "fridges/" + fid + "/items", nullptr},
      {"POST", "fridges/" + fid + "/items", {{"name", "x"}}},
      {"POST", "fridges/" + fid + "/items:from-detections", {{"detections", {{{"label", "tomato"}}}}}},
      {"GET", "items/" + item, nullptr},
      {"POST", "items/" + item + "/consume", {{"quantity", 1}}},
      {"POST", "items/" + item + "/discard", json::object()},
      {"POST", "items/" + item + "/move", {{"fridge_id", efr}}},
      {"GET", "recipes/" + shared["id"].get<std::string>(), nullptr},
      {"GET", "recipes/" + shared["id"].get<std::string>() + "/photo", nullptr},
      {"POST", "recipes", {{"household_id", hid}, {"name", "x"}, {"ingredients", {"a"}}, {"steps", {"b"}}}},
      {"POST", "recommend", {{"household_id", hid}}},
  };
  for (const auto& [method, path, body] : routes) EXPECT_EQ(status("eve", method, path, body), 404) << method << " " << path;
  // bob's own item cannot be moved into eve's fridge either.
  EXPECT_EQ(status("bob", "POST", "items/" + item + "/move", {{"fridge_id", efr}}), 404);

  // Bad input: clear 4xx.
  auto bad = call("bob", "POST", "fridges/" + fid + "/items", {{"name", "milk"}, {"unit", "gallonz"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("unknown unit 'gallonz'"), std::string::npos) << bad->body;
  bad = call("bob", "POST", "fridges/" + fid + "/items", {{"name", "milk"}, {"bought", in_days(0)}, {"use_by", in_days(-3)}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("before the bought date"), std::string::npos) << bad->body;
  bad = call("bob", "POST", "recipes",
             {{"household_id", hid}, {"name", "x"}, {"ingredients", {"a"}}, {"steps", {"b"}}, {"photo", {{"data", "aGVsbG8="}}}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("not an image"), std::string::npos) << bad->body;
  {
    httplib::Client c("127.0.0.1", server_.port());
    auto big = c.Post("/apps/fridge/api/recipes", {{"Authorization", "Bearer " + keys_["bob"].second}},
                      std::string(50u << 20, 'a'), "application/json");
    if (big) {  // or the server closed the connection on it: no crash either way
      EXPECT_EQ(big->status, 413) << big->body;
    }
  }
  EXPECT_EQ(status("bob", "GET", "households/" + hid + "/expiring?days=soon"), 400);
  // A label the detector does not know, named by its index; nothing of the call is added.
  bad = call("bob", "POST", "fridges/" + fid + "/items:from-detections",
             {{"detections", {{{"label", "lettuce"}}, {{"label", "gallon of milk"}}}}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("detections[1].label: 'gallon of milk' is not a label of the detector"), std::string::npos) << bad->body;
  bad = call("bob", "POST", "fridges/" + fid + "/items:from-detections", {{"detections", {{{"label", "tomato"}, {"unit", "gallonz"}}}}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("detections[0].unit: unknown unit"), std::string::npos) << bad->body;
  EXPECT_EQ(ok("bob", "GET", "fridges/" + fid + "/items")["data"].size(), 4u);

  // Restart: everything is still there, and no alert is sent twice.
  const size_t before = listener_.hits().size();
  ASSERT_EQ(server_.stop(), 0) << server_.log();
  start();
  EXPECT_EQ(ok("bob", "GET", "households/" + hid)["members"].size(), 2u);
  const json kept = ok("bob", "GET", "fridges/" + fid + "/items");
  ASSERT_EQ(kept["data"].size(), 4u);
  bool tomato_kept = false;
  for (const json& it : kept["data"]) {
    tomato_kept = tomato_kept || (it["id"] == tomato["id"] && it["estimated"] == true && it["detected"]["source"] == "photo");
  }
  EXPECT_TRUE(tomato_kept) << kept.dump(1);
  const json soon_again = ok("alice", "GET", "households/" + hid + "/expiring?days=2");
  EXPECT_EQ(soon_again["data"].size(), 2u) << soon_again.dump(1);  // the pork belly was eaten and thrown away
  EXPECT_EQ(ok("alice", "GET", "households/" + hid + "/history")["data"].size(), 2u);
  EXPECT_EQ(ok("eve", "GET", "recipes/" + pub["id"].get<std::string>())["name"], "Quick Rice Bowl");
  std::this_thread::sleep_for(std::chrono::seconds(3));  // room for a wrong resend to show (not a timing assertion)
  const auto after = listener_.hits();
  std::map<std::string, int> per_key;
  for (const auto& hit : after) ++per_key[hit.key];
  for (const auto& [key, n] : per_key) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(after.size(), before);
}

TEST_F(FridgeServe, RoutesAreOffWithoutTheApp) {
  ASSERT_EQ(server_.stop(), 0);
  ASSERT_TRUE(server_.start({"-m", emb_ + "=emb", "--data-dir", data_.string(), "-t", "1"})) << server_.log();
  EXPECT_EQ(status("alice", "GET", "households"), 404);
}

}  // namespace
}  // namespace ondo::testing
