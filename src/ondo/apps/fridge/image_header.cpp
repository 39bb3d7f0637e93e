// Image format and dimensions from the header bytes (see image_header.h). Layer: apps/fridge.
// Layouts: PNG IHDR (ISO/IEC 15948), JPEG SOFn markers (ITU T.81), BMP BITMAPINFOHEADER,
// WebP RIFF chunks VP8 / VP8L / VP8X (RFC 9649).
#include "ondo/apps/fridge/image_header.h"

#include <cstdio>

namespace ondo::apps::fridge {
namespace {

uint32_t be16(std::string_view b, size_t at) { return uint32_t(uint8_t(b[at])) << 8 | uint8_t(b[at + 1]); }
uint32_t be32(std::string_view b, size_t at) { return be16(b, at) << 16 | be16(b, at + 2); }
uint32_t le16(std::string_view b, size_t at) { return uint32_t(uint8_t(b[at + 1])) << 8 | uint8_t(b[at]); }
uint32_t le24(std::string_view b, size_t at) { return le16(b, at) | uint32_t(uint8_t(b[at + 2])) << 16; }
uint32_t le32(std::string_view b, size_t at) { return le16(b, at) | le16(b, at + 2) << 16; }

Error damaged(const char* format) {
  return make_error(ErrorCode::InvalidArgument, std::string("image: ") + format + " header is truncated or damaged");
}

// "first bytes 3c 68 74 6d \"<htm\"": up to 8 bytes in hex and the printable ones as text.
std::string first_bytes(std::string_view b) {
  std::string hex, text;
  char buf[4];
  for (size_t i = 0; i < b.size() && i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", unsigned(uint8_t(b[i])));
    if (i) hex += ' ';
    hex += buf;
    const unsigned char c = uint8_t(b[i]);
    text += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? char(c) : '.';
  }
  return "first bytes " + hex + " \"" + text + "\"";
}

Result<ImageSize> png(std::string_view b) {
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return damaged("PNG");
  return ImageSize{"PNG", be32(b, 16), be32(b, 20)};
}

// Walks the marker segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
Result<ImageSize> jpeg(std::string_view b) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (uint8_t(b[at]) != 0xff) return damaged("JPEG");
    const uint8_t marker = uint8_t(b[at + 1]);
    if (marker == 0xff) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // no length
      at += 2;
      continue;
    }
    const uint32_t len = be16(b, at + 2);
    if (len < 2) return damaged("JPEG");
    const bool sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (sof) {
      if (at + 9 > b.size() || len < 7) return damaged("JPEG");
      return ImageSize{"JPEG", be16(b, at + 7), be16(b, at + 5)};
    }
    if (marker == 0xda || marker == 0xd9) break;  // scan data or the end before any frame
    at += 2 + len;
  }
  return damaged("JPEG");
}

Result<ImageSize> bmp(std::string_view b) {
  if (b.size() < 26 || le32(b, 14) < 12) return damaged("BMP");
  if (le32(b, 14) == 12) return ImageSize{"BMP", le16(b, 18), le16(b, 20)};  // OS/2 BITMAPCOREHEADER
  const int64_t w = int32_t(le32(b, 18));
  const int64_t h = int32_t(le32(b, 22));  // negative: rows stored top-down
  return ImageSize{"BMP", w < 0 ? -w : w, h < 0 ? -h : h};
}

Result<ImageSize> webp(std::string_view b) {
  if (b.size() < 30) return damaged("WebP");
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8X") return ImageSize{"WebP", int64_t(le24(b, 24)) + 1, int64_t(le24(b, 27)) + 1};
  if (chunk == "VP8L") {
    if (uint8_t(b[20]) != 0x2f) return damaged("WebP");
    const uint32_t bits = le32(b, 21);
    return ImageSize{"WebP", int64_t(bits & 0x3fff) + 1, int64_t((bits >> 14) & 0x3fff) + 1};
  }
  if (chunk == "VP8 ") {
    if (uint8_t(b[23]) != 0x9d || uint8_t(b[24]) != 0x01 || uint8_t(b[25]) != 0x2a) return damaged("WebP");
    return ImageSize{"WebP", le16(b, 26) & 0x3fff, le16(b, 28) & 0x3fff};
  }
  return damaged("WebP");
}

}  // namespace

Result<ImageSize> sniff_image(std::string_view b) {
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return png(b);
  if (b.size() >= 3 && uint8_t(b[0]) == 0xff && uint8_t(b[1]) == 0xd8 && uint8_t(b[2]) == 0xff) return jpeg(b);
  if (b.size() >= 2 && b.substr(0, 2) == "BM") return bmp(b);
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return webp(b);
  if (b.empty()) return make_error(ErrorCode::InvalidArgument, "image: empty (expected a JPEG/PNG/BMP/WebP image)");
  return make_error(ErrorCode::InvalidArgument, "image: not a JPEG/PNG/BMP/WebP image (" + first_bytes(b) + ")");
}

Status check_image_size(const ImageSize& s) {
  const std::string dims = std::to_string(s.width) + "x" + std::to_string(s.height);
  if (s.width <= 0 || s.height <= 0) {
    return make_error(ErrorCode::InvalidArgument, "image: " + s.format + " header says " + dims + " pixels");
  }
  if (s.width > kMaxImageSide || s.height > kMaxImageSide || s.width * s.height > kMaxImagePixels) {
    return make_error(ErrorCode::TooLarge, "image: " + dims + " pixels is too large (at most " + std::to_string(kMaxImageSide) +
                                               " per side and " + std::to_string(kMaxImagePixels) + " pixels)");
  }
  return ok_status();
}

}  // namespace ondo::apps::fridge
