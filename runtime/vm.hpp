// The VM: runs a verified Program over one unit's evidence.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"
#include "runtime/evidence.hpp"
#include "runtime/result.hpp"

#include <optional>

namespace kaohe {

enum class Explain : bool { no = false, yes = true };

// Evaluates the program for one unit. The program must have passed verify(). On an evaluation
// error (division by zero, a negative deduction) reports it with the rule's scheme line and
// returns nullopt. With Explain::no nothing is traced and nothing extra is allocated.
std::optional<Scoresheet> evaluate(const bc::Program& program, const UnitEvidence& unit, Explain explain,
                                   Diagnostics& diags);

}  // namespace kaohe
