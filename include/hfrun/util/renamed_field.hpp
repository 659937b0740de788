// Output keys renamed so that one idea has one name in every command's JSON (docs/output.md,
// "Field names"): the value goes under its name and, until 1.0, under the name it had before 0.2.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hfrun::util {

inline void put_renamed(nlohmann::json& object,
                        const std::string& name,
                        const std::string& old_name,
                        const nlohmann::json& value) {
  object[name] = value;
  object[old_name] = value;
}

} // namespace hfrun::util
