// Reads back what a test wrote to a temporary FILE* (an Output's stdout or stderr).
#pragma once

#include <cstdio>
#include <string>

namespace hfrun::test {

inline std::string slurp(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
    text.append(buffer, n);
  }
  return text;
}

} // namespace hfrun::test
