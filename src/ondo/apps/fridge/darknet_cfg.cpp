// Darknet .cfg reading (see darknet_cfg.h): "[section]" lines, "key=value" lines, '#' and ';'
// comments, as Darknet's parser reads them; then each layer's output channels, which give the
// number of weights the .weights file must hold. Layer: apps/fridge.
#include "ondo/apps/fridge/darknet_cfg.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace ondo::apps::fridge {
namespace {

struct Section {
  std::string name;
  int line = 0;
  std::map<std::string, std::string, std::less<>> keys;
};

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Error bad(std::string_view name, const std::string& what) {
  return make_error(ErrorCode::InvalidFile, std::string(name) + ": " + what);
}

Result<int> whole(std::string_view name, const Section& s, std::string_view text, std::string_view key, int min, int max) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return bad(name, "[" + s.name + "] at line " + std::to_string(s.line) + ": " + std::string(key) + "=" + std::string(text) +
                         " is not a whole number in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return v;
}

// The integer value of `key`, or `fallback` when the section does not set it.
Result<int> get(std::string_view name, const Section& s, std::string_view key, int fallback, int min, int max) {
  const auto it = s.keys.find(key);
  if (it == s.keys.end()) return fallback;
  return whole(name, s, it->second, key, min, max);
}

Result<std::vector<Section>> split_sections(std::string_view text, std::string_view name) {
  std::vector<Section> out;
  int n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t eol = std::min(text.find('\n', pos), text.size());
    const std::string_view line = strip(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++n;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return bad(name, "line " + std::to_string(n) + ": unterminated section header");
      out.push_back({std::string(line.substr(1, line.size() - 2)), n, {}});
      if (out.size() == 1 && out[0].name != "net" && out[0].name != "network") {
        return bad(name, "line " + std::to_string(n) + ": the first section is [" + out[0].name + "] (expected [net])");
      }
      continue;
    }
    if (out.empty()) return bad(name, "line " + std::to_string(n) + ": key=value before any section (is this a Darknet .cfg file?)");
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return bad(name, "line " + std::to_string(n) + ": expected key=value");
    out.back().keys[std::string(strip(line.substr(0, eq)))] = std::string(strip(line.substr(eq + 1)));
  }
  if (out.empty()) return bad(name, "no [net] section (is this a Darknet .cfg file?)");
  return out;
}

// Output channels of [route] `s` at layer index `index` from the channels of earlier layers.
Result<int> route_channels(std::string_view name, const Section& s, int index, const std::vector<int>& channels) {
  const auto it = s.keys.find("layers");
  if (it == s.keys.end()) return bad(name, "[route] at line " + std::to_string(s.line) + " has no layers=");
  int sum = 0;
  std::stringstream list(it->second);
  std::string item;
  while (std::getline(list, item, ',')) {
    ONDO_ASSIGN_OR_RETURN(int ref, whole(name, s, strip(item), "layers", -index, index - 1));
    sum += channels[size_t(ref < 0 ? index + ref : ref)];
  }
  ONDO_ASSIGN_OR_RETURN(int groups, get(name, s, "groups", 1, 1, 4096));
  return sum / groups;
}

}  // namespace

Result<DarknetSummary> parse_darknet_cfg(std::string_view text, std::string_view name) {
  ONDO_ASSIGN_OR_RETURN(std::vector<Section> sections, split_sections(text, name));
  DarknetSummary s;
  const Section& net = sections[0];
  ONDO_ASSIGN_OR_RETURN(s.width, get(name, net, "width", 0, 1, 8192));
  ONDO_ASSIGN_OR_RETURN(s.height, get(name, net, "height", 0, 1, 8192));
  if (s.width == 0 || s.height == 0) return bad(name, "[net] has no width and height");
  ONDO_ASSIGN_OR_RETURN(int in_channels, get(name, net, "channels", 3, 1, 4));
  if (in_channels != 3) return bad(name, "channels=" + std::to_string(in_channels) + " (the detector feeds colour images: 3)");
  std::vector<int> channels;  // output channels of layer i (sections[i + 1])
  int64_t floats = 0;
  bool known = true;
  for (size_t i = 1; i < sections.size(); ++i) {
    const Section& l = sections[i];
    const int index = int(i) - 1;
    const int c = channels.empty() ? in_channels : channels.back();
    int out = c;
    if (l.name == "convolutional") {
      ONDO_ASSIGN_OR_RETURN(int filters, get(name, l, "filters", 1, 1, 65536));
      ONDO_ASSIGN_OR_RETURN(int size, get(name, l, "size", 1, 1, 64));
      ONDO_ASSIGN_OR_RETURN(int groups, get(name, l, "groups", 1, 1, 65536));
      ONDO_ASSIGN_OR_RETURN(int bn, get(name, l, "batch_normalize", 0, 0, 1));
      floats += int64_t(filters) * (bn ? 4 : 1) + int64_t(filters) * (c / groups) * size * size;
      out = filters;
    } else if (l.name == "route") {
      ONDO_ASSIGN_OR_RETURN(out, route_channels(name, l, index, channels));
    } else if (l.name == "reorg") {
      ONDO_ASSIGN_OR_RETURN(int stride, get(name, l, "stride", 2, 1, 64));
      out = c * stride * stride;
    } else if (l.name == "yolo" || l.name == "region") {
      ++s.outputs;
      ONDO_ASSIGN_OR_RETURN(int classes, get(name, l, "classes", 0, 1, 100000));
      if (classes == 0) return bad(name, "[" + l.name + "] at line " + std::to_string(l.line) + " has no classes=");
      if (s.classes != 0 && classes != s.classes) {
        return bad(name, "[" + l.name + "] at line " + std::to_string(l.line) + ": classes=" + std::to_string(classes) +
                             " but an earlier output layer has " + std::to_string(s.classes));
      }
      s.classes = classes;
    } else if (l.name != "maxpool" && l.name != "avgpool" && l.name != "shortcut" && l.name != "upsample" &&
               l.name != "dropout") {
      known = false;  // OpenCV may still read it; the weights size is not checked
    }
    channels.push_back(out);
  }
  if (s.outputs == 0) return bad(name, "no [yolo] or [region] layer (the detector reads YOLO outputs)");
  if (known) s.weight_floats = floats;
  return s;
}

Result<DarknetSummary> read_darknet_cfg(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the Darknet .cfg file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_darknet_cfg(text.str(), path);
}

Status check_darknet_weights(const std::string& path, const DarknetSummary& summary) {
  std::ifstream in(path, std::ios::binary);
  int32_t header[3] = {0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) {
    return bad(path, "too short for a Darknet weights header (12 bytes at least)");
  }
  if (summary.weight_floats < 0) return ok_status();
  // Versions 0.2 and later count the images seen in 64 bits, earlier ones in 32 (as Darknet).
  const int64_t header_bytes = 12 + ((header[0] * 10 + header[1]) >= 2 && header[0] < 1000 && header[1] < 1000 ? 8 : 4);
  const int64_t need = header_bytes + 4 * summary.weight_floats;
  std::error_code ec;
  const int64_t have = int64_t(std::filesystem::file_size(path, ec));
  if (ec) return bad(path, "cannot read its size (" + ec.message() + ")");
  if (have < need) {
    return bad(path, std::to_string(have) + " bytes, but the network described by the .cfg needs " + std::to_string(need) +
                         " (" + std::to_string(summary.weight_floats) + " weights); truncated, or weights of another network?");
  }
  return ok_status();
}

}  // namespace ondo::apps::fridge
