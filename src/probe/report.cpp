#include <hfrun/probe/report.hpp>

namespace hfrun::probe {

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
  case Verdict::yes:
    return "yes";
  case Verdict::no:
    return "no";
  case Verdict::unknown:
    break;
  }
  return "unknown";
}

std::string_view verdict_mark(Verdict verdict) {
  switch (verdict) {
  case Verdict::yes:
    return "✓";
  case Verdict::no:
    return "✗";
  case Verdict::unknown:
    break;
  }
  return "?";
}

} // namespace hfrun::probe
