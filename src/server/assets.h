// Files the server serves from its own binary: the player tracker
// (src/server/assets/watchstats.js) and the dashboard (dashboard/, bundled
// by esbuild at build time). cmake/embed_assets.cmake writes the table.
//
// Thread safety: immutable data.
#pragma once

#include <string_view>
#include <vector>

namespace ws::server {

struct Asset {
  std::string_view name;  // file name, e.g. "watchstats.js"
  std::string_view content_type;
  std::string_view bytes;
};

const std::vector<Asset>& Assets();

// The asset called `name`; nullptr when there is none.
inline const Asset* FindAsset(std::string_view name) {
  for (const Asset& a : Assets())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace ws::server
