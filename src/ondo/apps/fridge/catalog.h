// The fridge app's fixed tables: the known units, ingredient name normalisation (English and
// Korean aliases to one canonical ingredient), typical shelf lives per ingredient and place,
// and calendar dates as "YYYY-MM-DD". Layer: apps/fridge. Pure functions, no state; safe from
// any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::apps::fridge {

// The units an item's quantity may have ("g", "kg", "ml", "l", "piece", "pack", ...).
const std::vector<std::string>& known_units();
bool is_known_unit(std::string_view unit);

// The places an item may be kept; a fridge's kind is one of them, or "other" for user-named
// groups (kept like a fridge).
bool is_known_place(std::string_view place);  // "fridge", "freezer", "pantry"

// The canonical ingredient of a free-form item name: lower case, trimmed, inner spaces
// collapsed, a known alias mapped to its ingredient ("scallion" -> "green onion",
// "계란" stays "계란"). Unknown names are returned normalised as they are.
std::string normalise_ingredient(std::string_view name);

// Typical days an ingredient keeps in `place` ("fridge", "freezer", "pantry"; anything else
// counts as "fridge"); a default by place for ingredients the table does not list.
int shelf_life_days(std::string_view ingredient, std::string_view place);

// Days since 1970-01-01 of a "YYYY-MM-DD" date. Errors: InvalidArgument naming `field` and
// what was seen.
Result<int64_t> parse_date(std::string_view text, std::string_view field);
std::string format_date(int64_t days);
// Today (UTC) in days since 1970-01-01.
int64_t today_days();

// Whether the text has Hangul (the app answers in Korean then).
bool has_hangul(std::string_view text);

}  // namespace ondo::apps::fridge
