// Python str helpers for the template interpreter: UTF-8 <-> code points (invalid bytes
// round-trip as surrogate escapes, like Python's surrogateescape), whitespace and case as
// str.strip/upper/lower/title/split/splitlines see them. Layer: text (chat_template).
// Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other scripts
// are left unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ondo::text::jinja {

std::u32string decode_utf8(std::string_view s);
std::string encode_utf8(std::u32string_view s);
void append_utf8(std::string& out, char32_t c);
size_t count_code_points(std::string_view s);

bool py_isspace(char32_t c);
bool py_isprintable(char32_t c);
bool py_isalpha(char32_t c);
bool py_isdigit(char32_t c);
char32_t py_upper(char32_t c);
char32_t py_lower(char32_t c);
bool py_iscased(char32_t c);

std::string py_upper(std::string_view s);
std::string py_lower(std::string_view s);
std::string py_capitalize(std::string_view s);
std::string py_title(std::string_view s);  // str.title()

enum class StripSide { Both, Left, Right };
// str.strip(chars): whitespace when chars is nullopt.
std::string py_strip(std::string_view s, const std::optional<std::string>& chars, StripSide side);
// str.split(sep, maxsplit): whitespace runs when sep is nullopt. Requires: sep non-empty.
std::vector<std::string> py_split(std::string_view s, const std::optional<std::string>& sep,
                                  int64_t maxsplit);
std::vector<std::string> py_rsplit(std::string_view s, const std::optional<std::string>& sep,
                                   int64_t maxsplit);
// str.splitlines(): \n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029.
std::vector<std::string> py_splitlines(std::string_view s);
// str.replace(old, new, count); count < 0 means all.
std::string py_replace(std::string_view s, std::string_view from, std::string_view to,
                       int64_t count);
// str.find in code points; -1 when absent.
int64_t py_find(std::string_view s, std::string_view sub, bool reverse);
int64_t py_count(std::string_view s, std::string_view sub);

}  // namespace ondo::text::jinja
