// Expiry alerts of the fridge app (issue 20.2): webhook signatures (HMAC-SHA256), the retry
// schedule, and the hub that fans alerts out to server-sent-event listeners. Layer: apps/fridge.
//
// Webhook contract: POST <url> with the alert JSON as the body and the headers
//   X-Ondo-Signature: sha256=<hex HMAC-SHA256 of the body under the household's secret>
//   X-Ondo-Idempotency-Key: <the alert's key>   ("expiry:<item id>:<use-by date>")
// A 2xx answer delivers it; anything else is retried with exponential backoff. The outbox is in
// the store, so an alert is enqueued once (its key) and survives restarts until delivered.
// Thread contract: hmac/backoff are pure; AlertHub is safe from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace ondo::apps::fridge {

// Lower-case hex HMAC-SHA256 (RFC 2104) of `message` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Milliseconds to wait before attempt `attempts + 1` (after `attempts` failures): 1 s doubling,
// at most one hour. Requires: attempts >= 1.
int64_t retry_delay_ms(int32_t attempts);

// Alerts for live listeners (SSE). Each subscription has its own bounded queue; a listener that
// falls behind loses the oldest events (SSE is best effort; the webhook outbox is not).
class AlertHub {
 public:
  struct Subscription {
    std::string household;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> events;  // guarded by mu; each a JSON text
    bool closed = false;             // guarded by mu
  };

  std::shared_ptr<Subscription> subscribe(const std::string& household);
  void unsubscribe(const std::shared_ptr<Subscription>& s);
  // Delivers `event_json` to every subscription of `household`.
  void publish(const std::string& household, const std::string& event_json);
  // Wakes and closes every subscription (server stop).
  void close_all();

 private:
  std::mutex mu_;
  std::multimap<std::string, std::shared_ptr<Subscription>> subs_;  // guarded by mu_
};

}  // namespace ondo::apps::fridge
