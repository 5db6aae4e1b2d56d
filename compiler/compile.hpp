// The compiler: AST -> checked scheme -> bytecode. One call, the whole pipeline.
#pragma once

#include "compiler/program.hpp"
#include "lang/ast.hpp"
#include "lang/diagnostic.hpp"

#include <optional>
#include <string_view>

namespace kaohe {

// Resolves names, checks types and units, checks the scheme (points add up, caps can bind,
// evidence is used) and lowers to bytecode. Returns nullopt when any error was reported;
// warnings alone do not stop compilation. `source` is the scheme text (for its SHA-256).
std::optional<bc::Program> compile(const ast::Scheme& scheme, std::string_view source, Diagnostics& diags);

}  // namespace kaohe
