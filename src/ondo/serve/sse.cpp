// SSE framing. Layer: serve.
#include "ondo/serve/sse.h"

namespace ondo::serve {

std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string sse_event(const nlohmann::json& j) { return "data: " + json_text(j) + "\n\n"; }

std::string sse_done() { return "data: [DONE]\n\n"; }

std::string sse_comment() { return ": keep-alive\n\n"; }

}  // namespace ondo::serve
