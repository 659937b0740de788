#include <cerrno>
#include <fcntl.h>
#include <hfrun/util/cancel.hpp>
#include <poll.h>
#include <unistd.h>

namespace hfrun::util {

CancelToken::CancelToken() {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    m_read_fd = fds[0];
    m_write_fd = fds[1];
  }
}

CancelToken::~CancelToken() {
  if (m_read_fd >= 0) {
    ::close(m_read_fd);
  }
  if (m_write_fd >= 0) {
    ::close(m_write_fd);
  }
}

void CancelToken::cancel(int signal) noexcept {
  int expected = k_live;
  m_signal.compare_exchange_strong(expected, signal < 0 ? 0 : signal);
  if (m_write_fd >= 0) {
    const int saved = errno; // a signal handler must leave errno as it found it
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(m_write_fd, &byte, 1);
    errno = saved;
  }
}

bool CancelToken::wait_for(std::chrono::milliseconds duration) const {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + duration;
  while (!cancelled()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      return true;
    }
    if (m_read_fd < 0) { // no pipe: poll the flag
      ::usleep(static_cast<useconds_t>(std::min<long long>(left.count(), 50) * 1000));
      continue;
    }
    pollfd p{m_read_fd, POLLIN, 0};
    const int timeout = static_cast<int>(std::min<long long>(left.count(), 60'000));
    if (::poll(&p, 1, timeout) < 0 && errno != EINTR) {
      return !cancelled();
    }
  }
  return false;
}

} // namespace hfrun::util
