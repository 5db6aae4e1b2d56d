#include "runtime/csv.hpp"

#include "runtime/encoding.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kaohe {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// Walks the text byte by byte while keeping the line and code-point column of the next byte.
class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool done() const { return i_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }
    SourcePos pos() const { return pos_; }
    std::size_t offset() const { return i_; }

    void advance() {
        const char c = text_[i_++];
        if (c == '\n') {
            ++pos_.line;
            pos_.column = 1;
        } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++pos_.column;  // a continuation byte belongs to the previous column
        }
    }
    void skip(std::size_t bytes) {
        while (bytes-- > 0 && !done()) advance();
    }
    // True at "\n", "\r\n" or a lone "\r".
    bool at_line_end() const { return peek() == '\n' || peek() == '\r'; }
    void skip_line_end() {
        if (peek() == '\r') advance();
        if (peek() == '\n') advance();
    }

private:
    std::string_view text_;
    std::size_t i_ = 0;
    SourcePos pos_{1, 1};
};

SourcePos position_of(std::string_view text, std::size_t offset) {
    Cursor c(text);
    c.skip(offset);
    return c.pos();
}

struct RowReader {
    Cursor& in;
    const std::string& file;
    Diagnostics& diags;
    bool bad = false;       // this row had an error and is left out
    bool unterminated = false;

    void error(SourcePos at, std::string message, std::string suggestion = {}) {
        diags.error(file, Span{at, 1}, std::move(message), std::move(suggestion));
        bad = true;
    }

    // Skips the rest of a malformed cell, up to the next separator or line end.
    void skip_to_cell_end() {
        while (!in.done() && in.peek() != ',' && !in.at_line_end()) in.advance();
    }

    CsvCell read_quoted() {
        CsvCell cell;
        cell.pos = in.pos();
        in.advance();  // the opening quote
        for (;;) {
            if (in.done()) {
                error(cell.pos, "unterminated quoted cell: the quote opened here is never closed",
                      "a quote inside a quoted cell is written twice: \"\"");
                unterminated = true;
                return cell;
            }
            const char c = in.peek();
            if (c == '"') {
                if (in.peek(1) == '"') {
                    cell.text += '"';
                    in.skip(2);
                    continue;
                }
                in.advance();  // the closing quote
                break;
            }
            if (c == '\r' && in.peek(1) == '\n') {  // a line break inside a cell reads the same on every platform
                in.advance();
                continue;
            }
            cell.text += c;
            in.advance();
        }
        if (!in.done() && in.peek() != ',' && !in.at_line_end()) {
            error(in.pos(), "unexpected text after the closing quote of a cell",
                  "quote the whole cell and write each quote inside it twice: \"\"");
            skip_to_cell_end();
        }
        return cell;
    }

    CsvCell read_unquoted() {
        CsvCell cell;
        cell.pos = in.pos();
        while (!in.done() && in.peek() != ',' && !in.at_line_end()) {
            if (in.peek() == '"' && !bad)
                error(in.pos(), "a quote inside an unquoted cell",
                      "quote the whole cell and write each quote inside it twice: \"\"");
            cell.text += in.peek();
            in.advance();
        }
        return cell;
    }

    CsvRow read_row() {
        CsvRow row;
        row.line = in.pos().line;
        for (;;) {
            if (row.cells.size() == max_csv_columns) {
                error(in.pos(), fmt::format("more than {} cells in one row", max_csv_columns));
                while (!in.done() && !in.at_line_end()) in.advance();
                break;
            }
            row.cells.push_back(in.peek() == '"' ? read_quoted() : read_unquoted());
            if (unterminated) return row;
            if (in.peek() == ',') {
                in.advance();
                continue;
            }
            break;
        }
        in.skip_line_end();
        return row;
    }
};

}  // namespace

SourcePos csv_position_after(std::string_view text) {
    text.remove_prefix(csv_bom_length(text));
    return position_of(text, text.size());
}

bool read_csv(std::string_view text, const std::string& source_name, CsvTable& out, Diagnostics& diags) {
    std::string_view body = text;
    if (body.substr(0, utf8_bom.size()) == utf8_bom) body.remove_prefix(utf8_bom.size());

    // A file that is not UTF-8 is read no further: every cell after the first bad byte could be
    // misread, and the likely cause (a GBK export) has one fix.
    if (auto bad = first_invalid_utf8(body)) {
        diags.error(source_name, Span{position_of(body, *bad), 1}, "the table is not valid UTF-8",
                    std::string(invalid_utf8_hint));
        return false;
    }

    const std::size_t errors_before = diags.error_count();
    Cursor in(body);
    while (!in.done()) {
        if (in.at_line_end()) {  // an empty line
            in.skip_line_end();
            continue;
        }
        RowReader reader{in, source_name, diags};
        CsvRow row = reader.read_row();
        if (reader.unterminated) break;
        if (reader.bad) continue;
        if (!out.rows.empty() && row.cells.size() != out.rows.front().cells.size()) {
            diags.error(source_name, Span{SourcePos{row.line, 1}, 1},
                        fmt::format("this row has {} cells, the header has {}", row.cells.size(),
                                    out.rows.front().cells.size()));
            continue;
        }
        out.rows.push_back(std::move(row));
    }
    return diags.error_count() == errors_before;
}

// ---- streaming ----------------------------------------------------------------------------

std::uint32_t csv_line_feeds(std::string_view text) {
    std::uint32_t count = 0;
    const char* p = text.data();
    std::size_t i = 0;
#if defined(__SSE2__)
    // Each byte lane counts its '\n's (a match is -1: subtracting it adds 1) for up to 255 blocks;
    // then the lanes are summed (SAD against zero), with no popcount instruction needed.
    const __m128i feed = _mm_set1_epi8('\n');
    const __m128i zero = _mm_setzero_si128();
    __m128i lanes = zero;
    unsigned blocks = 0;
    const auto flush = [&] {
        const __m128i sums = _mm_sad_epu8(lanes, zero);
        count += static_cast<std::uint32_t>(_mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
        lanes = zero;
        blocks = 0;
    };
    for (; i + 16 <= text.size(); i += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(bytes, feed));
        if (++blocks == 255) flush();
    }
    flush();
#endif
    for (; i < text.size(); ++i) count += p[i] == '\n';
    return count;
}

std::size_t csv_bom_length(std::string_view text) { return text.substr(0, utf8_bom.size()) == utf8_bom ? utf8_bom.size() : 0; }

std::size_t csv_rows_end(std::string_view text) {
    // Most tables quote nothing: then the last line end is the end of the last row.
    if (std::memchr(text.data(), '"', text.size()) == nullptr) {
        const std::size_t last = text.find_last_of("\r\n");
        return last == std::string_view::npos ? 0 : last + 1;
    }
    // Outside quotes a line end ends a row; a doubled quote inside a quoted cell toggles twice,
    // so counting quotes is enough to know whether a line end is inside a cell.
    bool quoted = false;
    std::size_t end = 0;
    const char* p = text.data();
    for (std::size_t i = 0, n = text.size(); i < n; ++i) {
        const char c = p[i];
        if (c == '"') quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r')) end = i + 1;
    }
    return end;
}

namespace {

// What a byte is to the scan of an unquoted cell: it ends the cell, or it is a quote (an error
// there).
enum UnquotedByte : std::uint8_t { ends_cell = 1, is_quote = 2 };
constexpr std::array<std::uint8_t, 256> unquoted_byte = [] {
    std::array<std::uint8_t, 256> kinds{};
    for (const unsigned char c : {',', '\n', '\r'}) kinds[c] |= ends_cell;
    kinds['"'] |= is_quote;
    return kinds;
}();

// The end of the unquoted cell at p[i] (p[n] is the chunk's end): its first ',', '\n' or '\r',
// or n. A quote on the way is passed to on_quote(at) and scanned over.
template <typename OnQuote>
[[gnu::always_inline]] inline std::size_t unquoted_cell_end(const char* p, std::size_t i, std::size_t n,
                                                            OnQuote on_quote) {
    std::size_t j = i;
#if defined(__SSE2__)
    // 16 bytes at a time to the first byte that may be one of the four: they are the only bytes
    // at or below ',' (0x2C) that a cell holds commonly, so one unsigned comparison finds every
    // candidate, and the byte loop below decides (a space or '%' only costs it a few steps).
    const __m128i highest = _mm_set1_epi8(',');
    while (j + 16 <= n) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
        const __m128i at_most = _mm_cmpeq_epi8(_mm_min_epu8(bytes, highest), bytes);
        const auto candidates = static_cast<unsigned>(_mm_movemask_epi8(at_most));
        if (candidates != 0) {
            j += static_cast<std::size_t>(std::countr_zero(candidates));
            break;
        }
        j += 16;
    }
#endif
    for (; j < n; ++j) {
        const std::uint8_t kind = unquoted_byte[static_cast<unsigned char>(p[j])];
        if (kind & ends_cell) break;
        if (kind & is_quote) on_quote(j);
    }
    return j;
}

#if defined(__SSE2__)
// 64 bytes of a chunk as masks, bit k for byte k: its commas; the bytes that end a row's fast
// scan (a line end, or a quote: a quoted cell is read by the byte loop); and the bytes that start
// a code point (a column; a continuation byte belongs to the previous one).
struct RowMasks {
    std::uint64_t commas = 0, stops = 0, starts = 0;
};

[[gnu::always_inline]] inline RowMasks row_masks(const char* p) {
    const __m128i comma = _mm_set1_epi8(','), feed = _mm_set1_epi8('\n'), ret = _mm_set1_epi8('\r'),
                  quote = _mm_set1_epi8('"'), top_bits = _mm_set1_epi8(static_cast<char>(0xC0)),
                  continuation = _mm_set1_epi8(static_cast<char>(0x80));
    const auto mask_of = [](__m128i matches) {
        return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(matches))};
    };
    RowMasks m;
    for (unsigned k = 0; k < 4; ++k) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, feed), _mm_cmpeq_epi8(bytes, ret)),
                                          _mm_cmpeq_epi8(bytes, quote));
        m.commas |= mask_of(_mm_cmpeq_epi8(bytes, comma)) << (16 * k);
        m.stops |= mask_of(stop) << (16 * k);
        m.starts |= mask_of(_mm_cmpeq_epi8(_mm_and_si128(bytes, top_bits), continuation)) << (16 * k);
    }
    m.starts = ~m.starts;
    return m;
}
#endif

// The fast scan of a row that starts at p[i], in column `column`, and has no quote: where each
// cell ends (its comma; the last one, its line end) into `ends`, the column each cell starts at
// into `columns` (both grow as needed), the number of cells into `count`, and the column of the
// line end into `column`. False when the scan cannot tell: a quote in the row, a row that reaches
// the last 64 bytes of the chunk, or more than max_csv_columns cells; the byte loop then reads the
// row (and reports what is wrong). It costs a branch per 64 bytes and per comma, not per byte and
// per cell, whose lengths vary from cell to cell and defeat the branch predictor; the columns take
// a popcount per cell, the instruction where the processor has it (chosen when the program loads).
#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("popcnt", "default")))
#endif
bool scan_plain_row(const char* p, std::size_t i, std::size_t n, std::uint32_t& column, std::vector<std::size_t>& ends,
                    std::vector<std::uint32_t>& columns, std::size_t& count) {
#if defined(__SSE2__)
    count = 0;
    if (columns.empty()) columns.resize(1);
    columns[0] = column;
    for (std::size_t block = i; block + 64 <= n; block += 64) {
        RowMasks m = row_masks(p + block);
        const std::uint64_t row_part = m.stops != 0 ? (std::uint64_t{1} << std::countr_zero(m.stops)) - 1 : ~std::uint64_t{0};
        m.commas &= row_part;
        if (ends.size() < count + 65) {
            ends.resize(count + 65);
            columns.resize(count + 65);
        }
        for (std::uint64_t bits = m.commas; bits != 0; bits &= bits - 1) {
            const auto k = static_cast<unsigned>(std::countr_zero(bits));
            ends[count++] = block + k;
            // The next cell starts after the comma: the code points up to and with it.
            columns[count] = column + static_cast<std::uint32_t>(std::popcount(m.starts & ((std::uint64_t{2} << k) - 1)));
        }
        column += static_cast<std::uint32_t>(std::popcount(m.starts & row_part));
        if (count >= max_csv_columns) return false;
        if (m.stops != 0) {
            const std::size_t end = block + static_cast<std::size_t>(std::countr_zero(m.stops));
            ends[count++] = end;
            return p[end] != '"';
        }
    }
#else
    (void)p, (void)i, (void)n, (void)column, (void)ends, (void)columns, (void)count;
#endif
    return false;
}

// Code points in `bytes` (a continuation byte belongs to the previous column).
std::uint32_t code_points(std::string_view bytes) {
    std::uint32_t n = 0;
    for (const char c : bytes) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

}  // namespace

CsvRowCursor::CsvRowCursor(std::string_view chunk, std::uint32_t first_line, const std::string& source_name,
                           Diagnostics& diags)
    : text_(chunk), line_(first_line), source_(source_name), diags_(diags) {
    if (auto bad = first_invalid_utf8(chunk)) {
        SourcePos at = position_of(chunk, *bad);
        at.line += first_line - 1;
        diags_.error(source_, Span{at, 1}, "the table is not valid UTF-8",
                     std::string(invalid_utf8_hint));
        bad_utf8_ = true;
        i_ = text_.size();
    }
}

bool CsvRowCursor::next(CsvRow& row, std::size_t header_cells) {
    const char* p = text_.data();
    const std::size_t n = text_.size();
    // The position lives in locals (registers) while the row is read, and is stored back on the
    // way out: kept in the members, each cell's 8-byte read of {line, column} waited for the
    // 4-byte store to the column before it (a store-forwarding stall, ~10 % of a batch run).
    std::size_t i = i_;
    std::uint32_t line = line_, column = column_;
    struct StoreBack {
        CsvRowCursor& cursor;
        const std::size_t& i;
        const std::uint32_t &line, &column;
        ~StoreBack() {
            cursor.i_ = i;
            cursor.line_ = line;
            cursor.column_ = column;
        }
    } store_back{*this, i, line, column};
    const auto at_line_end = [&] { return i < n && (p[i] == '\n' || p[i] == '\r'); };
    const auto skip_line_end = [&] {
        if (i < n && p[i] == '\r') {
            ++i;
            ++column;  // lines are counted by their '\n's, as read_csv counts them
        }
        if (i < n && p[i] == '\n') {
            ++i;
            ++line;
            column = 1;
        }
    };
    // Moves over `bytes` bytes that hold no line feed.
    const auto advance = [&](std::size_t bytes) {
        column += code_points(text_.substr(i, bytes));
        i += bytes;
    };
    while (i < n) {
        if (at_line_end()) {  // an empty line
            skip_line_end();
            continue;
        }
        bool bad = false;
        const auto error = [&](SourcePos at, std::string message, std::string suggestion = {}) {
            diags_.error(source_, Span{at, 1}, std::move(message), std::move(suggestion));
            bad = true;
        };
        const auto skip_to_cell_end = [&] {
            std::size_t j = i;
            while (j < n && p[j] != ',' && p[j] != '\n' && p[j] != '\r') ++j;
            advance(j - i);
        };
        // A row's cells have the header's count: false (reported) when they do not.
        const auto count_ok = [&](std::size_t count) {
            if (header_cells == 0 || count == header_cells) return true;
            diags_.error(source_, Span{SourcePos{row.line, 1}, 1},
                         fmt::format("this row has {} cells, the header has {}", count, header_cells));
            return false;
        };
        row.line = line;
        std::size_t count = 0;
        std::uint32_t end_column = column;
        if (scan_plain_row(p, i, n, end_column, ends_, columns_, count)) {
            if (row.cells.size() < count) row.cells.resize(count);
            for (std::size_t c = 0, start = i; c < count; ++c) {
                CsvCell& cell = row.cells[c];
                cell.pos = SourcePos{line, columns_[c]};
                cell.in_chunk = std::string_view(p + start, ends_[c] - start);
                cell.in_place = true;
                start = ends_[c] + 1;
            }
            row.cells.resize(count);
            i = ends_[count - 1];
            column = end_column;
            skip_line_end();
            if (count_ok(count)) return true;
            continue;
        }
        count = 0;
        for (;;) {
            if (count == max_csv_columns) {
                error(SourcePos{line, column}, fmt::format("more than {} cells in one row", max_csv_columns));
                while (i < n && !at_line_end()) advance(1);
                break;
            }
            if (count == row.cells.size()) row.cells.emplace_back();
            CsvCell& cell = row.cells[count++];
            cell.pos = SourcePos{line, column};
            if (i < n && p[i] == '"') {
                cell.in_place = false;
                cell.text.clear();  // appended to piece by piece (an unquoted cell is seen in place)
                advance(1);  // the opening quote
                for (;;) {
                    if (i >= n) {
                        error(cell.pos, "unterminated quoted cell: the quote opened here is never closed",
                              "a quote inside a quoted cell is written twice: \"\"");
                        row.cells.resize(count);
                        return false;  // read_csv reads no further
                    }
                    // Copy up to the next quote or line end in one go.
                    std::size_t j = i;
                    while (j < n && p[j] != '"' && p[j] != '\n' && p[j] != '\r') ++j;
                    cell.text.append(p + i, j - i);
                    advance(j - i);
                    if (i >= n) continue;
                    const char c = p[i];
                    if (c == '"') {
                        if (i + 1 < n && p[i + 1] == '"') {
                            cell.text += '"';
                            advance(2);
                            continue;
                        }
                        advance(1);  // the closing quote
                        break;
                    }
                    if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {  // CRLF inside a cell reads as LF
                        ++i;
                        continue;
                    }
                    cell.text += c;
                    ++i;
                    if (c == '\n') {
                        ++line;
                        column = 1;
                    } else {
                        ++column;
                    }
                }
                if (i < n && p[i] != ',' && !at_line_end()) {
                    error(SourcePos{line, column}, "unexpected text after the closing quote of a cell",
                          "quote the whole cell and write each quote inside it twice: \"\"");
                    skip_to_cell_end();
                }
            } else {
                const std::size_t j = unquoted_cell_end(p, i, n, [&](std::size_t quote) {
                    if (!bad)
                        error(SourcePos{line, column + code_points(text_.substr(i, quote - i))},
                              "a quote inside an unquoted cell",
                              "quote the whole cell and write each quote inside it twice: \"\"");
                });
                cell.in_chunk = std::string_view(p + i, j - i);
                cell.in_place = true;
                advance(j - i);
            }
            if (i < n && p[i] == ',') {
                ++i;
                ++column;
                continue;
            }
            break;
        }
        skip_line_end();
        row.cells.resize(count);
        if (!bad && count_ok(count)) return true;
    }
    return false;
}

}  // namespace kaohe
