// Reads an image's format and dimensions from its first bytes, before anything decodes it, so
// that a payload that is not an image, or one whose pixels would not fit in memory, is refused
// cheaply. Layer: apps/fridge. Pure functions on bytes; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::apps::fridge {

// The formats the detector accepts (OpenCV decodes them): "JPEG", "PNG", "BMP", "WebP".
struct ImageSize {
  std::string format;
  int64_t width = 0;
  int64_t height = 0;
};

// The largest image the detector decodes: each side, and pixels in all (a 50-megapixel photo fits).
constexpr int64_t kMaxImageSide = 16384;
constexpr int64_t kMaxImagePixels = int64_t(64) << 20;

// Errors: InvalidArgument "image: not a JPEG/PNG/BMP/WebP image (first bytes ...)" for other
// bytes (empty included), and "image: <format> header is truncated or damaged" when the
// dimensions cannot be read.
Result<ImageSize> sniff_image(std::string_view bytes);

// Errors: TooLarge naming the dimensions and the limits; InvalidArgument for a zero side.
Status check_image_size(const ImageSize& size);

}  // namespace ondo::apps::fridge
