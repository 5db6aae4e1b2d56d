// Pass 1: names. Declares the scheme's choice types, constants and evidence (building the
// evidence schema the Program carries), and binds every name in an expression to what it refers
// to: evidence, a constant, a lambda parameter, a choice value, yes/no, or a rounding mode.
// Reports unknown names with a "did you mean", duplicate declarations, malformed evidence
// declarations and unknown stdlib modules; keeps going after each.
#pragma once

#include "compiler/checked.hpp"
#include "lang/diagnostic.hpp"

namespace kaohe {

void resolve(checked::Scheme& scheme, Diagnostics& diags);

}  // namespace kaohe
