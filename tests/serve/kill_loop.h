// The kill -9 loop (issue 15.9): `ondo serve` on a SQLite data directory under a steady write
// load through HTTP, SIGKILLed at a random moment, restarted, and checked: the store opens
// (the server becomes ready) and every write acknowledged with a 2xx before the kill is there.
// The write actions are rows of write_actions(): each does one write and records what it
// acknowledged; each has a check run after every restart: usage rows (acknowledged once the
// server listed them, see Acknowledged), prompt versions, key creation and revocation, cached
// answers. Add a row for a new kind of write. Test support only.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
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
  // Usage rows. The server writes a request's row after its body was sent (finish_request), so
  // a 2xx is not an acknowledgement of the row: a kill between the two loses it by design. A
  // row counts as acknowledged once the server listed it in /v1/usage/requests (it was
  // committed); a 2xx whose row never got listed before a kill is only counted.
  std::set<std::string> usage;           // request ids whose row was listed: must survive
  std::set<std::string> usage_answered;  // request ids answered 2xx, row not listed yet
  int64_t usage_after = 0;               // the last seq listed
  int usage_window_lost = 0;             // answered 2xx, row absent after the restart
  int usage_window_kept = 0;             // answered 2xx, row listed only after the restart
  // Prompt versions of the prompt "killloop": version -> its system text (201 received).
  bool prompt_created = false;
  std::map<int64_t, std::string> versions;
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
  // Every usage row after `after`, paging through /v1/usage/requests; nullopt when it failed.
  auto usage_rows = [](httplib::Client& c, int64_t after, bool all) -> std::optional<std::vector<json>> {
    std::vector<json> out;
    for (;;) {
      auto r = c.Get(("/v1/usage/requests?limit=1000&after=" + std::to_string(after)).c_str(), admin_headers());
      if (!r || r->status != 200) return std::nullopt;
      const json page = json::parse(r->body, nullptr, false);
      if (!page.is_object() || !page.contains("data")) return std::nullopt;
      for (const json& row : page.at("data")) {
        out.push_back(row);
        after = std::max(after, row.at("seq").get<int64_t>());
      }
      if (!all || !page.value("has_more", false)) return out;
    }
  };
  return {
      {"usage row",
       [usage_rows](httplib::Client& c, Acknowledged& ack, int n) {
         const json body = {{"model", "tiny"},
                            {"messages", json::array({{{"role", "user"}, {"content", "usage " + std::to_string(n)}}})},
                            {"max_tokens", 2},
                            {"cache", false}};
         auto r = c.Post("/v1/chat/completions", admin_headers(), body.dump(), "application/json");
         if (r && r->status == 200) ack.usage_answered.insert(r->get_header_value("x-request-id"));
         auto rows = usage_rows(c, ack.usage_after, false);  // rows committed since the last look
         if (!rows) return;
         for (const json& row : *rows) {
           ack.usage_after = std::max(ack.usage_after, row.at("seq").get<int64_t>());
           const std::string id = row.at("request_id").get<std::string>();
           if (ack.usage_answered.erase(id)) ack.usage.insert(id);
         }
       },
       [usage_rows](httplib::Client& c, Acknowledged& ack) {
         std::vector<std::string> bad;
         auto rows = usage_rows(c, 0, true);
         if (!rows) return std::vector<std::string>{"GET /v1/usage/requests failed"};
         std::set<std::string> have;
         for (const json& row : *rows) {
           have.insert(row.at("request_id").get<std::string>());
           ack.usage_after = std::max(ack.usage_after, row.at("seq").get<int64_t>());
         }
         for (const auto& id : ack.usage) {
           if (!have.count(id)) bad.push_back("usage row of " + id + " (listed before the kill) is missing");
         }
         for (const auto& id : ack.usage_answered) {
           if (have.count(id)) {
             ++ack.usage_window_kept;
             ack.usage.insert(id);
           } else {
             ++ack.usage_window_lost;  // answered, the kill came before its row: not acknowledged
           }
         }
         ack.usage_answered.clear();
         return bad;
       }},
      {"prompt version",
       [](httplib::Client& c, Acknowledged& ack, int n) {
         if (!ack.prompt_created) {
           auto r = c.Post("/v1/prompts", admin_headers(), json{{"name", "killloop"}}.dump(), "application/json");
           // 400 "exists": created before a kill that came before its 201.
           if (r && (r->status == 201 || (r->status == 400 && r->body.find("exists") != std::string::npos))) {
             ack.prompt_created = true;
           }
           return;
         }
         const std::string system = "system text " + std::to_string(n);
         auto r = c.Post("/v1/prompts/killloop/versions", admin_headers(), json{{"system", system}}.dump(),
                         "application/json");
         if (r && r->status == 201) ack.versions[json::parse(r->body).at("version").get<int64_t>()] = system;
       },
       [](httplib::Client& c, Acknowledged& ack) {
         std::vector<std::string> bad;
         if (!ack.prompt_created) return bad;
         auto r = c.Get("/v1/prompts/killloop/versions", admin_headers());
         if (!r || r->status != 200) {
           return std::vector<std::string>{"GET /v1/prompts/killloop/versions failed: " +
                                           (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error()))};
         }
         std::map<int64_t, std::string> have;
         const json list = json::parse(r->body, nullptr, false);
         if (!list.is_object() || !list.contains("data")) return std::vector<std::string>{"versions: not a list: " + r->body.substr(0, 200)};
         for (const json& v : list.at("data")) have[v.at("version").get<int64_t>()] = v.value("system", "");
         for (const auto& [version, system] : ack.versions) {
           auto it = have.find(version);
           if (it == have.end()) {
             bad.push_back("prompt version " + std::to_string(version) + " ('" + system + "') is missing; the store lists " +
                           std::to_string(have.size()) + ": " + r->body.substr(0, 300));
           }
           else if (it->second != system) bad.push_back("prompt version " + std::to_string(version) + " has system '" + it->second + "', acknowledged '" + system + "'");
         }
         return bad;
       }},
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
// `store_args` name the store: {"--data-dir", DIR} (SQLite) or {"--db", URL} (PostgreSQL).
inline std::vector<std::string> run_kill_loop(int kills, const std::string& model,
                                              const std::vector<std::string>& store_args, uint32_t seed) {
  std::vector<std::string> args = {"-m", model + "=tiny", "-t", "1", "--ctx", "256",
                                   "--admin-key", "adm", "--cache-ttl", "3600"};
  args.insert(args.end(), store_args.begin(), store_args.end());
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
  if (bad.empty() && ack.usage.empty()) bad.push_back("no usage row was acknowledged: nothing was tested");
  if (bad.empty() && ack.versions.empty()) bad.push_back("no prompt version was acknowledged: nothing was tested");
  std::printf("kill loop: %zu keys, %zu revokes, %zu usage rows listed (%d answered 2xx whose row the kill cut off, %d "
              "listed only after the restart), %zu prompt versions acknowledged\n",
              ack.keys.size(), ack.revoked.size(), ack.usage.size(), ack.usage_window_lost, ack.usage_window_kept,
              ack.versions.size());
  return bad;
}

// The loop on a SQLite data directory.
inline std::vector<std::string> run_kill_loop(int kills, const std::string& model, const std::string& data_dir,
                                              uint32_t seed) {
  return run_kill_loop(kills, model, std::vector<std::string>{"--data-dir", data_dir}, seed);
}

}  // namespace ondo::testing
