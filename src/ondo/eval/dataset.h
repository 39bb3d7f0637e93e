// Evaluation datasets (issue 17.7): JSONL rows, each an input (chat messages, a prompt, or
// variables for a registry prompt), an optional expected answer, an optional JSON schema and
// the checks to score the output with. Layer: eval (uses infer/grammar for schemas and PCRE2
// for regexes); no model, no store, no I/O beyond reading the dataset file.
//
// Ownership: a Dataset owns its rows; compiled schemas and regexes are shared, immutable.
// Thread contract: immutable after loading; read it from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"

namespace ondo::infer::grammar {
class Grammar;
}  // namespace ondo::infer::grammar

namespace ondo::text {
class ChatTemplate;
}  // namespace ondo::text

namespace ondo::eval {

class Regex;  // a compiled PCRE2 pattern (metrics.cpp)

// A numeric check: the number at `pointer` in the output JSON (empty: the whole output,
// JSON or plain text) against the number at the same place in `expected`.
struct NumericCheck {
  std::string pointer;     // a JSON pointer ("/total"), or empty
  double tolerance = 0.0;  // |output - expected| <= tolerance passes
};

// A custom scorer: a Jinja expression (the sandboxed chat-template engine) over `output`
// (the output parsed as JSON, else none), `text` (the output as text), `expected`, `meta`
// and `row` (the whole dataset row). True/False score 1/0; a number scores itself.
struct ExprCheck {
  std::string name;
  std::string expression;
  std::shared_ptr<const text::ChatTemplate> program;  // "{{ (expression) }}", parsed
};

// What to score. Defaults when a row has no "checks": an expected string -> exact; an
// expected object -> json, exact, fields; any other expected value -> json, exact; a schema
// -> schema.
struct Checks {
  bool exact = false;                   // output (trimmed) == expected (string), or the JSON values are equal
  bool json = false;                    // the output (trimmed) parses as JSON
  bool fields = false;                  // per-key accuracy of the output object against the expected object
  std::vector<std::string> field_keys;  // the keys scored (empty: every key of expected)
  std::vector<std::string> contains;    // every one of these substrings occurs
  std::vector<std::shared_ptr<const Regex>> regex;  // every one matches somewhere
  std::optional<NumericCheck> numeric;
  std::vector<ExprCheck> expr;
};

struct Row {
  size_t line = 0;  // 1-based line in the dataset file
  std::string id;   // the row's "id", else "line N"
  // The input: exactly one of these.
  nlohmann::ordered_json messages;  // an array of {role, content}, or null
  std::optional<std::string> prompt;  // one user message (or raw text, see EvalTarget::raw)
  nlohmann::ordered_json input;       // an object of variables for a registry prompt, or null
  nlohmann::ordered_json expected;    // any JSON value, or null (absent)
  nlohmann::ordered_json schema;      // a JSON schema, or null
  std::shared_ptr<const infer::grammar::Grammar> schema_grammar;  // compiled `schema`
  nlohmann::ordered_json meta;        // anything, for scorer expressions; null when absent
  nlohmann::ordered_json raw;         // the whole row as read
  Checks checks;
};

struct Dataset {
  std::string name;  // the file name, or what the caller called it
  std::vector<Row> rows;
};

// Parses one JSONL row. `line` numbers the error messages ("line 7: ..."). Errors
// (InvalidArgument): not a JSON object, an unknown key, no input or more than one, a field of
// the wrong type, a schema the compiler refuses (fail-closed: an unsupported keyword is an
// error here, not a silent pass later), a bad regex, a bad scorer expression, a check that
// needs `expected` without one.
Result<Row> parse_row(std::string_view text, size_t line);

// Every non-blank line of `text` as a row; the first bad line is the error. Duplicate ids
// are an error naming both lines. An empty dataset is an error.
Result<Dataset> parse_dataset(std::string_view text, std::string name);

// Reads and parses the file at `path` (NotFound when it cannot be opened).
Result<Dataset> load_dataset(const std::string& path);

}  // namespace ondo::eval
