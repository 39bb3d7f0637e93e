// The web console's routes: its embedded files (GET /, /console, /console/{path}, with the SPA
// fallback to index.html for the console's own client routes) and its session (POST, GET,
// DELETE /v1/console/session). The pages read and write through the public API with the
// session cookie (server.cpp accepts it where it accepts a key). Layer: serve (routes).
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

void handle_console_index(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_console_file(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_console_session_create(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_console_session_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_console_session_delete(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
