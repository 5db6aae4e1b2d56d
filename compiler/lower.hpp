// Pass 4: lowering a checked scheme to a bc::Program (compiler/program.hpp, compiler/opcodes.def).
//
// Code shape, one flat array evaluated once per unit (opcodes.def "Phases"):
//   for each phase-1 node in post-order (children before their parent):
//     for each of its rules:  RULE r; [cond; (NOT;) JUMP_IF_FALSE skip;] amount; [per; MUL;]
//                             DEDUCT r | AWARD r; skip:        (a score rule: RULE r; EXPR; SCORE r)
//     NODE n
//   -- only when the scheme has population expressions, grades or money: --
//   for each population input k (an X or a where C): EXPR; STORE k
//   BARRIER 0
//   the phase-2 nodes in post-order, as above (population expressions are AGG a)
//   for each veto v: COND; VETO v
//   BARRIER 1
//   for each money m: EXPR; MONEY m        for each forfeit f: COND; FORFEIT f
//   -- --
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
