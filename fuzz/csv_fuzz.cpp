// Fuzz target: the CSV reader, then the typing of a whole table against a fixed scheme
// (fuzz_scheme.hpp); units that load are also scored. The bytes are also read as each encoding
// (runtime/encoding.hpp), and a TableDecoder fed them in pieces (as the streamed path feeds
// blocks, characters cut between pieces) must give exactly what it gives fed them whole. The
// streamed row reader (CsvRowCursor, its 64-byte scan and its byte loop) must read a UTF-8 table
// exactly as read_csv does: the same rows, cells, positions and diagnostics.
#include "fuzz/fuzz_scheme.hpp"
#include "runtime/csv.hpp"
#include "runtime/encoding.hpp"
#include "runtime/evidence.hpp"
#include "runtime/vm.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Fed {
    bool ok = true;
    std::string text;
    std::uint64_t failed_at = 0;
};

Fed feed(std::string_view bytes, kaohe::TextEncoding encoding, std::size_t piece) {
    kaohe::TableDecoder decoder(encoding);
    Fed r;
    for (std::size_t i = 0; r.ok && i < bytes.size(); i += piece) r.ok = decoder.feed(bytes.substr(i, piece), r.text, false);
    if (r.ok) r.ok = decoder.feed({}, r.text, true);
    r.failed_at = decoder.failed_at();
    return r;
}

// The diagnostics as text, with their positions.
std::vector<std::string> described(const kaohe::Diagnostics& diags) {
    std::vector<std::string> out;
    for (const auto& d : diags.all())
        out.push_back(std::to_string(d.span.begin.line) + ":" + std::to_string(d.span.begin.column) + " " + d.message);
    return out;
}

// Aborts unless CsvRowCursor reads `bytes` (one chunk; a table that is not UTF-8 is reported at
// chunk level, so it is not compared) as read_csv does.
void check_cursor(std::string_view bytes) {
    const std::string source = "fuzz.csv";
    kaohe::Diagnostics whole_diags, streamed;
    kaohe::CsvTable whole;
    (void)kaohe::read_csv(bytes, source, whole, whole_diags);
    kaohe::CsvRowCursor cursor(bytes.substr(kaohe::csv_bom_length(bytes)), 1, source, streamed);
    if (cursor.bad_utf8()) return;
    std::vector<kaohe::CsvRow> rows;
    kaohe::CsvRow row;
    if (cursor.next(row, 0)) {
        rows.push_back(row);
        const std::size_t header_cells = row.cells.size();
        while (cursor.next(row, header_cells)) rows.push_back(row);
    }
    if (described(streamed) != described(whole_diags) || rows.size() != whole.rows.size()) std::abort();
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const kaohe::CsvRow& expected = whole.rows[r];
        if (rows[r].line != expected.line || rows[r].cells.size() != expected.cells.size()) std::abort();
        for (std::size_t c = 0; c < expected.cells.size(); ++c) {
            const kaohe::CsvCell &got = rows[r].cells[c], &want = expected.cells[c];
            if (got.value() != want.value() || got.pos.line != want.pos.line || got.pos.column != want.pos.column)
                std::abort();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const kaohe::bc::Program& program = kaohe::fuzz::fixed_program();
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    kaohe::Diagnostics diags;
    kaohe::CsvTable table;
    (void)kaohe::read_csv(bytes, "fuzz.csv", table, diags);
    check_cursor(bytes);
    const std::size_t piece = size == 0 ? 1 : 1 + data[0] % 7;
    for (const auto encoding : {kaohe::TextEncoding::detect, kaohe::TextEncoding::gbk}) {
        const Fed whole = feed(bytes, encoding, bytes.size() + 1), pieces = feed(bytes, encoding, piece);
        if (whole.ok != pieces.ok || whole.text != pieces.text || whole.failed_at != pieces.failed_at) std::abort();
    }
    kaohe::EvidenceSet set;
    const std::string path = kaohe::fuzz::scratch_file(".csv", data, size);
    (void)kaohe::load_evidence_csv(program, path, set, diags);
    (void)kaohe::load_evidence_csv(program, path, set, diags, kaohe::TextEncoding::gbk);
    for (const kaohe::UnitEvidence& unit : set.units) (void)kaohe::evaluate(program, unit, kaohe::Explain::yes, diags);
    return 0;
}
