// The built-in filters, tests, global functions and Python methods a template may use, as
// jinja2 3.1 defines them (filters.cpp, tests.cpp, methods.cpp). Names are resolved once at
// parse time to table indices. Layer: text (chat_template).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/text/chat_template/value.h"

namespace ondo::text::jinja {

// -1 when unknown.
int find_filter(std::string_view name);
int find_test(std::string_view name);

// Requires: index from find_filter / find_test.
Result<Value> apply_filter(int index, Interpreter& in, const Value& subject, CallArgs& args);
Result<bool> apply_test(int index, Interpreter& in, const Value& subject, CallArgs& args);

// A Python attribute of `obj` (bound method such as str.upper or dict.items), the
// "unsafe" undefined for mutating methods the immutable sandbox refuses, or nullopt.
std::optional<Value> python_attribute(const Value& obj, std::string_view name);

// The globals of the environment (range, dict, namespace, raise_exception, strftime_now);
// nullopt for other names.
std::optional<Value> global_function(std::string_view name);

// Binds call arguments to parameter names in order; errors name `what` ("filter 'join'").
// Returns one slot per parameter (undefined-kind std::nullopt when absent).
Result<std::vector<std::optional<Value>>> bind_args(const CallArgs& args,
                                                    std::initializer_list<std::string_view> params,
                                                    std::string_view what);

// Python int()/float() of a value for filters and arithmetic helpers.
bool is_int_like(const Value& v);

}  // namespace ondo::text::jinja
