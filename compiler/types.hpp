// Pass 2: types and units of measure (docs/language.md "Types and units of measure").
// Gives every expression a type, folds constants, builds the choice tables, and reports:
// mixed units (元 + 分), conditions that are not yes/no, `is` on a non-choice or with a value
// of another type, table keys that do not cover their choice type, builtin arity and argument
// errors, lambdas outside list builtins, rule amounts, scores, `per` quantities and caps of the
// wrong kind, population expressions (X a number, C yes/no, bottom/top N a constant whole
// number >= 1), vote tallies (V.value, total, weighted with a table over the tally's type),
// money not in 元, and veto and forfeit conditions that are not yes/no. An expression whose
// type is already in error produces no further errors.
#pragma once

#include "compiler/checked.hpp"
#include "lang/diagnostic.hpp"

#include <optional>
#include <string>

namespace kaohe {

void check_types(checked::Scheme& scheme, Diagnostics& diags);

// The value of a constant expression (numbers, earlier constants, + - * /), or nullopt when it
// reads anything else or divides by zero.
std::optional<Decimal> fold_constant(const ast::Expr& e, const checked::Scheme& scheme);

// "points (分)", "money (元)", "a count (次)", "yes/no", "a choice of 级别", ...
std::string describe(const checked::Type& type, const checked::Scheme& scheme);

}  // namespace kaohe
