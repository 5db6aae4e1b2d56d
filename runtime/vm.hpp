// The VM: runs a verified Program over one unit's evidence.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"
#include "runtime/evidence.hpp"
#include "runtime/result.hpp"

#include <memory>
#include <optional>

namespace kaohe {

enum class Explain : bool { no = false, yes = true };

// Evaluates the program for one unit. The program must have passed verify(). On an evaluation
// error (division by zero, a negative deduction) reports it with the rule's scheme line and
// returns nullopt. With Explain::no nothing is traced and nothing extra is allocated.
std::optional<Scoresheet> evaluate(const bc::Program& program, const UnitEvidence& unit, Explain explain,
                                   Diagnostics& diags);

// Evaluates every unit of a run through all its phases (opcodes.def "Phases"): phase 1 for
// each unit, then the aggregates over all units (ranks with shared places for ties, means,
// bottom/top N), phase 2 for each unit, then grades (thresholds, quotas, vetoes), then money
// and forfeits; finally each Scoresheet's `rank` by total among all units. Results are in the
// units' order and do not depend on it otherwise. Any unit's evaluation error is reported and
// the whole run returns nullopt: no population value is computed from a partial population.
// For a program without barriers this is evaluate() for each unit, plus the ranks.
std::optional<std::vector<Scoresheet>> evaluate_all(const bc::Program& program, const EvidenceSet& evidence,
                                                    Explain explain, Diagnostics& diags);

// True when the program has population values or grades (a BARRIER): its units cannot be
// evaluated one at a time, only by evaluate_all.
bool has_population_phase(const bc::Program& program);

// Evaluates units one after another for batch runs (`kaohe run --format csv`), reusing one
// interpreter and one Scoresheet: after the first unit, a unit whose numbers stay on Decimal's
// fast path allocates nothing. Without explanations. Only for programs without a population
// phase (has_population_phase). One BatchEvaluator per thread.
class BatchEvaluator {
public:
    explicit BatchEvaluator(const bc::Program& program);
    ~BatchEvaluator();
    BatchEvaluator(const BatchEvaluator&) = delete;
    BatchEvaluator& operator=(const BatchEvaluator&) = delete;

    // The unit's score sheet (rank 0: a unit alone has no place), valid until the next call; or
    // nullptr after reporting an evaluation error.
    const Scoresheet* evaluate(const UnitEvidence& unit, Diagnostics& diags);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kaohe
