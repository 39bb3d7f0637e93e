// Server-sent events framing shared by every streaming endpoint, and the one JSON writer
// of the serve layer (invalid UTF-8 becomes U+FFFD instead of throwing). Layer: serve.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ondo::serve {

// Compact JSON text; never throws on invalid UTF-8 in strings.
std::string json_text(const nlohmann::json& j);
// "data: <json>\n\n"
std::string sse_event(const nlohmann::json& j);
// "data: [DONE]\n\n", the end of an OpenAI stream.
std::string sse_done();
// ": keep-alive\n\n", a comment line clients ignore (used to notice disconnects while idle).
std::string sse_comment();

}  // namespace ondo::serve
