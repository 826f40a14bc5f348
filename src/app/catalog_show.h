// Showing catalog entries and counts (`catalog show`, `catalog stats`,
// GET /v1/catalog/{id}): the catalog module answers lookups; this layer
// renders them, for the CLI and the server alike.
//
// Thread safety: reads a Catalog, which must not change during the call.
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "util/status.h"

namespace ws::app {

enum class ShowFormat { kJson, kTable };

// `id` is looked up as a playable item (episode or movie), then a title,
// then a user. JSON: one object with "kind" ("episode", "movie", "series",
// "user") and its attributes; with `history`, "versions": every version with
// valid_from/valid_to (for an episode, the versions of its series). Table:
// attribute/value lines, then the versions. kNotFound when the id is
// unknown.
Result<std::string> ShowCatalogItem(const Catalog& catalog, std::string_view id, bool history,
                                    ShowFormat format);

// Row counts per catalog table: {"titles": 3, ...} or aligned lines.
std::string RenderCatalogStats(const CatalogStats& stats, ShowFormat format);

}  // namespace ws::app
