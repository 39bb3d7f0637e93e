// The fridge app's domain over the store (issue 20): households with members and roles, fridges
// (storage groups), items with place, quantity and use-by date, consume / discard / move, the
// history of what was eaten or thrown away with waste statistics per month, expiry lists and
// the daily digest, the webhook setting and the alert outbox, and recipes (household or public,
// with an optional photo). Layer: apps/fridge (above store and rag; never includes serve).
//
// Users are the store's API keys: every call names the caller's key id. A household, its
// fridges, items, history and household recipes are visible to its members only; to anyone
// else they do not exist (NotFound, never PermissionDenied, so ids leak nothing). Owners manage
// members and the webhook; members do everything else.
// Bodies in and out are JSON (docs/fridge.md has every shape); bad input is InvalidArgument
// naming the field. Thread contract: every method is safe from any thread; writes are
// serialised in this process (one mutex), so a consume never loses a concurrent one here.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::apps::fridge {

using json = nlohmann::json;

// Called after a write that may change what expires (household id); the app raises alerts.
using ItemsChanged = std::function<void(const std::string& household)>;

struct ServiceOptions {
  size_t max_photo_bytes = size_t(5) << 20;  // a recipe photo, decoded
  size_t max_items_per_call = 200;
  int default_alert_days = 2;  // a household's alert window until it sets one
};

class FridgeService {
 public:
  FridgeService(store::Store& store, ServiceOptions options) : store_(store), options_(options) {}

  void on_items_changed(ItemsChanged f) { changed_ = std::move(f); }
  store::Store& store() { return store_; }

  // --- Households and members ---
  Result<json> create_household(const std::string& caller, const json& body);  // {name}
  Result<json> list_households(const std::string& caller);
  Result<json> get_household(const std::string& caller, const std::string& hid);
  // {key_id, role}: owners only; the key must exist in the store.
  Result<json> add_member(const std::string& caller, const std::string& hid, const json& body);
  Status remove_member(const std::string& caller, const std::string& hid, const std::string& key_id);
  // {url, secret, alert_days}: owners only. The secret signs each webhook (HMAC-SHA256).
  Result<json> set_webhook(const std::string& caller, const std::string& hid, const json& body);

  // --- Fridges and items ---
  Result<json> create_fridge(const std::string& caller, const std::string& hid, const json& body);  // {name, kind}
  Result<json> list_fridges(const std::string& caller, const std::string& hid);
  Result<json> get_fridge(const std::string& caller, const std::string& fid);
  // One item object or an array of them (a detected list in one call); all or nothing.
  Result<json> add_items(const std::string& caller, const std::string& fid, const json& body);
  // Detections chosen from POST …/detect, added in one call (all or nothing):
  // {"detections": [{"label", "score"?, "box"?, "quantity"?, "unit"?, "use_by"?, "place"?}],
  // "bought"?, "place"?}. Each label becomes an item named after it (underscores read as
  // spaces), its ingredient normalised and, without use_by, its use-by estimated from the
  // shelf-life table; the item records {"source": "photo", "score", "box"}. `labels` are the
  // detector's classes: a label outside them (when given), empty or not a string is
  // InvalidArgument naming its index ("detections[1].label: ...").
  Result<json> add_detected(const std::string& caller, const std::string& fid, const json& body,
                            const std::vector<std::string>& labels);
  Result<json> list_items(const std::string& caller, const std::string& fid);
  Result<json> list_household_items(const std::string& caller, const std::string& hid);
  Result<json> get_item(const std::string& caller, const std::string& iid);
  Result<json> consume(const std::string& caller, const std::string& iid, const json& body);  // {quantity}
  Result<json> discard(const std::string& caller, const std::string& iid, const json& body);  // {quantity?}
  Result<json> move(const std::string& caller, const std::string& iid, const json& body);     // {fridge_id}

  // --- History, statistics, expiry ---
  Result<json> history(const std::string& caller, const std::string& hid);
  Result<json> waste_stats(const std::string& caller, const std::string& hid);
  // Items whose use-by date is within `days` of `today` (expired ones too), soonest first.
  Result<json> expiring(const std::string& caller, const std::string& hid, int64_t days, int64_t today);
  Result<json> digest(const std::string& caller, const std::string& hid, int64_t today);

  // --- Alerts (no caller: the app's own work) ---
  // Every live item of household `hid` expiring within its alert window of `today`, as alert
  // payloads with their idempotency keys ("expiry:<item>:<use_by>").
  Result<std::vector<json>> due_expiry_alerts(const std::string& hid, int64_t today);
  // Household ids with a webhook set.
  Result<std::vector<std::string>> households_with_webhook();
  Result<json> household_record(const std::string& hid);  // body, no membership check

  // --- Recipes ---
  // {name, ingredients: [{name, amount}], steps, tags, visibility: "household"|"public",
  // household_id, photo: {content_type, data (base64)}}.
  Result<json> create_recipe(const std::string& caller, const json& body);
  Result<json> get_recipe(const std::string& caller, const std::string& rid);
  // Public recipes and those of the caller's households (`hid` given: that household's only
  // plus public ones).
  Result<json> list_recipes(const std::string& caller, const std::string& hid);
  // The photo's content type and bytes.
  Result<std::pair<std::string, std::string>> recipe_photo(const std::string& caller, const std::string& rid);
  // Adds a corpus recipe (public, id given) unless it is there; true when added.
  Result<bool> seed_recipe(const json& recipe);
  // Whether `caller` may see recipe record `r`.
  Result<bool> can_see_recipe(const std::string& caller, const store::FridgeRecord& r);

  // The caller's membership of household `hid`: its role, or NotFound naming the household.
  Result<std::string> role_of(const std::string& caller, const std::string& hid);

 private:
  Result<store::FridgeRecord> visible(const std::string& caller, std::string_view kind, const std::string& id);
  Result<json> item_change(const std::string& caller, const std::string& iid, const json& body, const char* action);
  Result<json> parse_item(const json& in, const std::string& path, const json& fridge, int64_t now);
  Result<json> insert_items(const store::FridgeRecord& fridge, const std::string& caller, std::vector<json> items);
  void notify(const std::string& hid);

  store::Store& store_;
  ServiceOptions options_;
  ItemsChanged changed_;
  std::mutex write_mu_;  // serialises read-modify-write sequences
};

// A fresh id: `prefix` + 16 random hex digits.
std::string new_id(std::string_view prefix);
// The item as the API shows it, with days_left from `today`.
json item_view(const store::FridgeRecord& r, int64_t today);

}  // namespace ondo::apps::fridge
