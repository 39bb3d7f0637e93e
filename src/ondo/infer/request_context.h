// RequestContext: who and what one generation request is for. Made at the serving edge
// (serve) and carried with the request into the scheduler, so that everything below the
// HTTP layer can name the request it works for. Layer: infer. Plain data, no behaviour;
// must not touch anything above infer.
#pragma once

#include <string>

namespace ondo::infer {

struct RequestContext {
  std::string id;       // unique per request ("req_" and 32 hex digits); also the x-request-id header
  std::string caller;   // who asked: "local" (no API key set) or "api-key"; later the key record's id
  std::string model;    // the served model's alias
  std::string adapter;  // the LoRA adapters applied ("name", "a+b@0.5" with scales; "": none)
};

}  // namespace ondo::infer
