// Atomic file writes and folder creation for results (checkpoints, pictures, metrics).
// Readers of <path> see either the old file or the complete new one, never a partial write.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "core/error.hpp"

namespace memsnn {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

// Removes the temp file and throws; used for every failure after the temp file exists so
// nothing is left behind next to the target.
[[noreturn]] void fail_and_remove(const std::string& path, const std::string& tmp, const std::string& what) {
  std::error_code ignored;
  fs::remove(tmp, ignored);
  fail(path, what);
}

// After the rename the new directory entry itself must reach the disk, otherwise a power
// loss could bring back the old file. Best effort: some file systems refuse to fsync a
// folder, and the data is already safe in the renamed file.
void sync_parent_directory(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  (void)::fsync(fd);
  (void)::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes) {
  // The pid keeps two processes writing the same target from sharing a temp file.
  const std::string tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));

  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    fail(path, "cannot create temporary file " + tmp + ": " + std::strerror(errno));
  }

  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    const int err = errno;
    std::fclose(f);
    fail_and_remove(path, tmp, "cannot write " + std::to_string(bytes.size()) + " bytes to " + tmp + ": " +
                                   std::strerror(err));
  }
  // fflush moves the data to the kernel, fsync to the disk: the rename must not become
  // durable before the content does.
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) {
    const int err = errno;
    std::fclose(f);
    fail_and_remove(path, tmp, "cannot flush " + tmp + ": " + std::strerror(err));
  }
  if (std::fclose(f) != 0) {
    fail_and_remove(path, tmp, "cannot close " + tmp + ": " + std::strerror(errno));
  }

  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail_and_remove(path, tmp, "cannot rename " + tmp + " over it: " + ec.message());

  sync_parent_directory(path);
}

void ensure_directory(const std::string& path) {
  if (path.empty()) return;  // the current folder always exists
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) fail(path, "cannot create directory: " + ec.message());
  // create_directories reports success without creating anything when a regular file of
  // that name is already there; writing into it later would fail far less clearly.
  if (!fs::is_directory(path, ec)) fail(path, "exists and is not a directory");
}

}  // namespace memsnn
