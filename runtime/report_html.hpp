// The HTML report (`kaohe run --format html`): one self-contained page (runtime/html.hpp: no
// network, no external file) for an auditor to read on screen and print on A4.
//
// The page: the scheme's title, document number and issuer; the ranking table of every unit
// (名次, 单位, 组别, 总分, the grade, each money line, each flag); then one
// <section class="sheet"> per unit shown, each starting on a new printed page: the table of
// nodes (序号, 项目, 标准分, 自查分 and 差额 when any unit gave self-assessed scores, 扣分, 加分
// when the scheme has bonus nodes, 得分), under each node every rule as a <details> whose
// summary is the document's words and what the rule took or gave, and whose body is the clause,
// the scheme line and the rule as written, the evidence read (value, `source` note, file:line),
// the node scores and population values used, the arithmetic, and the result; then the node's
// floor, cap and self-assessed score; under the table the rank, grade, money and flags with
// their vetoes, forfeits and conditions explained. A small inline script opens every <details>
// before printing. The footer carries the stamp of the text report's header: the kaohe
// version, the scheme's name and SHA-256, and each evidence input's name and SHA-256.
//
// Every text from the inputs (names, labels, the document's words, evidence values and notes,
// file names) is escaped. Numbers print exactly as in the text report (report::ReportNumbers);
// one that cannot be printed is the same diagnostic, and no report is written. The output is
// deterministic like every report.
#pragma once

#include "runtime/report.hpp"

namespace kaohe {

// `sheets[i]` is the score sheet of `evidence.units[i]`, from evaluate_all with Explain::yes
// (the HTML report always explains: `options.explain` is not read; a sheet evaluated without
// explanations shows its rules without what they read). The sheets shown: those named in
// `options.sheets` (in the order named, each once), or every unit's with `options.all_sheets`
// or no name. The ranking always lists every unit.
std::optional<std::string> write_html_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags);

}  // namespace kaohe
