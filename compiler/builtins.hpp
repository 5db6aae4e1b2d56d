// The builtin functions, generated from compiler/builtins.def.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kaohe {

enum class Builtin : std::uint8_t {
#define BUILTIN(name, min_args, max_args, over_list, meaning) name,
#include "compiler/builtins.def"
#undef BUILTIN
};

struct BuiltinInfo {
    const char* name;
    std::uint8_t min_args;
    std::uint8_t max_args;  // 0: no upper limit
    bool over_list;
    const char* meaning;
};

inline constexpr BuiltinInfo builtin_table[] = {
#define BUILTIN(name, min_args, max_args, over_list, meaning) {#name, min_args, max_args, over_list, meaning},
#include "compiler/builtins.def"
#undef BUILTIN
};

inline const BuiltinInfo& builtin_info(Builtin b) { return builtin_table[static_cast<std::size_t>(b)]; }

inline std::optional<Builtin> find_builtin(std::string_view name) {
    for (std::size_t i = 0; i < std::size(builtin_table); ++i)
        if (name == builtin_table[i].name) return static_cast<Builtin>(i);
    return std::nullopt;
}

inline std::vector<std::string> builtin_names() {
    std::vector<std::string> names;
    for (const auto& b : builtin_table) names.emplace_back(b.name);
    return names;
}

}  // namespace kaohe
