// Pass 4: phases (docs/language.md "Population scoring (phase 2)", opcodes.def "Phases").
// A population expression (`... among ...`) is phase 2, and so is anything that reads a phase-2
// value or the score of a phase-2 node. A node is phase 2 when one of its rules has a phase-2
// expression or one of its children is phase 2 (so every ancestor of a phase-2 node is too).
// The X and `where` C of a population expression are computed per unit: they must not nest
// another `among`, read the grade, or read a list's record `p` from outside them. When X or C
// reads a phase-2 node (or `total`, containing one), the expression is stage 1: computed after
// phase 2, with the grades, and readable only in money, forfeit and flag lines (a rule or a
// veto reading it is an error). Otherwise it is stage 0. Fills NodeFacts::phase.
#pragma once

#include "compiler/checked.hpp"
#include "lang/diagnostic.hpp"

#include <functional>

namespace kaohe {

void assign_phases(checked::Scheme& scheme, Diagnostics& diags);

// 1, or 2 when e reads a population value or a phase-2 node (after assign_phases).
std::uint8_t phase_of(const ast::Expr& e, const checked::Scheme& scheme);

// 0, or 1 when X or C of `p` reads a phase-2 value (after assign_phases): Aggregate::stage.
std::uint8_t stage_of(const ast::Population& p, const checked::Scheme& scheme);

// Calls f(population expression) for every population expression of the scheme, in a fixed
// order: the nodes in pre-order, each node's rules as written, then vetoes, money and
// forfeits; within an expression, outer before inner.
void for_each_population(const checked::Scheme& scheme, const std::function<void(const ast::Expr&)>& f);

}  // namespace kaohe
