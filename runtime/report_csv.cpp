#include "runtime/report_csv.hpp"

#include "runtime/report.hpp"
#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <array>

namespace kaohe {
namespace {

// Whether RFC 4180 wants the cell quoted: it holds a separator, a quote or a line end; or it
// starts with '#', so no row reads as a comment line like the stamp. One pass over the bytes
// (`find_first_of` calls memchr on the four specials for each byte, and every row starts with a
// unit's name).
bool needs_quotes(std::string_view text) {
    for (const char c : text)
        if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
    return text.starts_with('#');
}

// A cell as RFC 4180 wants it.
void append_cell(std::string& out, std::string_view text) {
    if (!needs_quotes(text)) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace

CsvResultWriter::CsvResultWriter(const bc::Program& program, bool with_rank)
    : program_(program), with_rank_(with_rank) {
    for (std::uint32_t n = 1; n < program.nodes.size(); ++n)
        if (program.nodes[n].kind == bc::NodeKind::section || program.nodes[n].kind == bc::NodeKind::item)
            columns_.push_back(n);
}

std::string CsvResultWriter::header() const {
    std::string out = "unit,group";
    if (with_rank_) out += ",rank";
    out += ",total";
    if (program_.grading.choice_type < program_.choice_types.size()) {
        out += ',';
        append_cell(out, program_.choice_types[program_.grading.choice_type].name);
    }
    for (const bc::Money& money : program_.money) {
        out += ',';
        append_cell(out, money.name);
    }
    for (const bc::Flag& flag : program_.flags) {
        out += ',';
        append_cell(out, flag.name);
    }
    const auto numbers = report::node_numbers(program_);
    for (const std::uint32_t n : columns_) {
        out += ',';
        const bc::NodeInfo& node = program_.nodes[n];
        append_cell(out, fmt::format("{} {}", numbers[n], node.label.empty() ? node.name : node.label));
    }
    out += '\n';
    return out;
}

bool CsvResultWriter::append_row(const Scoresheet& sheet, std::string& out, Diagnostics& diags) const {
    const std::size_t size_before = out.size();
    const auto& info = program_.info;
    // The numbers go into a buffer on the stack, each written in place, and into `out` in runs.
    std::array<char, 1024> buffer;
    char* at = buffer.data();
    const auto flush = [&] {
        out.append(buffer.data(), static_cast<std::size_t>(at - buffer.data()));
        at = buffer.data();
    };
    // Prints a number as every report does; false when it cannot be printed exactly.
    const auto number = [&](const Decimal& value) -> bool {
        if (at + 1 + Decimal::max_small_text > buffer.data() + buffer.size()) flush();
        *at++ = ',';
        const unsigned places = std::min<unsigned>(info.display_places.value_or(0), Decimal::max_round_places);
        if (char* end = info.display_places ? value.write_rounded(at, places, info.display_mode) : value.write_exact(at)) {
            at = end;
            return true;
        }
        flush();  // a big value, or one with no exact decimal text
        if (!info.display_places) return value.append_exact(out);
        value.append_rounded(out, places, info.display_mode);
        return true;
    };
    const auto fail = [&] {
        out.resize(size_before);
        return false;
    };
    append_cell(out, sheet.unit);
    out += ',';
    append_cell(out, sheet.group);
    if (with_rank_) fmt::format_to(std::back_inserter(out), ",{}", sheet.rank);
    if (!number(sheet.total())) {
        report::report_unprintable(program_, 0, "score", sheet.total(), diags);
        return fail();
    }
    if (program_.grading.choice_type < program_.choice_types.size()) {
        flush();
        out += ',';
        append_cell(out, report::grade_name(program_, sheet.grade));
    }
    for (std::uint32_t m = 0; m < sheet.money.size(); ++m)
        if (!number(sheet.money[m].amount)) {
            report::report_unprintable_money(program_, m, "amount", sheet.money[m].amount, diags);
            return fail();
        }
    flush();
    for (std::uint32_t f = 0; f < sheet.flags.size(); ++f) out += sheet.flags[f] ? ",yes" : ",no";
    for (const std::uint32_t n : columns_)
        if (!number(sheet.nodes[n].score)) {
            report::report_unprintable(program_, n, "score", sheet.nodes[n].score, diags);
            return fail();
        }
    flush();
    out += '\n';
    return true;
}

std::string CsvResultWriter::stamp(const std::vector<EvidenceInput>& inputs) const {
    std::string out = fmt::format("# kaohe {} scheme {} sha256:{}", report::kaohe_version(), program_.info.source_name,
                                  to_hex(program_.info.source_sha256));
    for (const EvidenceInput& input : inputs)
        out += fmt::format(" evidence {} sha256:{}{}", input.file, to_hex(input.sha256),
                           input.encoding == TextEncoding::gbk ? " encoding:GBK" : "");
    out += '\n';
    return out;
}

}  // namespace kaohe
