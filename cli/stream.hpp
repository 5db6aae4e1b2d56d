// `kaohe run --format csv`: the batch run, streamed (docs/performance.md).
#pragma once

#include "cli/commands.hpp"
#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"

namespace kaohe::cli {

// Scores every unit of `options.evidence` with `program` and writes the CSV results to
// `options.output` (atomically) or stdout. For a program without a population phase, CSV tables
// are read in blocks and each row is typed, scored and written as it comes, on `options.jobs`
// threads, in input order; memory does not grow with the rows (beyond 8 bytes a unit for the
// duplicate-name check). A program with a population phase loads the whole run (evaluate_all).
// False after reporting.
bool run_csv(const bc::Program& program, const RunOptions& options, Diagnostics& diags);

}  // namespace kaohe::cli
