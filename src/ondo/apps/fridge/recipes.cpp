// The fridge app's recipes (see service.h): user recipes shared in a household or public, with
// an optional photo, and the corpus recipes seeded at start. Layer: apps/fridge.
#include <chrono>

#include "ondo/apps/fridge/catalog.h"
#include "ondo/apps/fridge/service.h"

namespace ondo::apps::fridge {
namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
constexpr size_t kMaxList = 64;

Error bad(const std::string& field, const std::string& what) { return make_error(kBad, field + ": " + what); }

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json parse_body(const store::FridgeRecord& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() ? j : json::object();
}

// Standard base64 (RFC 4648) with or without padding; nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

// The image type the bytes start with, or "" when they are no image this app takes.
std::string sniff_image(std::string_view b) {
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xff\xd8\xff", 3)) return "image/jpeg";
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) return "image/gif";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return "";
}

Result<json> string_list(const json& body, const std::string& key, bool required) {
  if (!body.contains(key) || body[key].is_null()) {
    if (required) return bad(key, "required, a non-empty array of strings");
    return json::array();
  }
  const json& v = body[key];
  if (!v.is_array() || (required && v.empty())) return bad(key, "must be a non-empty array of strings");
  if (v.size() > kMaxList) return bad(key, "at most " + std::to_string(kMaxList) + " entries");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || v[i].get<std::string>().empty() || v[i].get<std::string>().size() > 1000) {
      return bad(key + "[" + std::to_string(i) + "]", "must be a non-empty string of at most 1000 bytes");
    }
  }
  return v;
}

// Ingredients as [{name, amount}] (a plain string is a name without an amount).
Result<json> ingredient_list(const json& body) {
  if (!body.contains("ingredients") || !body["ingredients"].is_array() || body["ingredients"].empty()) {
    return bad("ingredients", "required, a non-empty array of {name, amount}");
  }
  const json& v = body["ingredients"];
  if (v.size() > kMaxList) return bad("ingredients", "at most " + std::to_string(kMaxList) + " entries");
  json out = json::array();
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string path = "ingredients[" + std::to_string(i) + "]";
    json e = v[i].is_string() ? json{{"name", v[i]}} : v[i];
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || e["name"].get<std::string>().empty()) {
      return bad(path + ".name", "required, a non-empty string");
    }
    if (e.contains("amount") && !e["amount"].is_string() && !e["amount"].is_null()) {
      return bad(path + ".amount", "must be a string (\"200 g\", \"2\")");
    }
    out.push_back({{"name", e["name"]},
                   {"ingredient", normalise_ingredient(e["name"].get<std::string>())},
                   {"amount", e.value("amount", "")}});
  }
  return out;
}

}  // namespace

Result<json> FridgeService::create_recipe(const std::string& caller, const json& body) {
  if (!body.is_object()) return bad("body", "must be a JSON object");
  if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty() ||
      body["name"].get<std::string>().size() > 200) {
    return bad("name", "required, a string of 1 to 200 bytes");
  }
  if (!body.contains("household_id") || !body["household_id"].is_string()) {
    return bad("household_id", "required: the household that shares the recipe");
  }
  const std::string hid = body["household_id"];
  ONDO_TRY(role_of(caller, hid));
  const std::string visibility = body.value("visibility", "household");
  if (visibility != "household" && visibility != "public") {
    return bad("visibility", "must be 'household' or 'public' (seen '" + visibility + "')");
  }
  ONDO_ASSIGN_OR_RETURN(json ingredients, ingredient_list(body));
  ONDO_ASSIGN_OR_RETURN(json steps, string_list(body, "steps", true));
  ONDO_ASSIGN_OR_RETURN(json tags, string_list(body, "tags", false));
  std::optional<std::pair<std::string, std::string>> photo;
  if (body.contains("photo") && !body["photo"].is_null()) {
    const json& p = body["photo"];
    if (!p.is_object() || !p.contains("data") || !p["data"].is_string()) {
      return bad("photo.data", "required in a photo: the image bytes in base64");
    }
    const std::string& data = p["data"].get_ref<const std::string&>();
    if (data.size() / 4 * 3 > options_.max_photo_bytes + 3) {
      return make_error(ErrorCode::TooLarge, "photo.data: about " + std::to_string(data.size() / 4 * 3) +
                                                 " bytes, at most " + std::to_string(options_.max_photo_bytes));
    }
    auto bytes = base64_decode(data);
    if (!bytes) return bad("photo.data", "not base64");
    const std::string type = sniff_image(*bytes);
    if (type.empty()) return bad("photo.data", "not an image (expected PNG, JPEG, GIF or WebP bytes)");
    photo.emplace(type, data);
  }
  const std::string id = new_id("rc_");
  json r = {{"id", id},
            {"name", body["name"]},
            {"ingredients", ingredients},
            {"steps", steps},
            {"tags", tags},
            {"visibility", visibility},
            {"household_id", hid},
            {"author", caller},
            {"source", "user"},
            {"language", has_hangul(body["name"].get<std::string>()) ? "ko" : "en"},
            {"has_photo", photo.has_value()}};
  const int64_t t = now_s();
  std::lock_guard<std::mutex> lock(write_mu_);
  if (photo) {
    json pb = {{"content_type", photo->first}, {"data", photo->second}};
    ONDO_TRY(store_.insert_fridge_record(store::FridgeRecord{"photo", id, visibility == "public" ? "" : hid, caller,
                                                             pb.dump(), t, t}));
  }
  ONDO_TRY(store_.insert_fridge_record(
      store::FridgeRecord{"recipe", id, visibility == "public" ? "" : hid, caller, r.dump(), t, t}));
  return r;
}

Result<bool> FridgeService::can_see_recipe(const std::string& caller, const store::FridgeRecord& r) {
  if (r.household.empty()) return true;  // public
  auto role = role_of(caller, r.household);
  if (role.ok()) return true;
  if (role.error().code == ErrorCode::NotFound) return false;
  return role.error();
}

Result<json> FridgeService::get_recipe(const std::string& caller, const std::string& rid) {
  ONDO_ASSIGN_OR_RETURN(auto r, store_.find_fridge_record("recipe", rid));
  if (!r) return make_error(ErrorCode::NotFound, "recipe '" + rid + "': not found");
  ONDO_ASSIGN_OR_RETURN(bool ok, can_see_recipe(caller, *r));
  if (!ok) return make_error(ErrorCode::NotFound, "recipe '" + rid + "': not found");
  return parse_body(*r);
}

Result<json> FridgeService::list_recipes(const std::string& caller, const std::string& hid) {
  if (!hid.empty()) ONDO_TRY(role_of(caller, hid));
  json out = json::array();
  ONDO_ASSIGN_OR_RETURN(auto pub, store_.list_fridge_records("recipe", "", ""));
  for (const auto& r : pub) {
    if (!hid.empty() && !r.household.empty() && r.household != hid) continue;
    ONDO_ASSIGN_OR_RETURN(bool ok, can_see_recipe(caller, r));
    if (ok) out.push_back(parse_body(r));
  }
  return json{{"object", "list"}, {"data", out}};
}

Result<std::pair<std::string, std::string>> FridgeService::recipe_photo(const std::string& caller,
                                                                        const std::string& rid) {
  ONDO_TRY(get_recipe(caller, rid));
  ONDO_ASSIGN_OR_RETURN(auto p, store_.find_fridge_record("photo", rid));
  if (!p) return make_error(ErrorCode::NotFound, "recipe '" + rid + "': has no photo");
  const json b = parse_body(*p);
  auto bytes = base64_decode(b.value("data", ""));
  if (!bytes) return make_error(ErrorCode::Internal, "recipe '" + rid + "': stored photo is damaged");
  return std::make_pair(b.value("content_type", "application/octet-stream"), std::move(*bytes));
}

Result<bool> FridgeService::seed_recipe(const json& recipe) {
  const std::string id = recipe.value("id", "");
  ONDO_ASSIGN_OR_RETURN(auto existing, store_.find_fridge_record("recipe", id));
  if (existing) return false;
  const int64_t t = now_s();
  ONDO_TRY(store_.insert_fridge_record(store::FridgeRecord{"recipe", id, "", "corpus", recipe.dump(), t, t}));
  return true;
}

}  // namespace ondo::apps::fridge
