// The Excel report (`kaohe run --format xlsx -o result.xlsx`): a workbook written with
// libxlsxwriter (kept inside runtime/report_xlsx.cpp; nothing else sees it).
//
// The workbook:
// - a summary sheet, 排名: the scheme's title, then the ranking table of every unit as in the
//   text report (名次, 单位, 组别, 总分, the grade, each money line, each flag), each unit linked
//   to its sheet, then the scheme's document number and issuer and the stamp (the kaohe
//   version, the scheme's name and SHA-256, each evidence input's name and SHA-256);
// - one sheet per unit shown (every unit's, or those named with --unit, in that order), in the
//   layout of the seed-003 table: 序号, 项目 (the node's label, indented by depth), 目标 (the
//   node's `goal` and `text`, the document's words, when any node has one), 标准分, 自查分 and
//   差额 (when any unit gave self-assessed scores), 扣分, 加分 (when the scheme has bonus
//   nodes), 得分, 扣分理由 (each rule that took or gave points or computed the score: the
//   document's words, the scheme line, what it read and the arithmetic; then the node's floor,
//   cap and self-assessed score notes); 合计 last; under the table the rank, grade with its
//   reason, money and flag lines of the text report.
// The stamp is also in the workbook's document properties (comments and custom properties).
//
// Numbers are number cells, never text. Each is printed exactly as the text report prints it
// (report::ReportNumbers) and that decimal text is stored; the cell's number format shows the
// scheme's `display` places ("0.00"), or General without `display`. See xlsx::cell_number for
// how a printed decimal becomes the cell's binary value, and why that is safe.
//
// The output is deterministic: the document's creation time is fixed (1980-01-01T00:00:00Z,
// the zip entries' time too), so the same inputs give a byte-identical file.
#pragma once

#include "runtime/report.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kaohe {

// `sheets[i]` is the score sheet of `evidence.units[i]`, from evaluate_all with Explain::yes
// (the 扣分理由 column shows what each rule read; `options.explain` is not read). The sheets
// shown: those named in `options.sheets` (each once, in the order named), or every unit's with
// `options.all_sheets` or no name. Returns the workbook's bytes, or nullopt after reporting (a
// number that cannot be printed or stored exactly, or libxlsxwriter failing to write it).
std::optional<std::string> write_xlsx_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags);

namespace xlsx {

// The name of the summary sheet.
inline constexpr std::string_view summary_sheet = "排名";

// Excel's rules for sheet names: at most 31 characters (UTF-16 code units), none of []:*?/\,
// not starting or ending with an apostrophe, not empty, not "History", unique without regard
// to (ASCII) case. Each unit's sheet name, in order: the unit's name with each of []:*?/\ and
// control characters replaced by `_`, a leading or trailing `'` replaced by `_`, cut to 31
// characters (never inside a character), "单位" when empty; a name already taken (the summary
// sheet's, History, or an earlier unit's) gets " (2)", " (3)", … (the name cut to make room).
// Deterministic: the same units in the same order give the same names.
std::vector<std::string> sheet_names(const std::vector<std::string>& units);

// The binary value to store for a number printed as `printed` (a plain decimal: -?D+(.D+)?),
// or nullopt when it cannot be stored exactly. An Excel cell holds an IEEE double, and
// libxlsxwriter writes it into the file as text with "%.16G". The value is the double nearest to
// the printed decimal, accepted only when (1) the decimal has at most 15 significant digits
// (what Excel keeps and shows), (2) that double's shortest round-trip decimal is the printed
// text (trailing zeros aside: 94.80 is 94.8), and (3) the "%.16G" text libxlsxwriter writes
// reads back as the same double. Any reader of the file (Excel, openpyxl, LibreOffice) then gets
// that double, and printing it the shortest way gives back exactly what kaohe printed. The
// double is used for storage only, never for arithmetic.
std::optional<double> cell_number(std::string_view printed);

}  // namespace xlsx
}  // namespace kaohe
