// The served LoRA adapters (adapters.h). Layer: serve.
#include "ondo/serve/adapters.h"

#include <cmath>
#include <ctime>

namespace ondo::serve {

Status check_adapter_name(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return field_error(ErrorCode::InvalidArgument, "name", "expected 1 to 128 characters (seen " +
                                                               std::to_string(name.size()) + ")");
  }
  if (name.front() == '-') return field_error(ErrorCode::InvalidArgument, "name", "must not start with '-'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
    if (!ok) {
      return field_error(ErrorCode::InvalidArgument, "name",
                         "'" + std::string(name) + "' has a character outside [A-Za-z0-9._:/-]");
    }
  }
  return ok_status();
}

Result<AdapterEntry> AdapterRegistry::add(std::string name, std::string base, std::string path, float scale,
                                          std::shared_ptr<const model::LoraAdapter> adapter, bool taken_by_model) {
  ONDO_TRY(check_adapter_name(name));
  if (!std::isfinite(scale)) return field_error(ErrorCode::InvalidArgument, "scale", "is not a finite number");
  if (taken_by_model) {
    return field_error(ErrorCode::InvalidArgument, "name", "'" + name + "' is already the name of a served model");
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const AdapterEntry& e : entries_) {
    if (e.name == name) {
      return field_error(ErrorCode::InvalidArgument, "name",
                         "an adapter named '" + name + "' is already loaded (delete it first)");
    }
  }
  AdapterEntry e{std::move(name), std::move(base), std::move(path), scale, next_id_++, int64_t(std::time(nullptr)),
                 std::move(adapter)};
  entries_.push_back(e);
  return e;
}

std::optional<AdapterEntry> AdapterRegistry::find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const AdapterEntry& e : entries_) {
    if (e.name == name) return e;
  }
  return std::nullopt;
}

std::optional<AdapterEntry> AdapterRegistry::find_id(int64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const AdapterEntry& e : entries_) {
    if (e.id == id) return e;
  }
  return std::nullopt;
}

std::vector<AdapterEntry> AdapterRegistry::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

Result<AdapterEntry> AdapterRegistry::remove(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->name != name) continue;
    AdapterEntry e = std::move(*it);
    entries_.erase(it);
    return e;
  }
  return make_error(ErrorCode::NotFound, "adapter '" + std::string(name.substr(0, 200)) + "' is not loaded");
}

}  // namespace ondo::serve
