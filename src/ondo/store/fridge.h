// The rows of the fridge app (issue 20; apps/fridge owns their meaning): records of the app's
// domain (households, members, fridges, items, history events, recipes) as JSON bodies the app
// reads and writes, and the webhook outbox. Layer: store. Plain data; the Store methods are the
// "Fridge app" block of store.h. The store keeps bodies verbatim and never parses them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ondo::store {

// One record of the fridge app. (kind, id) is unique. `household` scopes it ("" for records of
// no household: public recipes); `ref` is one more indexed lookup key the app chooses (a
// member's key id, an item's fridge id; "" when none).
struct FridgeRecord {
  std::string kind;  // "household", "member", "fridge", "item", "event", "recipe", ...
  std::string id;
  std::string household;
  std::string ref;
  std::string body = "{}";  // JSON object, the app's
  int64_t created_at = 0;   // Unix seconds
  int64_t updated_at = 0;

  bool operator==(const FridgeRecord&) const = default;
};

// One webhook delivery in the durable outbox. `key` is the alert's idempotency key: an alert
// is enqueued once however often it is raised (restarts included) and sent until delivered.
struct FridgeAlert {
  std::string key;
  std::string household;
  std::string url;            // where it is POSTed
  std::string body;           // the JSON payload, signed as it is
  int64_t created_ms = 0;
  int64_t next_attempt_ms = 0;
  int32_t attempts = 0;
  std::optional<int64_t> delivered_ms;  // none: still to send
  std::string last_error;               // "" when none

  bool operator==(const FridgeAlert&) const = default;
};

}  // namespace ondo::store
