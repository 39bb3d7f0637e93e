// The events of an SSE stream whose events are named ("event: T\ndata: {"type": T, ...}", as
// the Responses and Anthropic APIs send them), each checked for that framing; comment lines
// (keep-alives) are skipped. Test support only.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ondo::testing {

inline std::vector<nlohmann::json> named_events(const std::string& body) {
  std::vector<nlohmann::json> out;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    const std::string ev = body.substr(pos, end - pos);
    pos = end + 2;
    if (ev[0] == ':') continue;
    const size_t nl = ev.find('\n');
    EXPECT_EQ(ev.rfind("event: ", 0), 0u) << ev;
    EXPECT_EQ(ev.compare(nl + 1, 6, "data: "), 0) << ev;
    nlohmann::json data = nlohmann::json::parse(ev.substr(nl + 7));
    EXPECT_EQ(data["type"], ev.substr(7, nl - 7));
    out.push_back(std::move(data));
  }
  return out;
}

// The "type" of each event, in order.
inline std::vector<std::string> event_types(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> t;
  for (const nlohmann::json& e : events) t.push_back(e["type"]);
  return t;
}

}  // namespace ondo::testing
