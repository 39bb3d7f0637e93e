// A small, strict argument parser shared by the subcommands, and the error printer.
// Layer: cli.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::cli {

// Parses "--name value", "--name=value", short "-m value" and flags. Unknown options are
// errors. Positional arguments are collected in order ("--" ends options).
class Args {
 public:
  // `with_value`: option names (e.g. "-m", "--model") that take a value; `flags`: names
  // that do not. Aliases are given as "-m|--model" (the first spelling is the key).
  Args(std::vector<std::string> with_value, std::vector<std::string> flags);
  Status parse(int argc, char** argv);

  bool has(std::string_view key) const;
  std::optional<std::string> get(std::string_view key) const;  // last occurrence
  std::vector<std::string> get_all(std::string_view key) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // Typed getters: the fallback when absent; an error naming the option when malformed.
  Result<int64_t> get_int(std::string_view key, int64_t fallback) const;
  Result<double> get_double(std::string_view key, double fallback) const;

 private:
  std::string canonical(std::string_view name, bool* takes_value, bool* known) const;
  std::vector<std::vector<std::string>> value_opts_;
  std::vector<std::vector<std::string>> flag_opts_;
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positional_;
};

// Parses "1,2,3" into ids; error names the bad item.
Result<std::vector<int32_t>> parse_id_list(std::string_view text);

// Prints "ondo <cmd>: <message>" on stderr and returns the exit code for the error (1; 2 for
// invalid arguments).
int report(std::string_view cmd, const Error& error);

// Applies environment settings that the layers below take as options (ONDO_SIMD).
void apply_environment();

// Default thread count: the number of physical cores (at least 1).
int default_threads();

}  // namespace ondo::cli
