// CSV results for batch runs (`kaohe run --format csv`): one row per unit, written as each unit
// is scored, so a run over a million units streams (docs/performance.md, docs/cli.md).
//
// Columns: unit, group, rank (only when the run computed ranks: a scheme with a population
// phase), total, the grade (when the scheme declares `grades`), each `money` (its amount after
// forfeits), then the score of every section and item in the scheme's order, headed by its
// number and label (`1.2 健全民情沟通分析制度`). Numbers are exact decimals, or rounded as the
// scheme's `display` says, exactly as the text and JSON reports print them; a score that cannot
// be printed exactly is the same error as there. RFC 4180 quoting where a cell needs it.
//
// The stamp (kaohe version, the scheme's name and SHA-256, each evidence input's name and SHA-256)
// is the last line, a comment: `# kaohe 0.1.0 scheme S sha256:... evidence E sha256:...`. It comes
// last because a streamed input's digest is known only once it has been read; a file without it
// was cut short.
#pragma once

#include "compiler/program.hpp"
#include "lang/diagnostic.hpp"
#include "runtime/evidence.hpp"
#include "runtime/result.hpp"

#include <string>
#include <vector>

namespace kaohe {

class CsvResultWriter {
public:
    CsvResultWriter(const bc::Program& program, bool with_rank);

    // The header row, with its line end.
    std::string header() const;
    // Appends the row of `sheet` (with its line end) to `out`. False, after reporting, when a
    // number cannot be printed; `out` is then unchanged.
    bool append_row(const Scoresheet& sheet, std::string& out, Diagnostics& diags) const;
    // The closing stamp line, with its line end.
    std::string stamp(const std::vector<EvidenceInput>& inputs) const;

private:
    const bc::Program& program_;
    bool with_rank_;
    std::vector<std::uint32_t> columns_;  // the nodes with a column: sections and items
};

}  // namespace kaohe
