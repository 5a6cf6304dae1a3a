#include "basic/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace carepath {

namespace {
std::string folderOf(const std::string &path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}
}  // namespace

bool writeFileAtomically(const std::string &path, std::string_view contents, std::string &error) {
  if (path == "-") {
    std::cout << contents;
    std::cout.flush();
    if (!std::cout) { error = "cannot write to standard output"; return false; }
    return true;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    error = "cannot write '" + path + "': it is a directory";
    return false;
  }
  // Same folder as the destination, so that rename() stays on one file system.
  std::string tmpl = folderOf(path) + "/." + path.substr(path.rfind('/') + 1) + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const char *what) {
    error = "cannot write '" + path + "': " + what + std::strerror(errno);
    ::close(fd);
    ::unlink(tmpl.c_str());
    return false;
  };
  if (!writeAll(fd, contents)) return fail("");
  // mkstemp creates 0600; a table is an ordinary output file.
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) return fail("");
  if (::fsync(fd) != 0) return fail("");
  if (::close(fd) != 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return false;
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    ::unlink(tmpl.c_str());
    return false;
  }
  // Make the rename itself durable.
  int dir = ::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

}  // namespace carepath
