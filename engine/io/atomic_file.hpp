// Atomic file writes: the content goes to "<path>.tmp.<host>.<pid>" and is renamed over
// <path> only once fully written and flushed, so a crash never leaves a half-written result.
// A process killed mid-write leaves its temp file; the next run removes it (below). And the
// output folder's free space, checked before a long run rather than found out after it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace memsnn {

// Throws DataError naming the path if the folder is missing or the write fails. Removes
// stale temp files of <path> first (remove_stale_temp_files).
void write_file_atomic(const std::string& path, std::string_view bytes);

// Creates the folder (and parents) if needed, then removes its stale temp files; DataError
// naming it if the folder cannot be made.
void ensure_directory(const std::string& path);

// Removes, in `folder`, the temp files of write_file_atomic left by processes that no longer
// run: "<name>.tmp.<host>.<pid>" with this host's name and a pid that is not alive here, and
// "<name>.tmp.<pid>" (the name before the host was added) likewise. Files of other hosts and
// of live processes stay. Only names starting with `name_prefix` when it is not empty. Best
// effort: a file that cannot be removed is left.
void remove_stale_temp_files(const std::string& folder, const std::string& name_prefix = "");

// Free bytes for this user on the file system holding `folder` (statvfs); UINT64_MAX when
// that cannot be asked.
uint64_t free_bytes(const std::string& folder);

// DataError naming the folder, the bytes needed and the bytes available when fewer than
// `needed_bytes` are free there; `what` lists the files they are for.
void require_free_space(const std::string& folder, uint64_t needed_bytes, const std::string& what);

}  // namespace memsnn
