// POST /apps/fridge/api/detect (see fridge_detect.h): takes the photo from the request, hands it
// to the detection thread and returns the boxes. Layer: serve; the network runs in apps/fridge.
#include "ondo/serve/routes/fridge_detect.h"

#include "ondo/apps/fridge/detection_json.h"
#include "ondo/apps/fridge/detection_worker.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

// The photo's bytes: the "image" part of a multipart form, else the raw body.
Result<std::string> image_of(const httplib::Request& req) {
  std::string bytes;
  if (req.is_multipart_form_data()) {
    if (!req.has_file("image")) {
      return field_error(ErrorCode::InvalidArgument, "image", "missing (send the photo as the multipart part 'image', or as the whole body)");
    }
    bytes = req.get_file_value("image").content;
  } else {
    bytes = req.body;
  }
  if (bytes.empty()) {
    return field_error(ErrorCode::InvalidArgument, "image", "empty (send a JPEG, PNG, BMP or WebP photo)");
  }
  if (bytes.size() > kMaxDetectImageBytes) {
    return field_error(ErrorCode::TooLarge, "image", std::to_string(bytes.size()) + " bytes, more than the limit of " +
                                                         std::to_string(kMaxDetectImageBytes) + " bytes");
  }
  return bytes;
}

}  // namespace

void handle_fridge_detect(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  const std::shared_ptr<apps::fridge::DetectionWorker>& worker = state.options().detector;
  if (!worker) {
    return send_error(res, make_error(ErrorCode::NotFound, "route: no route POST " + req.path.substr(0, 200) +
                                                               " (detection is off: start ondo serve with --detector FILE --labels FILE)"));
  }
  auto image = image_of(req);
  if (!image.ok()) return send_error(res, image.error());
  auto found = worker->detect(std::move(*image));
  if (!found.ok()) {
    Error e = found.error();
    if (e.field.empty() && e.message.rfind("image: ", 0) == 0) e.field = "image";  // the payload was at fault
    return send_error(res, e);
  }
  send_json(res, 200, {{"detections", apps::fridge::detections_to_json(*found)}});
}

}  // namespace ondo::serve
