// Lookup in the embedded console files (the table itself is generated: build/console_files_data.cpp).
// Layer: serve.
#include "ondo/serve/console_files.h"

#include <algorithm>

namespace ondo::serve {

const ConsoleFile* find_console_file(std::string_view path) {
  const auto files = console_files();
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const ConsoleFile& f, std::string_view p) { return f.path < p; });
  return it != files.end() && it->path == path ? &*it : nullptr;
}

}  // namespace ondo::serve
