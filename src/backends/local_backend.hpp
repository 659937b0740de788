// PRIVATE to the backends layer: the local backend of the table (include/hfrun/backends/local.hpp
// says what it does and which options it reads).
#pragma once

#include <hfrun/backends/backend.hpp>
#include <memory>

namespace hfrun::backends {

[[nodiscard]] std::unique_ptr<Backend> make_local_backend();

} // namespace hfrun::backends
