// Helpers of the batch tests: an input held in memory as a FILE* (fmemopen), read by LineReader.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

namespace hfrun::batch::test_support {

// A read-only FILE* over `text`, kept alive (and closed) with the object.
class MemoryInput {
public:
  explicit MemoryInput(std::string text) : m_text(std::move(text)) {
    // fmemopen of a zero-sized buffer is refused by some C libraries; one spare byte never read.
    m_text.push_back('\0');
    m_file.reset(::fmemopen(m_text.data(), m_text.size() - 1, "r"));
  }
  [[nodiscard]] std::FILE* get() const { return m_file.get(); }

private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::string m_text;
  std::unique_ptr<std::FILE, Closer> m_file;
};

} // namespace hfrun::batch::test_support
