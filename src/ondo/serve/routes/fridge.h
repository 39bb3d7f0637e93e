// The fridge app's routes, /apps/fridge/api/… (issue 20; docs/fridge.md), served only with
// `ondo serve --app fridge`: one handler per method dispatching on the rest of the path.
// Layer: serve.
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

void handle_fridge_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_fridge_post(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_fridge_put(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_fridge_delete(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
