// Result<T> and Error: how every expected failure travels (DESIGN "Errors").
// Layer: core. Vocabulary types used by every layer; lives in namespace ondo.
// Must not touch anything above core.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace ondo {

// The closed set of error codes (STYLE 3). Extend deliberately, here only;
// the HTTP mapping lives in serve/error_map.cpp.
enum class ErrorCode {
  InvalidArgument,
  NotFound,
  InvalidFile,
  Unsupported,
  Unauthenticated,
  PermissionDenied,
  TooLarge,
  ResourceExhausted,
  Overloaded,
  Unavailable,
  Cancelled,
  Internal,
};

const char* error_code_name(ErrorCode code);

// An expected failure. `message` has the form "object: what is wrong (seen X, expected Y)".
// `field` is the request field at fault as a JSON path ("messages[2].content", "logit_bias.42",
// "prompt[0]"), or empty; serve reports it as the OpenAI error's "param". A field error's
// message starts with "<field>: ".
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::string field;

  // Returns a copy whose message is prefixed with "context: " (the field is kept).
  [[nodiscard]] Error with_context(std::string_view context) const;
  // Returns a copy that sits under the request field `parent` while propagating out of a
  // nested parser: field "content" under "messages[2]" becomes "messages[2].content" ("[0]"
  // under "prompt" becomes "prompt[0]"; an empty field becomes `parent`). A message that
  // starts with the old "<field>: " starts with the new one instead; any other message is
  // prefixed with "<new field>: ".
  [[nodiscard]] Error in_field(std::string_view parent) const;
};

Error make_error(ErrorCode code, std::string message);

// An error about the request field `path`: message "<path>: <what>", field `path`.
Error field_error(ErrorCode code, std::string_view path, std::string_view what);

// `parent` and `child` joined as a JSON field path: "a" + "b" -> "a.b", "a" + "[1]" -> "a[1]",
// "" + "b" -> "b", "a" + "" -> "a".
std::string join_field_path(std::string_view parent, std::string_view child);

// Either a value or an Error. Free on success (no allocation beyond T's own).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Requires: ok().
  T& value() & { check_ok(); return std::get<0>(v_); }
  const T& value() const& { check_ok(); return std::get<0>(v_); }
  T&& value() && { check_ok(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Requires: !ok().
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  void check_ok() const {
    if (!ok()) {
      std::fprintf(stderr, "ondo: Result::value() on error: %s\n", std::get<1>(v_).message.c_str());
      std::abort();
    }
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status(); }

}  // namespace ondo

#define ONDO_CONCAT_INNER_(a, b) a##b
#define ONDO_CONCAT_(a, b) ONDO_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result or Status) from the enclosing function.
#define ONDO_TRY(expr)                                   \
  do {                                                   \
    auto ondo_try_result_ = (expr);                      \
    if (!ondo_try_result_.ok()) return std::move(ondo_try_result_).error(); \
  } while (0)

// Declares/assigns `lhs` from the value of `expr`, or returns its error.
#define ONDO_ASSIGN_OR_RETURN(lhs, expr) \
  ONDO_ASSIGN_OR_RETURN_IMPL_(ONDO_CONCAT_(ondo_aor_, __LINE__), lhs, expr)
#define ONDO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  lhs = std::move(tmp).value()
