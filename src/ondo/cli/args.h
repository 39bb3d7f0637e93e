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

// One option of a subcommand, as both the parser and `--help` read it.
struct OptionSpec {
  std::string_view names;     // spellings, "-m|--model" (the first is the key)
  std::string_view value;     // the value's placeholder ("N", "FILE"); empty for a flag
  std::string_view fallback;  // the default as help prints it; typed getters without a
                              // fallback parse it, so it must be a number for those
  std::string_view help;      // one line
};

// A subcommand's help and its option table (-h|--help is added by the parser).
struct CommandSpec {
  std::string_view name;                // "run"
  std::string_view usage;               // after "usage: ondo ", e.g. "run [options] -p TEXT"
  std::string_view description;         // what the command does (may span lines)
  std::vector<OptionSpec> options;
  std::string_view example;             // one or more command lines
};

// The help text: usage, description, every option with its default, examples.
std::string help_text(const CommandSpec& spec);

// The project version, with the git commit when the build knew it ("0.1.0 (git 1a2b3c4)").
std::string version_text();

// Parses "--name value", "--name=value", short "-m value" and flags. Unknown options are
// errors. Positional arguments are collected in order ("--" ends options).
class Args {
 public:
  // `with_value`: option names (e.g. "-m", "--model") that take a value; `flags`: names
  // that do not. Aliases are given as "-m|--model" (the first spelling is the key).
  Args() = default;  // no options; parse_command fills it from a table
  Args(std::vector<std::string> with_value, std::vector<std::string> flags);
  // The options of `spec` plus -h|--help; getters without a fallback use the table's.
  explicit Args(const CommandSpec& spec);
  // Stops at -h/--help (has("-h") is then true); errors name the unknown option.
  Status parse(int argc, char** argv);

  bool has(std::string_view key) const;
  std::optional<std::string> get(std::string_view key) const;  // last occurrence
  std::vector<std::string> get_all(std::string_view key) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // Typed getters: the fallback when absent; an error naming the option when malformed.
  Result<int64_t> get_int(std::string_view key, int64_t fallback) const;
  Result<double> get_double(std::string_view key, double fallback) const;
  // The same with the option table's default (ONDO_CHECK: the key has a numeric default).
  Result<int64_t> get_int(std::string_view key) const;
  Result<double> get_double(std::string_view key) const;
  std::string get_string(std::string_view key) const;  // the value, else the table's default

 private:
  std::string canonical(std::string_view name, bool* takes_value, bool* known) const;
  std::vector<std::vector<std::string>> value_opts_;
  std::vector<std::vector<std::string>> flag_opts_;
  std::vector<std::pair<std::string, std::string>> defaults_;  // key -> table default
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positional_;
};

// Parses argv by `spec`'s table into *args. Returns the exit code when the command is done
// here (help printed on stdout: 0; a bad option: its report, 2), nullopt to go on.
std::optional<int> parse_command(const CommandSpec& spec, int argc, char** argv, Args* args);

// Parses "1,2,3" into ids; errors name the bad item by its 1-based place in the list.
Result<std::vector<int32_t>> parse_id_list(std::string_view text);

// Errors (InvalidArgument) for the first id outside 0..n_vocab-1, naming it by its place in the
// list ("item #3 (counting from 1) is id 99999"), apart from the id itself.
Status check_ids_in_range(const std::vector<int32_t>& ids, int32_t n_vocab);

// Prints "ondo <cmd>: <message>" on stderr and returns the exit code for the error (1; 2 for
// invalid arguments).
int report(std::string_view cmd, const Error& error);

// Applies environment settings that the layers below take as options (ONDO_SIMD).
void apply_environment();

// Default thread count: the number of physical cores (at least 1).
int default_threads();

}  // namespace ondo::cli
