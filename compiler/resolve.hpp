// Pass 1: names. Loads the stdlib modules the scheme uses; declares their and the scheme's
// choice types and constants, the evidence (building the evidence schema the Program carries),
// named nodes, the grades (a choice type) and money; and binds every name in an expression to
// what it refers to: evidence, a constant, a lambda parameter, a choice value, yes/no, a rounding
// mode, a node's score (only one scored before the reading rule runs), or the unit's grade (only
// in money and forfeit lines). Reports unknown names with a "did you mean", duplicate
// declarations (a scheme name clashing with a module's names both), malformed evidence
// declarations, unknown stdlib modules, vetoes naming no grade and forfeits naming no money;
// keeps going after each.
#pragma once

#include "compiler/checked.hpp"
#include "lang/diagnostic.hpp"

namespace kaohe {

void resolve(checked::Scheme& scheme, Diagnostics& diags);

}  // namespace kaohe
