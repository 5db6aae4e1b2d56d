// An RFC 4180 CSV reader for evidence tables, as Excel on Chinese Windows saves them:
// UTF-8 with or without a BOM (GBK is transcoded to UTF-8 first: runtime/encoding.hpp), CRLF or LF line ends, quoted fields with commas, doubled quotes
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
    // The cell's text, unquoted, doubled quotes undone: value(). read_csv and a quoted cell own
    // it (`text`); a streamed unquoted cell (CsvRowCursor) is seen where it lies in its chunk,
    // not copied, and is valid as long as the chunk is.
    std::string text;
    std::string_view in_chunk;
    bool in_place = false;
    SourcePos pos;  // where the cell starts (its opening quote, if quoted)

    std::string_view value() const { return in_place ? in_chunk : std::string_view(text); }
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

// ---- streaming, for batch runs over tables too large to hold (docs/performance.md) ---------
// A table is read in blocks; each block is cut after its last complete row (csv_rows_end), and
// the rows of that chunk are read one at a time into a reused CsvRow (CsvRowCursor), so memory
// does not grow with the table. The rows, their cells, the diagnostics and their line and column
// numbers are exactly those read_csv gives for the whole text.

// The length of the longest prefix of `text` that ends with a line end outside any quoted cell
// (so it holds whole rows); 0 when there is none. `text` must start at the start of a row.
std::size_t csv_rows_end(std::string_view text);

// The '\n's in `text`: how many lines a chunk moves the next chunk's first line on. The main
// thread counts every chunk's before handing it over, so this reads sixteen bytes at a time.
std::uint32_t csv_line_feeds(std::string_view text);

// The length of a UTF-8 byte-order mark at the start of `text` (3), or 0.
std::size_t csv_bom_length(std::string_view text);

// The line and column (as read_csv counts them) just after `text`, a table's text from its start
// (a BOM is skipped): where a reading that stopped after `text` stopped.
SourcePos csv_position_after(std::string_view text);

class CsvRowCursor {
public:
    // `chunk` holds whole rows (see csv_rows_end) and starts on line `first_line` of the table
    // (no BOM: the caller removes it from the first chunk). A chunk that is not UTF-8 is reported
    // at its first bad byte and yields no rows (bad_utf8() is then true), as read_csv reads no
    // further than such a byte.
    CsvRowCursor(std::string_view chunk, std::uint32_t first_line, const std::string& source_name, Diagnostics& diags);
    // The cursor keeps a reference to the source name for the diagnostics it reports while rows
    // are read: a temporary name would be gone by then.
    CsvRowCursor(std::string_view chunk, std::uint32_t first_line, std::string&& source_name, Diagnostics& diags) = delete;

    // The next well-formed row, in `row` (its cells' storage is reused). Rows that are malformed
    // or whose cell count differs from `header_cells` (when not 0) are reported and skipped, as
    // read_csv does. False at the end of the chunk.
    bool next(CsvRow& row, std::size_t header_cells);

    bool bad_utf8() const { return bad_utf8_; }
    std::uint32_t line() const { return line_; }  // the line of the next row
    std::size_t offset() const { return i_; }     // the byte of the chunk the next row starts at

private:
    std::string_view text_;
    std::size_t i_ = 0;
    std::uint32_t line_;
    std::uint32_t column_ = 1;
    std::vector<std::size_t> ends_;         // where a row's cells end (its commas, its line end)
    std::vector<std::uint32_t> columns_;    // and the column each cell starts at; both reused
    const std::string& source_;
    Diagnostics& diags_;
    bool bad_utf8_ = false;
};

}  // namespace kaohe
