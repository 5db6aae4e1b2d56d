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

// A run of a program with a population phase whose units are given again for every phase
// instead of all at once (`kaohe run --format csv` streams the table once per phase,
// docs/performance.md "Schemes with population rules"). Keeps per unit only its evaluation
// state (UnitState: the partial score sheet, the stored population inputs, the aggregate
// values, the pc), never its evidence. Between passes the population values are computed by
// the same code as evaluate_all's. Usage: pass 1 starts every unit in order (Stepper::first
// into a Batch, then append); after each pass end_pass(); while it says `pass`, every unit is
// given again in the same order (Stepper::resume); at `done`, sheets().
class PopulationRun {
public:
    struct Impl;
    enum class Step : std::uint8_t { barrier, halt, error };
    enum class Next : std::uint8_t { pass, done, failed };

    // Unit states made by one thread in pass 1, appended to the run in input order.
    class Batch {
    public:
        Batch();
        ~Batch();
        Batch(Batch&&) noexcept;
        Batch& operator=(Batch&&) noexcept;
        std::size_t size() const;
        struct Impl;
        std::unique_ptr<Impl> impl_;
    };

    // One per thread.
    class Stepper {
    public:
        explicit Stepper(const bc::Program& program);
        ~Stepper();
        Stepper(const Stepper&) = delete;
        Stepper& operator=(const Stepper&) = delete;
        // Pass 1: a new state for `unit`, run to its first barrier, appended to `batch`.
        Step first(Batch& batch, const UnitEvidence& unit, Diagnostics& diags);
        // Later passes: unit `index` of `run` (the index-th unit appended), resumed with its
        // evidence given again. Different threads may resume different units at once.
        Step resume(PopulationRun& run, std::size_t index, const UnitEvidence& unit, Diagnostics& diags);
        struct Impl;

    private:
        std::unique_ptr<Impl> impl_;
    };

    explicit PopulationRun(const bc::Program& program);
    ~PopulationRun();
    PopulationRun(const PopulationRun&) = delete;
    PopulationRun& operator=(const PopulationRun&) = delete;

    void append(Batch& batch);  // empties `batch`
    std::size_t units() const;
    // After a pass in which `at_barrier` units stopped at a barrier (the others halted, none
    // failed): computes that barrier's aggregates (and grades). `pass` when the units must be
    // resumed once more; `done` when all halted; `failed` after reporting an internal error.
    Next end_pass(std::size_t at_barrier, Diagnostics& diags);
    // At `done`: the score sheets in input order, each with its rank by total (as evaluate_all).
    std::vector<Scoresheet> sheets();
    // Bytes the run holds per unit now, counted from the states' vectors and strings (their
    // capacities, not what the allocator rounds them up to): the figure docs/performance.md quotes.
    std::size_t retained_bytes() const;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kaohe
