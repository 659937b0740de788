// The one result type of hfrun: hfrun::expected<T, E> / hfrun::unexpected<E>.
//
// With g++ 12 this is std::expected. clang 14 (used for fuzzing and clang-tidy) cannot compile
// libstdc++ 12's <expected>, so a small compatible subset stands in there. Code must only use what
// both provide: has_value(), operator bool, value(), error(), operator*, operator->, and
// construction from a value or an hfrun::unexpected. No and_then/transform (g++ 12 lacks them).
#pragma once

#include <version>

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#include <expected>
namespace hfrun {
template <class T, class E> using expected = std::expected<T, E>;
template <class E> using unexpected = std::unexpected<E>;
} // namespace hfrun
#else
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>
namespace hfrun {
template <class E> class unexpected {
public:
  explicit unexpected(E e) : m_error(std::move(e)) {}
  E& error() & { return m_error; }
  const E& error() const& { return m_error; }
  E&& error() && { return std::move(m_error); }

private:
  E m_error;
};

template <class T, class E> class expected {
public:
  expected() requires std::is_default_constructible_v<T> : m_v(std::in_place_index<0>) {}
  // The constraint keeps this from taking an expected itself, so copies and moves still use the
  // implicit constructors; clang-tidy 14 does not read requires-clauses, hence the NOLINT.
  template <class U = T>
  expected(U&& v) // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
      requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, expected>)
      : m_v(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  expected(unexpected<G> u) // NOLINT(google-explicit-constructor)
      : m_v(std::in_place_index<1>, E(std::move(u.error()))) {}
  bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  E& error() & { return std::get<1>(m_v); }
  const E& error() const& { return std::get<1>(m_v); }
  E&& error() && { return std::get<1>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

private:
  std::variant<T, E> m_v;
};

template <class E> class expected<void, E> {
public:
  expected() = default;
  template <class G>
  expected(unexpected<G> u) // NOLINT(google-explicit-constructor)
      : m_error(E(std::move(u.error()))), m_ok(false) {}
  bool has_value() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  void value() const {}
  E& error() & { return m_error; }
  const E& error() const& { return m_error; }

private:
  E m_error{};
  bool m_ok = true;
};
} // namespace hfrun
#endif

// Propagate an error from an expression returning expected<..., Error>.
#define HFRUN_TRY(expr_)                                                                           \
  do {                                                                                             \
    auto&& hfrun_try_result_ = (expr_);                                                            \
    if (!hfrun_try_result_) {                                                                      \
      return ::hfrun::unexpected(std::move(hfrun_try_result_.error()));                            \
    }                                                                                              \
  } while (false)

// Declare `var_` from the value of an expected, or propagate its error.
#define HFRUN_TRY_ASSIGN(var_, expr_)                                                              \
  auto&& var_##_result_ = (expr_);                                                                 \
  if (!var_##_result_) {                                                                           \
    return ::hfrun::unexpected(std::move(var_##_result_.error()));                                 \
  }                                                                                                \
  auto var_ = std::move(*var_##_result_) /* NOLINT(bugprone-macro-parentheses): a declarator */
