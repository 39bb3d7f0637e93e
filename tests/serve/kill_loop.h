// The kill -9 loop (issue 15.9): `ondo serve` on a SQLite data directory under a steady write
// load through HTTP, SIGKILLed at a random moment, restarted, and checked: the store opens
// (the server becomes ready) and every write acknowledged with a 2xx before the kill is there.
// The write actions are rows of write_actions(): each does one write and records what it
// acknowledged; each has a check run after every restart. Add a row for a new kind of write
// (usage rows, prompt versions). Test support only.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "serve/serve_process.h"

namespace ondo::testing {

// What the writes acknowledged so far (2xx received), across every round.
struct Acknowledged {
  std::set<std::string> keys;          // created key ids
  std::set<std::string> revoked;       // revoked key ids
  std::vector<nlohmann::json> cached;  // chat bodies whose answer the cache kept (this round)
};

struct WriteAction {
  const char* name;
  // One write through `c`; records into `ack` only what was acknowledged. `n` is unique.
  std::function<void(httplib::Client& c, Acknowledged& ack, int n)> write;
  // After a restart: one line per acknowledged write that is missing.
  std::function<std::vector<std::string>(httplib::Client& c, Acknowledged& ack)> check;
};

inline const httplib::Headers& admin_headers() {
  static const httplib::Headers h = {{"Authorization", "Bearer adm"}};
  return h;
}

inline std::vector<WriteAction> write_actions() {
  using nlohmann::json;
  auto key_status = [](httplib::Client& c) {
    std::map<std::string, std::string> out;
    auto r = c.Get("/v1/admin/keys", admin_headers());
    if (!r || r->status != 200) {
      ADD_FAILURE() << "GET /v1/admin/keys failed: " << (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error()));
      return out;
    }
    const json list = json::parse(r->body, nullptr, false);
    if (!list.is_object() || !list.contains("data")) return out;
    for (const json& k : list.at("data")) out[k.at("id").get<std::string>()] = k.at("status").get<std::string>();
    return out;
  };
  return {
      {"create key",
       [](httplib::Client& c, Acknowledged& ack, int n) {
         auto r = c.Post("/v1/admin/keys", admin_headers(), json{{"name", "k" + std::to_string(n)}}.dump(),
                         "application/json");
         if (r && r->status == 201) ack.keys.insert(json::parse(r->body)["id"].get<std::string>());
       },
       [key_status](httplib::Client& c, Acknowledged& ack) {
         std::vector<std::string> bad;
         const auto have = key_status(c);
         for (const auto& id : ack.keys) {
           if (!have.count(id)) {
             bad.push_back("created key " + id + " is missing (the store has " + std::to_string(have.size()) +
                           " keys, " + std::to_string(ack.keys.size()) + " were acknowledged)");
           }
         }
         return bad;
       }},
      {"revoke key",
       [](httplib::Client& c, Acknowledged& ack, int) {
         for (const auto& id : ack.keys) {
           if (ack.revoked.count(id)) continue;
           auto r = c.Delete(("/v1/admin/keys/" + id).c_str(), admin_headers());
           if (r && r->status == 200) ack.revoked.insert(id);
           return;
         }
       },
       [key_status](httplib::Client& c, Acknowledged& ack) {
         std::vector<std::string> bad;
         const auto have = key_status(c);
         for (const auto& id : ack.revoked) {
           auto it = have.find(id);
           if (it == have.end() || it->second != "revoked") bad.push_back("revoke of key " + id + " is lost (status " + (it == have.end() ? std::string("absent") : it->second) + ")");
         }
         return bad;
       }},
      {"cache write",
       [](httplib::Client& c, Acknowledged& ack, int n) {
         const json body = {{"model", "tiny"},
                            {"messages", json::array({{{"role", "user"}, {"content", "story " + std::to_string(n)}}})},
                            {"temperature", 0},
                            {"max_tokens", 3}};
         auto r = c.Post("/v1/chat/completions", admin_headers(), body.dump(), "application/json");
         if (r && r->status == 200 && r->get_header_value("x-ondo-cache") == "miss") ack.cached.push_back(body);
       },
       [](httplib::Client& c, Acknowledged& ack) {
         std::vector<std::string> bad;
         for (const json& body : ack.cached) {
           auto r = c.Post("/v1/chat/completions", admin_headers(), body.dump(), "application/json");
           if (!r || r->status != 200 || r->get_header_value("x-ondo-cache") != "hit") {
             bad.push_back("cached answer for '" + body["messages"][0]["content"].get<std::string>() + "' is lost");
           }
         }
         ack.cached.clear();  // checked once (a check's own request may be a new miss)
         return bad;
       }},
  };
}

// `kills` rounds of: start, write until SIGKILL at a random moment (seeded), restart check.
// Returns the violations found (empty: none).
inline std::vector<std::string> run_kill_loop(int kills, const std::string& model, const std::string& data_dir,
                                              uint32_t seed) {
  const std::vector<std::string> args = {"-m", model + "=tiny", "-t", "1", "--ctx", "256", "--data-dir", data_dir,
                                         "--admin-key", "adm", "--cache-ttl", "3600"};
  const std::vector<WriteAction> actions = write_actions();
  std::mt19937 rng(seed);
  Acknowledged ack;
  std::vector<std::string> bad;
  int n = 0;
  for (int round = 0; round <= kills && bad.empty(); ++round) {
    ServeProcess server;
    if (!server.start(args)) {
      bad.push_back("round " + std::to_string(round) + ": the server did not start on the store: " + server.log());
      break;
    }
    httplib::Client c("127.0.0.1", server.port());
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(10, 0);
    for (const WriteAction& a : actions) {
      for (std::string& line : a.check(c, ack)) bad.push_back("round " + std::to_string(round) + ": " + a.name + ": " + line);
    }
    if (round == kills) {
      EXPECT_EQ(server.stop(), 0) << server.log();
      break;
    }
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      httplib::Client w("127.0.0.1", server.port());
      w.set_connection_timeout(2, 0);
      w.set_read_timeout(10, 0);
      while (!stop.load()) {
        for (const WriteAction& a : actions) a.write(w, ack, n++);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(10, 400)(rng)));
    server.kill9();
    stop.store(true);
    writer.join();
  }
  if (bad.empty() && (ack.keys.empty() || ack.revoked.empty())) bad.push_back("no write was acknowledged: nothing was tested");
  return bad;
}

}  // namespace ondo::testing
