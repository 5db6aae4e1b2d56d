// Pass 3: scheme checks (docs/language.md "The scoring tree" and "Rules").
//  - every node has `points` or `bonus cap`; the children's points add up to the parent's, or
//    the parent says `parts N because "..."` with N the real sum (held = points - N when N is
//    below points); sibling labels are distinct
//  - interval analysis over the evidence's declared ranges: a leaf's deductions can reach its
//    points, a cap can bind, a `within LO..HI` amount stays inside LO..HI
//  - leaves have rules, bonus nodes award, every declared evidence is read
//  - `score` rules: at most one per node, nothing beside it, a warning when it can leave
//    [0, full + allowance] (an `extra` bonus anywhere below raises it); `extra` only on bonus
//    nodes, and left out of the parent's points
//  - grade bands: thresholds strictly decreasing, quotas in (0%, 100%], `otherwise` last
// Fills scheme.nodes (pre-order, with full marks, held points, extras and score rules).
#pragma once

#include "compiler/checked.hpp"
#include "compiler/interval.hpp"
#include "lang/diagnostic.hpp"

namespace kaohe {

void check_scheme(checked::Scheme& scheme, Diagnostics& diags);

// The values an expression can take, given the declared ranges of the evidence it reads.
// Needs the facts of the types pass. Unbounded for anything that is not a number.
Interval interval_of(const ast::Expr& e, const checked::Scheme& scheme);

}  // namespace kaohe
