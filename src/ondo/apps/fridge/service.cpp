// The fridge app's households, fridges, items, history and expiry (see service.h).
// Layer: apps/fridge. Recipes are in recipes.cpp.
#include "ondo/apps/fridge/service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>

#include "ondo/apps/fridge/catalog.h"

namespace ondo::apps::fridge {
namespace {

constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
constexpr size_t kMaxName = 200;

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Error bad(const std::string& field, const std::string& what) { return make_error(kBad, field + ": " + what); }

Result<std::string> req_string(const json& o, const std::string& key, const std::string& path, size_t max = kMaxName) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return bad(path + key, "required, a string");
  const std::string s = it->get<std::string>();
  if (s.empty() || s.size() > max) return bad(path + key, "must be 1 to " + std::to_string(max) + " bytes");
  return s;
}

Result<std::string> opt_string(const json& o, const std::string& key, const std::string& path, std::string dflt,
                               size_t max = kMaxName) {
  if (!o.contains(key) || o[key].is_null()) return dflt;
  return req_string(o, key, path, max);
}

Result<double> opt_number(const json& o, const std::string& key, const std::string& path, double dflt) {
  if (!o.contains(key) || o[key].is_null()) return dflt;
  if (!o[key].is_number()) return bad(path + key, "must be a number");
  const double v = o[key].get<double>();
  if (!std::isfinite(v) || v < 0 || v > 1e9) return bad(path + key, "must be between 0 and 1e9");
  return v;
}

Status check_object(const json& body, const std::string& what) {
  if (!body.is_object()) return bad(what, "must be a JSON object");
  return ok_status();
}

json parse_body(const store::FridgeRecord& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() ? j : json::object();
}

store::FridgeRecord make_record(std::string kind, std::string id, std::string household, std::string ref,
                                const json& body) {
  const int64_t t = now_s();
  return store::FridgeRecord{std::move(kind), std::move(id), std::move(household), std::move(ref), body.dump(), t, t};
}

// The caller's key id from the key, or PermissionDenied for callers that are not store keys.
Status check_user(const std::string& caller) {
  if (caller.empty()) return make_error(ErrorCode::PermissionDenied, "the fridge app needs a store API key");
  return ok_status();
}

std::string member_id(const std::string& hid, const std::string& key) { return hid + ":" + key; }

}  // namespace

std::string new_id(std::string_view prefix) {
  // Microseconds since the epoch first (14 hex digits), then 6 random ones: ids made later sort
  // later, so lists ordered by (created_at, id) keep the order things happened in.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  const auto us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
  std::string out(prefix);
  for (int i = 13; i >= 0; --i) out += kHex[(us >> (4 * i)) & 15];
  uint64_t v = rng();
  for (int i = 0; i < 6; ++i, v >>= 4) out += kHex[v & 15];
  return out;
}

json item_view(const store::FridgeRecord& r, int64_t today) {
  json j = parse_body(r);
  auto d = parse_date(j.value("use_by", ""), "use_by");
  if (d.ok()) j["days_left"] = *d - today;
  j["updated_at"] = r.updated_at;
  return j;
}

void FridgeService::notify(const std::string& hid) {
  if (changed_) changed_(hid);
}

Result<std::string> FridgeService::role_of(const std::string& caller, const std::string& hid) {
  ONDO_TRY(check_user(caller));
  ONDO_ASSIGN_OR_RETURN(auto m, store_.find_fridge_record("member", member_id(hid, caller)));
  if (!m) return make_error(ErrorCode::NotFound, "household '" + hid + "': not found");
  return parse_body(*m).value("role", "member");
}

// The record (kind, id) when the caller is a member of its household; NotFound otherwise.
Result<store::FridgeRecord> FridgeService::visible(const std::string& caller, std::string_view kind,
                                                   const std::string& id) {
  ONDO_ASSIGN_OR_RETURN(auto r, store_.find_fridge_record(kind, id));
  const std::string what = std::string(kind) + " '" + id + "': not found";
  if (!r) return make_error(ErrorCode::NotFound, what);
  auto role = role_of(caller, r->household);
  if (!role.ok()) {
    if (role.error().code == ErrorCode::NotFound) return make_error(ErrorCode::NotFound, what);
    return role.error();
  }
  return std::move(*r);
}

Result<json> FridgeService::create_household(const std::string& caller, const json& body) {
  ONDO_TRY(check_user(caller));
  ONDO_TRY(check_object(body, "body"));
  ONDO_ASSIGN_OR_RETURN(std::string name, req_string(body, "name", ""));
  const std::string hid = new_id("hh_");
  json h = {{"id", hid}, {"name", name}, {"owner", caller}, {"alert_days", options_.default_alert_days},
            {"webhook", nullptr}};
  std::lock_guard<std::mutex> lock(write_mu_);
  ONDO_TRY(store_.insert_fridge_record(make_record("household", hid, hid, caller, h)));
  ONDO_TRY(store_.insert_fridge_record(
      make_record("member", member_id(hid, caller), hid, caller, {{"key_id", caller}, {"role", "owner"}})));
  return get_household(caller, hid);
}

Result<json> FridgeService::household_record(const std::string& hid) {
  ONDO_ASSIGN_OR_RETURN(auto r, store_.find_fridge_record("household", hid));
  if (!r) return make_error(ErrorCode::NotFound, "household '" + hid + "': not found");
  return parse_body(*r);
}

Result<json> FridgeService::get_household(const std::string& caller, const std::string& hid) {
  ONDO_TRY(role_of(caller, hid));
  ONDO_ASSIGN_OR_RETURN(json h, household_record(hid));
  ONDO_ASSIGN_OR_RETURN(auto members, store_.list_fridge_records("member", hid, ""));
  json list = json::array();
  for (const auto& m : members) list.push_back(parse_body(m));
  h["members"] = list;
  if (h["webhook"].is_object()) h["webhook"].erase("secret");  // write-only
  return h;
}

Result<json> FridgeService::list_households(const std::string& caller) {
  ONDO_TRY(check_user(caller));
  ONDO_ASSIGN_OR_RETURN(auto mine, store_.list_fridge_records("member", "", caller));
  json out = json::array();
  for (const auto& m : mine) {
    auto h = get_household(caller, m.household);
    if (h.ok()) out.push_back(std::move(*h));
  }
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::add_member(const std::string& caller, const std::string& hid, const json& body) {
  ONDO_ASSIGN_OR_RETURN(std::string role, role_of(caller, hid));
  if (role != "owner") return make_error(ErrorCode::PermissionDenied, "household '" + hid + "': only owners add members");
  ONDO_TRY(check_object(body, "body"));
  ONDO_ASSIGN_OR_RETURN(std::string key, req_string(body, "key_id", ""));
  ONDO_ASSIGN_OR_RETURN(std::string new_role, opt_string(body, "role", "", "member"));
  if (new_role != "owner" && new_role != "member") return bad("role", "must be 'owner' or 'member' (seen '" + new_role + "')");
  ONDO_ASSIGN_OR_RETURN(auto k, store_.find_api_key(key));
  if (!k) return make_error(ErrorCode::NotFound, "key_id: no API key '" + key + "'");
  std::lock_guard<std::mutex> lock(write_mu_);
  json m = {{"key_id", key}, {"role", new_role}, {"added_by", caller}};
  auto existing = store_.find_fridge_record("member", member_id(hid, key));
  ONDO_TRY(existing);
  if (*existing) {
    store::FridgeRecord r = **existing;
    r.body = m.dump();
    r.updated_at = now_s();
    ONDO_TRY(store_.update_fridge_record(r));
  } else {
    ONDO_TRY(store_.insert_fridge_record(make_record("member", member_id(hid, key), hid, key, m)));
  }
  return m;
}

Status FridgeService::remove_member(const std::string& caller, const std::string& hid, const std::string& key_id) {
  ONDO_ASSIGN_OR_RETURN(std::string role, role_of(caller, hid));
  if (role != "owner") return make_error(ErrorCode::PermissionDenied, "household '" + hid + "': only owners remove members");
  std::lock_guard<std::mutex> lock(write_mu_);
  ONDO_ASSIGN_OR_RETURN(auto owners, store_.list_fridge_records("member", hid, ""));
  int n_owners = 0;
  for (const auto& m : owners) n_owners += parse_body(m).value("role", "") == "owner";
  auto target = role_of(key_id, hid);
  if (!target.ok()) return make_error(ErrorCode::NotFound, "household '" + hid + "': no member '" + key_id + "'");
  if (*target == "owner" && n_owners <= 1) return bad("key_id", "the last owner cannot leave the household");
  return store_.delete_fridge_record("member", member_id(hid, key_id));
}

Result<json> FridgeService::set_webhook(const std::string& caller, const std::string& hid, const json& body) {
  ONDO_ASSIGN_OR_RETURN(std::string role, role_of(caller, hid));
  if (role != "owner") return make_error(ErrorCode::PermissionDenied, "household '" + hid + "': only owners set the webhook");
  ONDO_TRY(check_object(body, "body"));
  ONDO_ASSIGN_OR_RETURN(std::string url, req_string(body, "url", "", 2048));
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return bad("url", "must start with http:// or https://");
  ONDO_ASSIGN_OR_RETURN(std::string secret, req_string(body, "secret", "", 256));
  ONDO_ASSIGN_OR_RETURN(double days, opt_number(body, "alert_days", "", options_.default_alert_days));
  if (days > 365) return bad("alert_days", "must be 0 to 365");
  std::lock_guard<std::mutex> lock(write_mu_);
  ONDO_ASSIGN_OR_RETURN(auto r, store_.find_fridge_record("household", hid));
  if (!r) return make_error(ErrorCode::NotFound, "household '" + hid + "': not found");
  json h = parse_body(*r);
  h["webhook"] = {{"url", url}, {"secret", secret}};
  h["alert_days"] = int64_t(days);
  r->body = h.dump();
  r->updated_at = now_s();
  ONDO_TRY(store_.update_fridge_record(*r));
  notify(hid);
  return json{{"url", url}, {"alert_days", int64_t(days)}};
}

Result<json> FridgeService::create_fridge(const std::string& caller, const std::string& hid, const json& body) {
  ONDO_TRY(role_of(caller, hid));
  ONDO_TRY(check_object(body, "body"));
  ONDO_ASSIGN_OR_RETURN(std::string name, req_string(body, "name", ""));
  ONDO_ASSIGN_OR_RETURN(std::string kind, opt_string(body, "kind", "", "fridge"));
  if (!is_known_place(kind) && kind != "other") {
    return bad("kind", "must be fridge, freezer, pantry or other (seen '" + kind + "')");
  }
  json f = {{"id", new_id("fr_")}, {"household_id", hid}, {"name", name}, {"kind", kind}};
  ONDO_TRY(store_.insert_fridge_record(make_record("fridge", f["id"].get<std::string>(), hid, "", f)));
  return f;
}

Result<json> FridgeService::list_fridges(const std::string& caller, const std::string& hid) {
  ONDO_TRY(role_of(caller, hid));
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("fridge", hid, ""));
  json out = json::array();
  for (const auto& r : rows) out.push_back(parse_body(r));
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::get_fridge(const std::string& caller, const std::string& fid) {
  ONDO_ASSIGN_OR_RETURN(auto r, visible(caller, "fridge", fid));
  return parse_body(r);
}

Result<json> FridgeService::parse_item(const json& in, const std::string& path, const json& fridge, int64_t now) {
  if (!in.is_object()) return bad(path.empty() ? "body" : path.substr(0, path.size() - 1), "must be an object");
  ONDO_ASSIGN_OR_RETURN(std::string name, req_string(in, "name", path));
  ONDO_ASSIGN_OR_RETURN(std::string ingredient, opt_string(in, "ingredient", path, name));
  ingredient = normalise_ingredient(ingredient);
  ONDO_ASSIGN_OR_RETURN(double qty, opt_number(in, "quantity", path, 1));
  if (qty <= 0) return bad(path + "quantity", "must be above 0");
  ONDO_ASSIGN_OR_RETURN(std::string unit, opt_string(in, "unit", path, "piece"));
  if (!is_known_unit(unit)) {
    std::string list;
    for (const auto& u : known_units()) list += (list.empty() ? "" : ", ") + u;
    return bad(path + "unit", "unknown unit '" + unit + "' (known: " + list + ")");
  }
  const std::string kind = fridge.value("kind", "fridge");
  ONDO_ASSIGN_OR_RETURN(std::string place, opt_string(in, "place", path, is_known_place(kind) ? kind : "fridge"));
  if (!is_known_place(place)) return bad(path + "place", "must be fridge, freezer or pantry (seen '" + place + "')");
  ONDO_ASSIGN_OR_RETURN(std::string bought_s, opt_string(in, "bought", path, format_date(now)));
  ONDO_ASSIGN_OR_RETURN(int64_t bought, parse_date(bought_s, path + "bought"));
  json item = {{"id", new_id("it_")},   {"household_id", fridge["household_id"]}, {"fridge_id", fridge["id"]},
               {"name", name},           {"ingredient", ingredient},                {"quantity", qty},
               {"initial_quantity", qty}, {"unit", unit},                           {"place", place},
               {"bought", format_date(bought)}};
  if (in.contains("use_by") && !in["use_by"].is_null()) {
    if (!in["use_by"].is_string()) return bad(path + "use_by", "must be a date string YYYY-MM-DD");
    ONDO_ASSIGN_OR_RETURN(int64_t use_by, parse_date(in["use_by"].get<std::string>(), path + "use_by"));
    if (use_by < bought) {
      return bad(path + "use_by", "is before the bought date (" + format_date(use_by) + " < " + format_date(bought) + ")");
    }
    item["use_by"] = format_date(use_by);
    item["estimated"] = false;
  } else {
    item["use_by"] = format_date(bought + shelf_life_days(ingredient, place));
    item["estimated"] = true;
  }
  return item;
}

Result<json> FridgeService::add_items(const std::string& caller, const std::string& fid, const json& body) {
  ONDO_ASSIGN_OR_RETURN(auto fr, visible(caller, "fridge", fid));
  const json fridge = parse_body(fr);
  const bool many = body.is_array();
  const json list = many ? body : json::array({body});
  if (list.empty()) return bad("body", "an empty list of items");
  if (list.size() > options_.max_items_per_call) {
    return make_error(ErrorCode::TooLarge, "body: " + std::to_string(list.size()) + " items, at most " +
                                               std::to_string(options_.max_items_per_call) + " per call");
  }
  const int64_t today = today_days();
  std::vector<json> items;
  for (size_t i = 0; i < list.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(json item, parse_item(list[i], many ? "[" + std::to_string(i) + "]." : "", fridge, today));
    items.push_back(std::move(item));
  }
  ONDO_ASSIGN_OR_RETURN(json out, insert_items(fr, caller, std::move(items)));
  if (!many) return out[0];
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::insert_items(const store::FridgeRecord& fr, const std::string& caller, std::vector<json> items) {
  json out = json::array();
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    for (json& item : items) {
      item["added_by"] = caller;
      ONDO_TRY(store_.insert_fridge_record(make_record("item", item["id"].get<std::string>(), fr.household, fr.id, item)));
      out.push_back(item);
    }
  }
  notify(fr.household);
  return out;
}

Result<json> FridgeService::add_detected(const std::string& caller, const std::string& fid, const json& body,
                                         const std::vector<std::string>& labels) {
  ONDO_ASSIGN_OR_RETURN(auto fr, visible(caller, "fridge", fid));
  const json fridge = parse_body(fr);
  ONDO_TRY(check_object(body, "body"));
  auto list = body.find("detections");
  if (list == body.end() || !list->is_array()) {
    return bad("detections", "required, the chosen entries of POST detect's \"detections\" (an array)");
  }
  if (list->empty()) return bad("detections", "an empty list (choose at least one detection)");
  if (list->size() > options_.max_items_per_call) {
    return make_error(ErrorCode::TooLarge, "detections: " + std::to_string(list->size()) + " entries, at most " +
                                               std::to_string(options_.max_items_per_call) + " per call");
  }
  const int64_t today = today_days();
  std::vector<json> items;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& d = (*list)[i];
    const std::string path = "detections[" + std::to_string(i) + "].";
    if (!d.is_object()) return bad(path.substr(0, path.size() - 1), "must be an object (a detection: {\"label\", \"score\", \"box\"})");
    ONDO_ASSIGN_OR_RETURN(std::string label, req_string(d, "label", path));
    if (!labels.empty() && std::find(labels.begin(), labels.end(), label) == labels.end()) {
      std::string known;
      for (size_t k = 0; k < labels.size() && k < 20; ++k) known += (k ? ", " : "") + labels[k];
      if (labels.size() > 20) known += ", ...";
      return bad(path + "label", "'" + label.substr(0, 60) + "' is not a label of the detector (its labels: " + known + ")");
    }
    std::string name = label;
    std::replace(name.begin(), name.end(), '_', ' ');
    json in = {{"name", name}, {"ingredient", normalise_ingredient(name)}};
    for (const char* key : {"quantity", "unit", "use_by", "place", "bought"}) {
      if (d.contains(key)) in[key] = d[key];
      else if (body.contains(key) && std::string_view(key) != "quantity" && std::string_view(key) != "unit") in[key] = body[key];
    }
    ONDO_ASSIGN_OR_RETURN(json item, parse_item(in, path, fridge, today));
    json detected = {{"source", "photo"}};
    if (d.contains("score")) {
      if (!d["score"].is_number() || d["score"].get<double>() < 0 || d["score"].get<double>() > 1) {
        return bad(path + "score", "must be a number from 0 to 1");
      }
      detected["score"] = d["score"];
    }
    if (d.contains("box")) {
      if (!d["box"].is_object()) return bad(path + "box", "must be an object {x, y, width, height}");
      for (const char* k : {"x", "y", "width", "height"}) {
        if (!d["box"].contains(k) || !d["box"][k].is_number_integer()) return bad(path + "box." + k, "required, a whole number");
      }
      detected["box"] = json{{"x", d["box"]["x"]}, {"y", d["box"]["y"]}, {"width", d["box"]["width"]}, {"height", d["box"]["height"]}};
    }
    item["detected"] = detected;
    items.push_back(std::move(item));
  }
  ONDO_ASSIGN_OR_RETURN(json out, insert_items(fr, caller, std::move(items)));
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::list_items(const std::string& caller, const std::string& fid) {
  ONDO_ASSIGN_OR_RETURN(auto fr, visible(caller, "fridge", fid));
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("item", fr.household, fid));
  json out = json::array();
  const int64_t today = today_days();
  for (const auto& r : rows) out.push_back(item_view(r, today));
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::list_household_items(const std::string& caller, const std::string& hid) {
  ONDO_TRY(role_of(caller, hid));
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("item", hid, ""));
  json out = json::array();
  const int64_t today = today_days();
  for (const auto& r : rows) out.push_back(item_view(r, today));
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::get_item(const std::string& caller, const std::string& iid) {
  ONDO_ASSIGN_OR_RETURN(auto r, visible(caller, "item", iid));
  return item_view(r, today_days());
}

Result<json> FridgeService::consume(const std::string& caller, const std::string& iid, const json& body) {
  return item_change(caller, iid, body, "eaten");
}
Result<json> FridgeService::discard(const std::string& caller, const std::string& iid, const json& body) {
  return item_change(caller, iid, body, "discarded");
}

// Takes `quantity` (default: all that is left) off the item and writes the history event; an
// item with nothing left is removed.
Result<json> FridgeService::item_change(const std::string& caller, const std::string& iid, const json& body,
                                        const char* action) {
  const json b = body.is_null() ? json::object() : body;
  ONDO_TRY(check_object(b, "body"));
  std::lock_guard<std::mutex> lock(write_mu_);
  ONDO_ASSIGN_OR_RETURN(auto r, visible(caller, "item", iid));
  json item = parse_body(r);
  const double left = item.value("quantity", 0.0);
  ONDO_ASSIGN_OR_RETURN(double qty, opt_number(b, "quantity", "", left));
  if (qty <= 0) return bad("quantity", "must be above 0");
  if (qty > left + 1e-9) {
    return bad("quantity", "more than is left (" + json(qty).dump() + " > " + json(left).dump() + " " +
                               item.value("unit", "") + ")");
  }
  const double initial = std::max(item.value("initial_quantity", left), 1e-9);
  const int64_t today = today_days();
  json ev = {{"id", new_id("ev_")},      {"household_id", r.household}, {"item_id", iid},
             {"name", item["name"]},     {"ingredient", item["ingredient"]}, {"action", action},
             {"quantity", qty},          {"unit", item["unit"]},        {"fraction", qty / initial},
             {"date", format_date(today)}, {"month", format_date(today).substr(0, 7)}, {"by", caller},
             {"use_by", item["use_by"]}};
  ONDO_TRY(store_.insert_fridge_record(make_record("event", ev["id"].get<std::string>(), r.household, iid, ev)));
  item["quantity"] = left - qty;
  if (left - qty <= 1e-9) {
    ONDO_TRY(store_.delete_fridge_record("item", iid));
    item["quantity"] = 0;
    item["removed"] = true;
  } else {
    r.body = item.dump();
    r.updated_at = now_s();
    ONDO_TRY(store_.update_fridge_record(r));
  }
  return json{{"item", item}, {"event", ev}};
}

Result<json> FridgeService::move(const std::string& caller, const std::string& iid, const json& body) {
  ONDO_TRY(check_object(body, "body"));
  ONDO_ASSIGN_OR_RETURN(std::string fid, req_string(body, "fridge_id", ""));
  std::lock_guard<std::mutex> lock(write_mu_);
  ONDO_ASSIGN_OR_RETURN(auto r, visible(caller, "item", iid));
  auto fr = store_.find_fridge_record("fridge", fid);
  ONDO_TRY(fr);
  if (!*fr || (*fr)->household != r.household) return make_error(ErrorCode::NotFound, "fridge_id: fridge '" + fid + "': not found");
  json item = parse_body(r);
  const json fridge = parse_body(**fr);
  const std::string kind = fridge.value("kind", "fridge");
  std::string place = is_known_place(kind) ? kind : item.value("place", "fridge");
  if (body.contains("place")) {
    ONDO_ASSIGN_OR_RETURN(place, req_string(body, "place", ""));
    if (!is_known_place(place)) return bad("place", "must be fridge, freezer or pantry (seen '" + place + "')");
  }
  if (item.value("estimated", false) && place != item.value("place", "")) {  // a new place keeps for another time
    auto bought = parse_date(item.value("bought", ""), "bought");
    if (bought.ok()) item["use_by"] = format_date(*bought + shelf_life_days(item.value("ingredient", ""), place));
  }
  item["fridge_id"] = fid;
  item["place"] = place;
  r.ref = fid;
  r.body = item.dump();
  r.updated_at = now_s();
  ONDO_TRY(store_.update_fridge_record(r));
  notify(r.household);
  return item_view(r, today_days());
}

Result<json> FridgeService::history(const std::string& caller, const std::string& hid) {
  ONDO_TRY(role_of(caller, hid));
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("event", hid, ""));
  json out = json::array();
  for (const auto& r : rows) out.push_back(parse_body(r));
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::waste_stats(const std::string& caller, const std::string& hid) {
  ONDO_TRY(role_of(caller, hid));
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("event", hid, ""));
  struct Month {
    int eaten = 0, discarded = 0;
    double eaten_items = 0, discarded_items = 0;  // item fractions
  };
  std::map<std::string, Month> months;
  for (const auto& r : rows) {
    const json e = parse_body(r);
    Month& m = months[e.value("month", "")];
    const double f = e.value("fraction", 0.0);
    if (e.value("action", "") == "eaten") {
      ++m.eaten;
      m.eaten_items += f;
    } else {
      ++m.discarded;
      m.discarded_items += f;
    }
  }
  json out = json::array();
  for (const auto& [month, m] : months) {
    const double total = m.eaten_items + m.discarded_items;
    out.push_back({{"month", month}, {"eaten_events", m.eaten}, {"discarded_events", m.discarded},
                   {"eaten_items", m.eaten_items}, {"discarded_items", m.discarded_items},
                   {"waste_share", total > 0 ? m.discarded_items / total : 0.0}});
  }
  return json{{"object", "list"}, {"data", out}};
}

Result<json> FridgeService::expiring(const std::string& caller, const std::string& hid, int64_t days, int64_t today) {
  ONDO_TRY(role_of(caller, hid));
  if (days < 0 || days > 3650) return bad("days", "must be 0 to 3650 (seen " + std::to_string(days) + ")");
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("item", hid, ""));
  std::vector<json> hits;
  for (const auto& r : rows) {
    json v = item_view(r, today);
    if (v.contains("days_left") && v["days_left"].get<int64_t>() <= days) hits.push_back(std::move(v));
  }
  std::stable_sort(hits.begin(), hits.end(), [](const json& a, const json& b) {
    return a["days_left"].get<int64_t>() < b["days_left"].get<int64_t>();
  });
  return json{{"object", "list"}, {"days", days}, {"today", format_date(today)}, {"data", hits}};
}

Result<json> FridgeService::digest(const std::string& caller, const std::string& hid, int64_t today) {
  ONDO_ASSIGN_OR_RETURN(json h, household_record(hid));
  ONDO_ASSIGN_OR_RETURN(json soon, expiring(caller, hid, h.value("alert_days", options_.default_alert_days), today));
  json expired = json::array(), expiring_list = json::array();
  for (const json& it : soon["data"]) (it["days_left"].get<int64_t>() < 0 ? expired : expiring_list).push_back(it);
  return json{{"household_id", hid}, {"date", format_date(today)}, {"expired", expired}, {"expiring", expiring_list}};
}

Result<std::vector<json>> FridgeService::due_expiry_alerts(const std::string& hid, int64_t today) {
  ONDO_ASSIGN_OR_RETURN(json h, household_record(hid));
  const int64_t window = h.value("alert_days", options_.default_alert_days);
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("item", hid, ""));
  std::vector<json> out;
  for (const auto& r : rows) {
    json v = item_view(r, today);
    if (!v.contains("days_left") || v["days_left"].get<int64_t>() > window) continue;
    const std::string key = "expiry:" + v.value("id", "") + ":" + v.value("use_by", "");
    out.push_back({{"type", "expiry"}, {"idempotency_key", key}, {"household_id", hid}, {"date", format_date(today)},
                   {"item", v}});
  }
  return out;
}

Result<std::vector<std::string>> FridgeService::households_with_webhook() {
  ONDO_ASSIGN_OR_RETURN(auto rows, store_.list_fridge_records("household", "", ""));
  std::vector<std::string> out;
  for (const auto& r : rows) {
    if (parse_body(r)["webhook"].is_object()) out.push_back(r.id);
  }
  return out;
}

}  // namespace ondo::apps::fridge
