// Atomic file writes, folder creation and free space for results (checkpoints, pictures,
// metrics). Readers of <path> see either the old file or the complete new one, never a
// partial write; temp files that killed writers left are removed by the next run.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
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

constexpr std::string_view kTmpMark = ".tmp.";

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown-host";
  return name;
}

// A pid written by write_file_atomic: decimal digits only, in (0, INT_MAX]; else 0.
long parse_pid(std::string_view digits) {
  if (digits.empty() || digits.size() > 10) return 0;
  long pid = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid <= INT_MAX ? pid : 0;
}

bool process_alive(long pid) {
  if (pid == static_cast<long>(::getpid())) return true;
  // EPERM: the process exists but belongs to another user.
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// The file `name` is a temp file of a process of this host that is gone.
bool is_stale_temp(const std::string& name, const std::string& host) {
  for (size_t at = name.find(kTmpMark); at != std::string::npos; at = name.find(kTmpMark, at + 1)) {
    if (at == 0) continue;  // no target name in front
    const std::string_view rest = std::string_view(name).substr(at + kTmpMark.size());
    const size_t dot = rest.rfind('.');
    const std::string_view pid_text = dot == std::string_view::npos ? rest : rest.substr(dot + 1);
    const bool this_host = dot == std::string_view::npos || rest.substr(0, dot) == host;
    const long pid = parse_pid(pid_text);
    if (this_host && pid > 0) return !process_alive(pid);
  }
  return false;
}

}  // namespace

void remove_stale_temp_files(const std::string& folder, const std::string& name_prefix) {
  const std::string host = host_name();
  std::error_code ec;
  fs::directory_iterator it(folder.empty() ? fs::path(".") : fs::path(folder), ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, name_prefix.size(), name_prefix) != 0) continue;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || it->is_symlink(type_ec)) continue;
    if (is_stale_temp(name, host)) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

uint64_t free_bytes(const std::string& folder) {
  struct statvfs st {};
  if (::statvfs(folder.empty() ? "." : folder.c_str(), &st) != 0) return UINT64_MAX;
  const uint64_t blocks = st.f_bavail, block_size = st.f_frsize ? st.f_frsize : st.f_bsize;
  uint64_t bytes = 0;
  return __builtin_mul_overflow(blocks, block_size, &bytes) ? UINT64_MAX : bytes;
}

void require_free_space(const std::string& folder, uint64_t needed_bytes, const std::string& what) {
  const uint64_t available = free_bytes(folder);
  if (available >= needed_bytes) return;
  fail(folder.empty() ? "." : folder, "not enough free space for the results (" + what + "): needed " +
                                          std::to_string(needed_bytes) + " bytes, available " +
                                          std::to_string(available) + " bytes");
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  // Leftovers of an earlier writer of this file that was killed mid-write.
  const fs::path target(path);
  remove_stale_temp_files(target.parent_path().string(), target.filename().string() + std::string(kTmpMark));
  // Host and pid keep two processes writing the same target (also over a shared file
  // system) from sharing a temp file, and tell a later run whose leftover it is.
  const std::string tmp = path + std::string(kTmpMark) + host_name() + "." + std::to_string(static_cast<long>(::getpid()));

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
  remove_stale_temp_files(path);
}

}  // namespace memsnn
