// The fridge app inside `ondo serve --app fridge` (issue 20): its service over the store, the
// recipe collection (seeded from the corpus at start), recommendation through the served chat
// model, and the worker that raises expiry alerts into the store's outbox and delivers them as
// signed webhooks and server-sent events. The routes are routes/fridge.cpp.
// Layer: serve (internal to it). Thread contract: every method is safe from any thread; one
// worker thread runs from start() to stop().
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "ondo/apps/fridge/alerts.h"
#include "ondo/apps/fridge/recommend.h"
#include "ondo/apps/fridge/service.h"
#include "ondo/store/store.h"

namespace ondo::serve {

class Collections;
class FridgeApp;
class ServerState;

class FridgeApp {
 public:
  // `state`, `store` and `collections` outlive it.
  FridgeApp(ServerState& state, store::Store& store, Collections& collections);
  ~FridgeApp();  // stop()

  // After the models are published: opens the recipe collection, seeds the corpus, and starts
  // the alert worker. Once.
  void start();
  void stop();

  apps::fridge::FridgeService& service() { return service_; }
  apps::fridge::AlertHub& hub() { return hub_; }
  // Indexes a new recipe (once the collection is open; before, the worker indexes it).
  void recipe_added(const apps::fridge::json& recipe);
  // POST …/recommend. Errors: Unavailable until the recipe collection is open.
  Result<apps::fridge::json> recommend(const std::string& caller, const apps::fridge::json& body);
  // {"recipes_indexed", "seeded", "retrieval": "hybrid"|"lexical", "embedding_model", "chat_model"}.
  apps::fridge::json status() const;

 private:
  void run();
  void prepare_index();
  void scan(const std::string& household, int64_t today);
  void deliver_due();
  Result<std::string> generate(const apps::fridge::GenerateCall& call);
  std::string chat_model() const;

  ServerState& state_;
  store::Store& store_;
  Collections& collections_;
  apps::fridge::FridgeService service_;
  apps::fridge::AlertHub hub_;
  std::unique_ptr<apps::fridge::RecipeIndex> index_;  // set once by the worker, before ready_
  std::atomic<bool> ready_{false};
  std::string embedding_model_;  // set with index_
  std::string index_error_;      // set with index_ when opening failed

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                  // guarded by mu_
  std::set<std::string> changed_;      // households to scan now; guarded by mu_
  std::thread worker_;
  std::atomic<bool> started_{false};
};

}  // namespace ondo::serve
