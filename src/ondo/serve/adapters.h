// AdapterRegistry: the LoRA adapters a server serves on top of its models (`--lora`,
// POST/GET/DELETE /v1/adapters). Each has a name (usable as a request's "model", and in
// llama-server's "lora" field by name or by id), the alias of its base model, a default scale
// and the loaded adapter. Layer: serve.
//
// Unloading is deferred: remove() takes the name away at once (new requests get a 404), while
// requests already running keep the adapter alive through their LoraSet until they end; its
// memory goes with the last of them.
// Thread contract: every member is safe from any thread (one mutex). Adapter files are mapped
// and validated on the calling thread (add()); no model code runs here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/model/lora/adapter.h"

namespace ondo::serve {

struct AdapterEntry {
  std::string name;
  std::string base;   // the base model's alias
  std::string path;   // the adapter file
  float scale = 1.0f;  // when picked by "model" or without a scale in "lora"
  int64_t id = 0;     // llama-server's "lora" id: 0, 1, ... in load order, never reused
  int64_t created = 0;  // unix seconds
  std::shared_ptr<const model::LoraAdapter> adapter;
};

class AdapterRegistry {
 public:
  // Checks `name` (1..128 characters of [A-Za-z0-9._:/-], not starting with '-'; unique
  // among adapters and not `taken_by_model`), then registers `adapter` (already loaded
  // against the base). Errors: InvalidArgument (bad or taken name, non-finite scale).
  Result<AdapterEntry> add(std::string name, std::string base, std::string path, float scale,
                           std::shared_ptr<const model::LoraAdapter> adapter, bool taken_by_model);
  std::optional<AdapterEntry> find(std::string_view name) const;
  std::optional<AdapterEntry> find_id(int64_t id) const;
  std::vector<AdapterEntry> list() const;  // in load order
  // Removes the name (deferred unload, see above). Errors: NotFound naming it.
  Result<AdapterEntry> remove(std::string_view name);

 private:
  mutable std::mutex mu_;
  std::vector<AdapterEntry> entries_;  // guarded by mu_
  int64_t next_id_ = 0;                // guarded by mu_
};

// A name for the registry: the error when it is not one (field "name").
Status check_adapter_name(std::string_view name);

}  // namespace ondo::serve
