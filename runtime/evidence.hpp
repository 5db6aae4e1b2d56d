// Evidence: the facts of each assessed unit, typed and validated against a Program's schema.
// Nothing is computed from evidence that failed validation: a loader that reports an error for
// a unit does not return that unit.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"
#include "runtime/encoding.hpp"
#include "runtime/value.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kaohe {

struct CsvRow;  // runtime/csv.hpp

struct FactOrigin {
    std::string file;       // the evidence file
    std::uint32_t line = 0; // 0 when the value came from the scheme's `default`
    std::string source;     // the fact's `source "..."` note, or empty
};

struct UnitEvidence {
    std::string name;
    std::string group;
    std::string file;                 // where the unit was read from
    std::vector<Value> values;        // one per Program::evidence slot, all present after loading
    std::vector<FactOrigin> origins;  // one per slot
    // Per slot, each record's own origin, for a list built from `NAME += {...}` lines (one line
    // and one `source` per record); empty for other slots and where every record shares the
    // slot's origin (a CSV row, a list written in one fact). Explanations cite a record's read by
    // this, not by the whole list's origin.
    std::vector<std::vector<FactOrigin>> record_origins;
    // Self-assessed scores (自查分), one per Program::nodes entry, from `self 1.2: 4.5` lines
    // (CSV column `self 1.2`); absent where the unit gave none.
    std::vector<std::optional<Decimal>> self_scores;
    std::vector<FactOrigin> self_origins;  // parallel to self_scores
};

struct EvidenceInput {
    std::string file;
    std::array<std::uint8_t, 32> sha256{};         // of the bytes on disk, whatever their encoding
    TextEncoding encoding = TextEncoding::utf8;    // as read: gbk for a GBK table (reports say so)
};

struct EvidenceSet {
    std::vector<UnitEvidence> units;   // in the order read
    std::vector<EvidenceInput> inputs; // every file read, with its digest, in the order read
};

// Limits, each with its reason.
inline constexpr std::size_t max_units_per_run = 10'000'000;  // a province's cadres, with room

// Reads one per-unit evidence text file (lang/evidence_ast.hpp) and appends its unit.
// Returns false (and appends nothing) when the file has any error.
bool load_evidence_file(const bc::Program& program, const std::string& path, EvidenceSet& out, Diagnostics& diags);

// Reads a CSV table, one row per unit, header names = evidence names (plus `unit` and `group`).
// UTF-8 with or without BOM, or GBK: detected, or as `encoding` says (runtime/encoding.hpp).
// Rows with errors are reported and skipped; returns false when any row had an error.
bool load_evidence_csv(const bc::Program& program, const std::string& path, EvidenceSet& out, Diagnostics& diags,
                       TextEncoding encoding = TextEncoding::detect);

// Loads each path: a directory means every *.txt file in it (sorted by name), *.csv a table
// (read in `csv_encoding`; text files are always UTF-8), anything else an evidence text file.
// Reports duplicate unit names across all inputs.
bool load_evidence(const bc::Program& program, const std::vector<std::string>& paths, EvidenceSet& out,
                   Diagnostics& diags, TextEncoding csv_encoding = TextEncoding::detect);

// A CSV table is told by its name: *.csv, in any case.
bool is_csv_path(const std::string& path);

// ---- streaming, for batch runs (docs/performance.md) ----------------------------------------
// Types the rows of one CSV table one at a time, for runs that never hold the whole EvidenceSet.
// A row is typed exactly as load_evidence_csv types it (same values, same diagnostics), into a
// UnitEvidence whose storage is reused from row to row: a row of numbers, yes/no and choice
// values allocates nothing once the first row has sized the vectors.
class CsvUnitTyper {
public:
    // Reads the header row. nullptr after reporting when the header has errors.
    static std::unique_ptr<CsvUnitTyper> from_header(const bc::Program& program, const std::string& path,
                                                     const CsvRow& header, Diagnostics& diags);
    ~CsvUnitTyper();
    // An independent typer for another thread (the header is shared, read-only).
    std::unique_ptr<CsvUnitTyper> clone() const;

    // Types one row into `unit`. False (after reporting) when the row has any error; `unit` is
    // then not to be used.
    bool type_row(const CsvRow& row, UnitEvidence& unit, Diagnostics& diags);

    // The header's `unit` (单位) column.
    std::size_t unit_column() const;

    struct Impl;

private:
    explicit CsvUnitTyper(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace kaohe
