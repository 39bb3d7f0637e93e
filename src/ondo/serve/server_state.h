// State shared by the routes of one Server: options, the published models, readiness and
// draining flags, metrics, and the record of the request each HTTP thread handles.
// Layer: serve (internal to it).
// Thread contract: all members are safe from any HTTP thread (atomics, one mutex for models).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ondo/serve/console_session.h"
#include "ondo/serve/adapters.h"
#include "ondo/serve/cors.h"
#include "ondo/serve/grammar_cache.h"
#include "ondo/serve/metrics.h"
#include "ondo/serve/request_context.h"
#include "ondo/serve/server.h"

namespace ondo::serve {

class Collections;
class FridgeApp;

using ModelTable = std::vector<ServedModel>;

class ServerState {
 public:
  ServerState(ServerOptions options, CorsPolicy cors)
      : options_(std::move(options)),
        cors_(std::move(cors)),
        grammars_(options_.grammar_cache_entries, options_.grammar_cache_bytes),
        console_sessions_(options_.store) {}

  const ServerOptions& options() const { return options_; }
  const CorsPolicy& cors() const { return cors_; }
  Metrics& metrics() { return metrics_; }
  GrammarCache& grammar_cache() { return grammars_; }
  ConsoleSessions& console_sessions() { return console_sessions_; }
  AdapterRegistry& adapters() { return adapters_; }
  const AdapterRegistry& adapters() const { return adapters_; }

  void publish(ModelTable models);
  std::shared_ptr<const ModelTable> models() const;  // null until published
  bool ready() const { return ready_.load(); }
  bool draining() const { return draining_.load(); }
  void set_draining() { draining_.store(true); }

  // The end of one request, after its body was sent: counts it in the metrics (route,
  // status; tokens and latencies when it generated), writes the access log line and calls
  // the on_request_done hook. Runs once per record; later calls do nothing.
  void finish_request(RequestRecord& record);

  // Requests being handled (counted from handler entry to the end of the response body).
  void enter() { in_flight_.fetch_add(1); }
  void leave() { in_flight_.fetch_sub(1); }
  int in_flight() const { return in_flight_.load(); }

  // The collections service (files, vector stores; serve/collections.h); null without a store.
  // Set once by Server::create, before serving.
  Collections* collections() const { return collections_.get(); }
  void set_collections(std::shared_ptr<Collections> c) { collections_ = std::move(c); }
  // The fridge app (serve/fridge_app.h) when options().app is "fridge"; else null. Set once by
  // Server::create, before serving; ~Server stops it before the collections stop.
  FridgeApp* fridge_app() const { return fridge_app_.get(); }
  void set_fridge_app(std::shared_ptr<FridgeApp> app) { fridge_app_ = std::move(app); }

 private:
  ServerOptions options_;
  CorsPolicy cors_;
  Metrics metrics_;
  GrammarCache grammars_;
  ConsoleSessions console_sessions_;  // web console sign-ins (serve/console_session.h; in the store when there is one)
  AdapterRegistry adapters_;
  mutable std::mutex mu_;
  std::shared_ptr<const ModelTable> models_;  // guarded by mu_
  std::atomic<bool> ready_{false};
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
  std::shared_ptr<Collections> collections_;  // near last: destroyed (its worker stopped) early
  std::shared_ptr<FridgeApp> fridge_app_;     // last: uses the collections, so destroyed before them
};

// The record of the request the calling HTTP thread is handling, or null between requests
// (cpp-httplib runs a request's pre-routing, handler, body writer and logger on one thread).
// Set before routing, completed and cleared by ServerState::finish_request().
std::shared_ptr<RequestRecord>& current_request();

}  // namespace ondo::serve
