// The console's files (console/ in the repository), compiled into the binary by
// cmake/embed_files.cmake, so the gateway serves them without reading the disk.
#pragma once

#include <span>
#include <string_view>

namespace cg::gateway::console {

struct EmbeddedAsset {
  std::string_view path;  // under console/, e.g. "app.js"
  std::string_view content_type;
  std::string_view body;
  std::string_view etag;  // quoted, from the file's SHA-256
};

std::span<const EmbeddedAsset> embedded_assets();

}  // namespace cg::gateway::console
