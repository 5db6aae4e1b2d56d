// Pass 4: lowering a checked scheme to a bc::Program (compiler/program.hpp, compiler/opcodes.def).
//
// Code shape, one flat array evaluated once per unit:
//   for each node in post-order (children before their parent):
//     for each of its rules:  RULE r; [cond; (NOT;) JUMP_IF_FALSE skip;] amount; [per; MUL;]
//                             DEDUCT r | AWARD r; skip:
//     NODE n
//   HALT
// Explanations record LOAD reads and arithmetic, so `per` is a plain MUL with the amount first
// ("0.5 × 7"). List builtins are loops (ITER_BEGIN / ITER_NEXT / LOOP).
#pragma once

#include "compiler/checked.hpp"
#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"

#include <optional>
#include <string_view>

namespace kaohe {

// Only called on a scheme the earlier passes accepted. Reports (and returns nullopt) only when
// the scheme exceeds a limit of the bytecode encoding.
std::optional<bc::Program> lower(const checked::Scheme& scheme, std::string_view source, Diagnostics& diags);

}  // namespace kaohe
