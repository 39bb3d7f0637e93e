// Webhook signatures, retry schedule and the SSE hub (see alerts.h). Layer: apps/fridge.
#include "ondo/apps/fridge/alerts.h"

#include <algorithm>

#include "ondo/core/sha256.h"

namespace ondo::apps::fridge {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  constexpr size_t kBlock = 64;
  std::string k(key);
  if (k.size() > kBlock) {
    const core::Sha256Digest d = core::sha256(k);
    k.assign(reinterpret_cast<const char*>(d.data()), d.size());
  }
  k.resize(kBlock, '\0');
  std::string ipad(kBlock, '\0'), opad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = char(k[i] ^ 0x36);
    opad[i] = char(k[i] ^ 0x5c);
  }
  core::Sha256 inner;
  inner.update(ipad);
  inner.update(message);
  const core::Sha256Digest ih = inner.finish();
  core::Sha256 outer;
  outer.update(opad);
  outer.update(ih.data(), ih.size());
  return core::to_hex(outer.finish());
}

int64_t retry_delay_ms(int32_t attempts) {
  const int32_t shift = std::clamp(attempts - 1, 0, 12);
  return std::min<int64_t>(int64_t(1000) << shift, 3600 * 1000);
}

std::shared_ptr<AlertHub::Subscription> AlertHub::subscribe(const std::string& household) {
  auto s = std::make_shared<Subscription>();
  s->household = household;
  std::lock_guard<std::mutex> lock(mu_);
  subs_.emplace(household, s);
  return s;
}

void AlertHub::unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [b, e] = subs_.equal_range(s->household);
  for (auto it = b; it != e; ++it) {
    if (it->second == s) {
      subs_.erase(it);
      break;
    }
  }
}

void AlertHub::publish(const std::string& household, const std::string& event_json) {
  constexpr size_t kMaxQueued = 256;
  std::lock_guard<std::mutex> lock(mu_);
  auto [b, e] = subs_.equal_range(household);
  for (auto it = b; it != e; ++it) {
    Subscription& s = *it->second;
    {
      std::lock_guard<std::mutex> sl(s.mu);
      if (s.events.size() == kMaxQueued) s.events.pop_front();
      s.events.push_back(event_json);
    }
    s.cv.notify_all();
  }
}

void AlertHub::close_all() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [h, s] : subs_) {
    {
      std::lock_guard<std::mutex> sl(s->mu);
      s->closed = true;
    }
    s->cv.notify_all();
  }
}

}  // namespace ondo::apps::fridge
