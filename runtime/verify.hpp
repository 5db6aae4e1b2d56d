// The verifier: every Program is checked before it runs, whether it came from the compiler or
// from a .khc file. A Program that passes cannot make the VM read out of bounds, underflow or
// overflow its stack, jump outside the code, loop forever, or apply an op to the wrong kind of
// value.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"

#include <string>

namespace kaohe {

// Limits, each with its reason.
inline constexpr std::size_t max_stack_depth = 1024;   // deeper needs an absurd expression; bounds VM memory
inline constexpr std::size_t max_loop_depth = 16;      // nested lists in the schema are rarely past 2

// Reports every problem found under `source_name` (the .khc file) and returns false if any.
bool verify(const bc::Program& program, const std::string& source_name, Diagnostics& diags);

}  // namespace kaohe
