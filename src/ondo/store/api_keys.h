// API key secrets: making one, and checking a presented one against the store. A secret is
// "ondo-sk-" + id + "-" + 40 random hex digits; the id ("k" + 12 hex digits) is the public
// prefix the store looks keys up by; only the SHA-256 of the whole secret is stored.
// Layer: store. Thread contract: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::store {

inline constexpr std::string_view kSecretPrefix = "ondo-sk-";

struct NewSecret {
  std::string secret;  // shown once, never stored
  std::string id;
  std::string hash;    // hex SHA-256 of `secret`
};

// A fresh secret from the system's random source (getrandom).
// Errors: Internal when the random source fails.
Result<NewSecret> make_secret();

struct CreatedKey {
  ApiKey key;
  std::string secret;  // shown once
};

// Stores a new key with `fields`' name, expiry, models, limits and metadata (its id, hash and
// created_at are made here; revoked_at is ignored).
// Errors: InvalidArgument naming the field (negative limit, unknown budget_period, expiry not
// after `now`, empty model name); the store's errors as they are.
Result<CreatedKey> create_api_key(Store& store, const ApiKey& fields, int64_t now);

// Whether `text` has the shape of a store secret (it may still be unknown).
bool looks_like_secret(std::string_view text);

// The key `secret` belongs to, when it is live at `now` (Unix seconds).
// Errors: Unauthenticated with the reason: not a known key, revoked (when), expired (when);
// the store's own errors as they are.
Result<ApiKey> authenticate(Store& store, std::string_view secret, int64_t now);
// The same for key `id` known by the hex SHA-256 of its secret (a console session keeps the
// hash, never the secret), with the same errors.
Result<ApiKey> authenticate_hash(Store& store, std::string_view id, std::string_view secret_hash, int64_t now);

// Whether `key` may use the model `alias` (an empty list allows every model).
bool allows_model(const ApiKey& key, std::string_view alias);

// Unix seconds as "2026-12-03T07:55:00Z".
std::string format_time(int64_t unix_seconds);

}  // namespace ondo::store
