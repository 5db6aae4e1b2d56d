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

// A run of a program with a population phase whose units are given again for every pass
// instead of all at once (`kaohe run --format csv` streams the table once per pass,
// docs/performance.md "Schemes with population rules"). Evaluation is deterministic given a
// unit's evidence, so no unit's evaluation state is kept between passes: each pass replays every
// unit from the start on one reused state per thread, through the barriers whose population
// values are already computed (installing the unit's values at each), to the next barrier. Per
// unit the run keeps only what the computations between passes read (the STOREd inputs the next
// barrier's aggregates read, the group, the graded score and veto: only until that barrier's
// values are computed) and what later phases read (rank and bottom/top values; sums, means,
// counts, maxima and minima once per scope; the grade), then the totals for the ranks.
//
// Passes: pass 1 runs each unit to the first barrier (Stepper::first into a Batch, appended in
// input order); after every pass, end_pass(). While it says `pass`, every unit is given again
// in the same order (Stepper::replay): one pass per barrier, then one that runs every unit to
// its end for its total. At `done` each unit is given once more (Stepper::sheet) for its
// complete score sheet, ranked.
class PopulationRun {
public:
    struct Impl;
    enum class Step : std::uint8_t { barrier, halt, error };
    enum class Next : std::uint8_t { pass, done, failed };

    // What one thread keeps of its units in pass 1, appended to the run in input order.
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

    // One per thread: the interpreter and the state it reuses from unit to unit.
    class Stepper {
    public:
        explicit Stepper(const bc::Program& program);
        ~Stepper();
        Stepper(const Stepper&) = delete;
        Stepper& operator=(const Stepper&) = delete;
        // Pass 1: `unit` run to its first barrier; what the run keeps of it appended to `batch`.
        Step first(Batch& batch, const UnitEvidence& unit, Diagnostics& diags);
        // Later passes: unit `index` of `run` (the index-th unit appended), replayed with its
        // evidence given again to the next barrier (or, in the last pass, to its end). Different
        // threads may replay different units at once.
        Step replay(PopulationRun& run, std::size_t index, const UnitEvidence& unit, Diagnostics& diags);
        // At `done`: unit `index`'s complete score sheet with its rank by total (as evaluate_all
        // gives it), valid until the next call; nullptr after reporting an error.
        const Scoresheet* sheet(const PopulationRun& run, std::size_t index, const UnitEvidence& unit,
                                Diagnostics& diags);
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
    // failed): computes that barrier's population values (the code evaluate_all runs), or after
    // the last pass the ranks. `pass` when the units must be given once more; `done` when the
    // rows can be made (Stepper::sheet); `failed` after reporting an internal error.
    Next end_pass(std::size_t at_barrier, Diagnostics& diags);
    // The most bytes the run has held at once so far, counted from its vectors' capacities (not
    // what the allocator rounds them up to), with the interned group names: the figure
    // docs/performance.md quotes, divided by the units.
    std::size_t retained_bytes() const;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kaohe
