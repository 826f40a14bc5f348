// The API document (GET /openapi.json, OpenAPI 3.0) and the docs page
// (GET /docs), both made from the route table so they cannot drift from it.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "server/service.h"

namespace ws::server {

std::string OpenApiDocument(const std::vector<RouteInfo>& routes);
std::string DocsPage();

}  // namespace ws::server
