// Stop strings for streamed text: generation ends before the first stop string, which is
// never returned; text that might be the start of a stop string is held back until the
// next piece shows whether it is. Layer: serve. Pure string logic; no model or HTTP.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ondo::serve {

// Not thread-safe: one per generated choice.
class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);  // empty strings are ignored

  // Appends `text` and returns what may be sent now. Once a stop string is seen, returns the
  // text before it and stopped() turns true; later calls return "".
  std::string push(std::string_view text);
  // End of generation: returns whatever is held back (nothing after a stop).
  std::string flush();
  bool stopped() const { return stopped_; }
  // The stop string that was seen ("" before one is).
  const std::string& matched() const { return matched_; }
  size_t held_bytes() const { return held_.size(); }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
  std::string matched_;
};

}  // namespace ondo::serve
