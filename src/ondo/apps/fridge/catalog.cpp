// The fridge app's fixed tables (see catalog.h). Layer: apps/fridge.
// Shelf lives are typical home-storage figures (days), rounded; they are defaults shown as
// "estimated", never a safety promise.
#include "ondo/apps/fridge/catalog.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ondo::apps::fridge {
namespace {

struct ShelfLife {
  const char* ingredient;
  int fridge;
  int freezer;
  int pantry;
};

constexpr ShelfLife kShelfLives[] = {
    {"milk", 7, 90, 1},         {"egg", 28, 180, 10},       {"butter", 30, 180, 2},
    {"cheese", 21, 180, 1},     {"yogurt", 14, 60, 1},      {"tofu", 5, 90, 1},
    {"pork belly", 3, 120, 0},  {"pork", 3, 120, 0},        {"beef", 3, 180, 0},
    {"chicken", 2, 270, 0},     {"salmon", 2, 90, 0},       {"shrimp", 2, 180, 0},
    {"tuna", 365, 365, 730},    {"ham", 7, 60, 1},          {"onion", 30, 240, 30},
    {"green onion", 7, 90, 2},  {"garlic", 60, 300, 90},    {"potato", 30, 300, 30},
    {"carrot", 21, 300, 5},     {"cabbage", 30, 60, 3},     {"kimchi", 90, 180, 2},
    {"tomato", 7, 60, 4},       {"spinach", 5, 240, 1},     {"zucchini", 7, 90, 3},
    {"mushroom", 7, 240, 2},    {"cucumber", 7, 30, 2},     {"eggplant", 7, 90, 3},
    {"bean sprout", 3, 30, 1},  {"radish", 21, 90, 5},      {"celery", 14, 240, 2},
    {"rice", 180, 365, 365},    {"bread", 7, 90, 4},        {"pasta", 365, 365, 730},
    {"flour", 365, 365, 240},   {"soy sauce", 730, 730, 730}, {"mayonnaise", 60, 60, 90},
    {"apple", 30, 240, 7},      {"banana", 5, 90, 5},       {"lettuce", 7, 7, 1},
    // Korean names of the corpus's ingredients keep the same lives.
    {"우유", 7, 90, 1},          {"계란", 28, 180, 10},       {"두부", 5, 90, 1},
    {"삼겹살", 3, 120, 0},        {"돼지고기", 3, 120, 0},      {"소고기", 3, 180, 0},
    {"닭고기", 2, 270, 0},        {"양파", 30, 240, 30},        {"대파", 7, 90, 2},
    {"마늘", 60, 300, 90},        {"감자", 30, 300, 30},        {"당근", 21, 300, 5},
    {"김치", 90, 180, 2},         {"토마토", 7, 60, 4},         {"시금치", 5, 240, 1},
    {"애호박", 7, 90, 3},         {"버섯", 7, 240, 2},          {"콩나물", 3, 30, 1},
    {"무", 21, 90, 5},           {"밥", 3, 30, 0},            {"치즈", 21, 180, 1},
};

struct Default {
  int fridge = 7;
  int freezer = 90;
  int pantry = 30;
};

constexpr std::pair<const char*, const char*> kAliases[] = {
    {"eggs", "egg"},          {"scallion", "green onion"}, {"scallions", "green onion"},
    {"spring onion", "green onion"}, {"onions", "onion"},  {"potatoes", "potato"},
    {"tomatoes", "tomato"},   {"carrots", "carrot"},        {"mushrooms", "mushroom"},
    {"courgette", "zucchini"}, {"aubergine", "eggplant"},  {"prawn", "shrimp"},
    {"prawns", "shrimp"},     {"samgyeopsal", "pork belly"}, {"daikon", "radish"},
    {"달걀", "계란"},           {"파", "대파"},
};

const std::vector<std::string> kUnits = {"g", "kg", "ml", "l", "piece", "pack", "bottle", "can",
                                         "bunch", "head", "slice", "tbsp", "tsp", "cup", "box", "bag"};

}  // namespace

const std::vector<std::string>& known_units() { return kUnits; }

bool is_known_unit(std::string_view unit) {
  return std::find(kUnits.begin(), kUnits.end(), unit) != kUnits.end();
}

bool is_known_place(std::string_view place) { return place == "fridge" || place == "freezer" || place == "pantry"; }

std::string normalise_ingredient(std::string_view name) {
  std::string out;
  bool space = false;
  for (char c : name) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  }
  for (const auto& [alias, canonical] : kAliases) {
    if (out == alias) return canonical;
  }
  return out;
}

int shelf_life_days(std::string_view ingredient, std::string_view place) {
  const Default d;
  for (const ShelfLife& s : kShelfLives) {
    if (ingredient != s.ingredient) continue;
    if (place == "freezer") return s.freezer;
    if (place == "pantry") return s.pantry;
    return s.fridge;
  }
  if (place == "freezer") return d.freezer;
  if (place == "pantry") return d.pantry;
  return d.fridge;
}

namespace {
// Howard Hinnant's days_from_civil (public-domain algorithm), proleptic Gregorian.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}
}  // namespace

Result<int64_t> parse_date(std::string_view text, std::string_view field) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string(field) + ": " + why + " (seen '" + std::string(text.substr(0, 40)) + "', expected YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad("not a date");
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return bad("not a date");
  }
  const int y = std::stoi(std::string(text.substr(0, 4)));
  const unsigned m = unsigned(std::stoi(std::string(text.substr(5, 2))));
  const unsigned d = unsigned(std::stoi(std::string(text.substr(8, 2))));
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return bad("no such day");
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return bad("no such day");
  return days_from_civil(y, m, d);
}

std::string format_date(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = unsigned(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = int64_t(yoe) + era * 400 + (m <= 2);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

int64_t today_days() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now).count() / 86400;
}

bool has_hangul(std::string_view text) {
  // Hangul syllables U+AC00..U+D7A3 are EA B0 80 .. ED 9E A3 in UTF-8.
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    const auto c = static_cast<unsigned char>(text[i + 1]);
    if ((b == 0xEA && c >= 0xB0) || b == 0xEB || b == 0xEC || (b == 0xED && c <= 0x9E)) return true;
  }
  return false;
}

}  // namespace ondo::apps::fridge
