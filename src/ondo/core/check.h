// ONDO_CHECK: programmer invariants only (STYLE 3). Must be unreachable from file or
// request bytes; a fuzz run that reaches one has found a validation bug.
// Layer: core.
#pragma once

namespace ondo::core {
[[noreturn]] void check_failed(const char* file, int line, const char* expr, const char* msg);
}  // namespace ondo::core

#define ONDO_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) ::ondo::core::check_failed(__FILE__, __LINE__, #cond, nullptr); \
  } while (0)

#define ONDO_CHECK_MSG(cond, msg)                                           \
  do {                                                                      \
    if (!(cond)) ::ondo::core::check_failed(__FILE__, __LINE__, #cond, msg); \
  } while (0)
