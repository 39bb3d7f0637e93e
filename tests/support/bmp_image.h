// 24-bit BMP photos written byte by byte, for tests that need an image without an image
// library (the cli and serve tests of detection). Test support only.
#pragma once

#include <cstdint>
#include <string>

namespace ondo::testing {

inline void put_le32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += char((v >> (8 * i)) & 0xff);
}

// A w x h white BMP (bottom-up rows, BITMAPINFOHEADER) with a filled square of `side` pixels
// at (x, y), top-left origin, in colour (r, g, b); side 0: a plain white photo.
inline std::string bmp_with_square(int w, int h, int x, int y, int side, uint8_t r = 255, uint8_t g = 0, uint8_t b = 0) {
  const int stride = (w * 3 + 3) / 4 * 4;
  std::string s = "BM";
  put_le32(s, uint32_t(54 + stride * h));
  put_le32(s, 0);
  put_le32(s, 54);
  put_le32(s, 40);
  put_le32(s, uint32_t(w));
  put_le32(s, uint32_t(h));
  s += std::string("\x01\x00\x18\x00", 4);  // one plane, 24 bits per pixel
  put_le32(s, 0);                            // no compression
  put_le32(s, uint32_t(stride * h));
  for (int i = 0; i < 4; ++i) put_le32(s, 0);
  for (int row = h - 1; row >= 0; --row) {
    std::string line;
    for (int col = 0; col < w; ++col) {
      const bool in = col >= x && col < x + side && row >= y && row < y + side;
      line += in ? std::string{char(b), char(g), char(r)} : std::string("\xff\xff\xff", 3);  // B, G, R
    }
    line.resize(size_t(stride), '\0');
    s += line;
  }
  return s;
}

}  // namespace ondo::testing
