// `kaohe doc`: the compiled scheme as the document's published table (序号, 考核内容, 工作目标,
// 基本分, 具体内容与计分办法), so that an auditor can lay it beside the original and check it row
// by row: every node of the tree is a row (its number in the tree, its label, goal, points and
// text), each rule follows in its node's row with the document's words (`says`), the rule as
// written and its scheme line. Under the table: how the total is made, the population values,
// the grades (bands, quotas, vetoes), money, forfeits, flags and the scheme's tables.
//
// Generated from the Program alone (a .khc documents exactly like its source), deterministic,
// and stamped like every report with the kaohe version and the scheme's name and SHA-256.
// Numbers print as the reports print them (report::NumberPrinter: the scheme's `display`
// places, or exactly); a value no decimal can show exactly prints as a fraction (31/3), never
// rounded.
#pragma once

#include "compiler/program.hpp"

#include <string>

namespace kaohe {

// GitHub-flavoured Markdown: a header, the table (cell text escaped, line breaks as <br>), the
// lists under it.
std::string write_scheme_markdown(const bc::Program& program);

// One self-contained HTML page (runtime/html.hpp) with the same content, printable on A4.
std::string write_scheme_html(const bc::Program& program);

}  // namespace kaohe
