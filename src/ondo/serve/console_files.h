// The web console's built files (web/dist), embedded into the binary at build time: CMake runs
// `npm run build` in web/ and generates console_files.cpp (build/) with each file as a byte
// array (cmake/console.cmake). Layer: serve. Immutable static data; safe from any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace ondo::serve {

struct ConsoleFile {
  std::string_view path;          // relative to web/dist: "index.html", "assets/index-3f2a1b.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8", ...
  const unsigned char* data;
  size_t size;
};

// Every embedded file, sorted by path.
std::span<const ConsoleFile> console_files();

// The file at `path` (relative, no leading '/'), or nullptr.
const ConsoleFile* find_console_file(std::string_view path);

}  // namespace ondo::serve
