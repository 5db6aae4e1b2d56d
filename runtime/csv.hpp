// An RFC 4180 CSV reader for evidence tables, as Excel on Chinese Windows saves them:
// UTF-8 with or without a BOM, CRLF or LF line ends, quoted fields with commas, doubled quotes
// and newlines inside. Every problem is reported with its line and column (columns count code
// points, like every other diagnostic) and the reader keeps going.
#pragma once

#include "lang/diagnostic.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kaohe {

struct CsvCell {
    std::string text;  // unquoted, doubled quotes undone
    SourcePos pos;     // where the cell starts (its opening quote, if quoted)
};

struct CsvRow {
    std::uint32_t line = 0;  // where the row starts
    std::vector<CsvCell> cells;
};

struct CsvTable {
    std::vector<CsvRow> rows;  // rows[0] is the header; ragged or malformed rows are left out
};

// Limits, each with its reason.
inline constexpr std::size_t max_csv_columns = 100'000;  // far wider than Excel's 16,384 columns

// Reads `text` (the whole file). Empty lines are skipped: Excel writes none inside a table, and
// a trailing blank line is common. A row whose cell count differs from the header's, a quote
// that is never closed, a stray quote inside an unquoted cell and bytes that are not UTF-8 are
// reported; the offending row is left out. Returns false when anything was reported.
bool read_csv(std::string_view text, const std::string& source_name, CsvTable& out, Diagnostics& diags);

}  // namespace kaohe
