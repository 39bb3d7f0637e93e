// Limits of the HTTP edge (before any route runs): request line, header block, time to the
// first byte and to the end of the headers, body read time, connections in all and per
// client address. Layer: serve. Plain data; the values are documented in docs/api.md.
#pragma once

#include <cstddef>

namespace ondo::serve {

struct HttpLimits {
  size_t max_request_line = size_t(8) << 10;   // bytes; 414 beyond
  size_t max_header_bytes = size_t(32) << 10;  // all header lines of one request; 431 beyond
  size_t max_header_count = 100;               // header lines of one request; 431 beyond
  int first_byte_timeout_ms = 10000;           // connect -> first byte of the first request; 408
  int header_timeout_ms = 10000;               // first byte -> end of the header block; 408
  int body_timeout_ms = 60000;                 // reading a request body once its headers are in; 408
  int write_timeout_ms = 60000;                // a client that stops reading its response is dropped
  // Open connections in all (503 beyond). Kept under 1024: Debian's cpp-httplib is built with
  // select(), and answers 500 to a request on a descriptor >= FD_SETSIZE.
  int max_connections = 900;
  int max_connections_per_address = 128;       // per client IP (429 beyond); 0: no cap
  // Bodies up to this size are read in full before a worker thread takes the request, so a
  // slow small body holds no thread.
  size_t prebuffer_body_bytes = size_t(64) << 10;
};

// Why the edge stopped reading a request body (the error handler turns it into a status).
enum class BodyRefusal { None, TooLarge, Timeout };

}  // namespace ondo::serve
