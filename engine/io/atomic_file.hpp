// Atomic file writes: the content goes to "<path>.tmp.<pid>" and is renamed over <path>
// only once fully written and flushed, so a crash never leaves a half-written result.
#pragma once

#include <string>
#include <string_view>

namespace memsnn {

// Throws DataError naming the path if the folder is missing or the write fails.
void write_file_atomic(const std::string& path, std::string_view bytes);

// Creates the folder (and parents) if needed; DataError naming it if that fails.
void ensure_directory(const std::string& path);

}  // namespace memsnn
