// Jinja lexer: splits template source into text and tag tokens, applying whitespace
// control exactly as jinja2 3.1 does with trim_blocks and lstrip_blocks on ("-" and "+"
// modifiers, newline normalisation, the dropped final newline, {% raw %}). Layer: text
// (chat_template). Pure function of the source bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::text::jinja {

enum class Tok : uint8_t {
  Text,        // literal output; `text` holds it
  VarBegin,    // {{
  VarEnd,      // }}
  BlockBegin,  // {%
  BlockEnd,    // %}
  Name,
  String,      // `text` holds the decoded value
  Int,
  Float,
  Op,          // `text` holds the operator: + - * / // % ** ~ == != < <= > >= = . : | , ( ) [ ] { }
  Eof,
};

struct Token {
  Tok type = Tok::Eof;
  int line = 1;
  std::string text;
  int64_t ival = 0;
  double fval = 0;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
};

// Errors (InvalidFile) name the template and line: "chat template 'x': line 3: ...".
Result<std::vector<Token>> tokenize(std::string_view source, std::string_view name,
                                    const LexOptions& opt = {});

}  // namespace ondo::text::jinja
