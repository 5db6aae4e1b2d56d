// The text report, and the building blocks both writers share.
#include "runtime/report.hpp"

#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#ifndef KAOHE_VERSION
#error "KAOHE_VERSION must be defined by the build (CMakeLists.txt)"
#endif

namespace kaohe {
namespace report {

const char* kaohe_version() { return KAOHE_VERSION; }

std::optional<PrintedNumber> NumberPrinter::print(const Decimal& value) const {
    if (info_.display_places) {
        const unsigned places = std::min<unsigned>(*info_.display_places, Decimal::max_round_places);
        const Decimal rounded = value.round(places, info_.display_mode);
        PrintedNumber out{rounded.to_fixed_string(places), std::nullopt};
        if (rounded != value) out.exact = value.to_fraction_string();
        return out;
    }
    auto exact = value.to_exact_string();
    if (!exact) return std::nullopt;
    return PrintedNumber{std::move(*exact), std::nullopt};
}

void report_unprintable(const bc::Program& program, std::uint32_t node, std::string_view what, const Decimal& value,
                        Diagnostics& diags) {
    const bc::NodeInfo& info = program.nodes[node];
    diags.error(program.info.source_name, Span{SourcePos{info.line, info.column}, 1},
                fmt::format("{} {} of '{}' cannot be printed exactly; declare `display 2 half_up` or round it in the "
                            "scheme",
                            what, value.to_fraction_string(), info.label));
}

std::vector<std::string> node_numbers(const bc::Program& program) {
    std::vector<std::string> numbers(program.nodes.size());
    std::vector<std::uint32_t> children_seen(program.nodes.size(), 0);
    for (std::size_t i = 1; i < program.nodes.size(); ++i) {
        const std::uint32_t parent = program.nodes[i].parent;
        if (parent >= i) continue;  // pre-order: a parent always comes first (the verifier checks)
        const std::uint32_t n = ++children_seen[parent];
        numbers[i] = numbers[parent].empty() ? std::to_string(n) : fmt::format("{}.{}", numbers[parent], n);
    }
    return numbers;
}

std::vector<std::vector<std::uint32_t>> rules_by_node(const bc::Program& program) {
    std::vector<std::vector<std::uint32_t>> by_node(program.nodes.size());
    for (std::uint32_t r = 0; r < program.rules.size(); ++r)
        if (program.rules[r].node < by_node.size()) by_node[program.rules[r].node].push_back(r);
    return by_node;
}

namespace {

// The value alone: "7", "0.85", "yes", "省级".
std::string bare_value(const bc::Program& program, const bc::FieldSpec* spec, const Value& v) {
    switch (v.tag) {
    case Value::Tag::number: return v.number.to_string();
    case Value::Tag::yes_no: return v.yes ? "yes" : "no";
    case Value::Tag::choice:
        if (spec && spec->choice_type < program.choice_types.size() &&
            v.choice < program.choice_types[spec->choice_type].values.size())
            return program.choice_types[spec->choice_type].values[v.choice];
        return fmt::format("#{}", v.choice);
    case Value::Tag::text: return v.text ? *v.text : std::string();
    case Value::Tag::list: {
        const std::size_t n = v.list ? v.list->size() : 0;
        return fmt::format("{} record{}", n, n == 1 ? "" : "s");
    }
    }
    return {};
}

// The value as a person reads it: "7 次", "85%", "3 分", "“网格化管理”".
std::string shown_value(const bc::Program& program, const bc::FieldSpec* spec, const Value& v) {
    if (v.tag == Value::Tag::text) return fmt::format("“{}”", bare_value(program, spec, v));
    if (v.tag != Value::Tag::number || !spec) return bare_value(program, spec, v);
    if (spec->type == bc::FieldType::count)
        return spec->measure.empty() ? v.number.to_string() : fmt::format("{} {}", v.number.to_string(), spec->measure);
    switch (spec->unit) {
    case bc::Unit::percent: return (v.number * Decimal(100)).to_string() + "%";
    case bc::Unit::points: return v.number.to_string() + " 分";
    case bc::Unit::money: return v.number.to_string() + " 元";
    default: return v.number.to_string();
    }
}

StepView step_view(const TraceEvent& ev) {
    StepView s;
    s.op = bc::op_info(ev.op).name;
    s.lhs = ev.lhs.to_string();
    s.rhs = ev.rhs.to_string();
    s.result = ev.result.to_string();
    const auto binary = [&](std::string_view sym) { return fmt::format("{} {} {} = {}", s.lhs, sym, s.rhs, s.result); };
    switch (ev.op) {
    case bc::Op::ADD: s.text = binary("+"); break;
    case bc::Op::SUB: s.text = binary("−"); break;
    case bc::Op::MUL: s.text = binary("×"); break;
    case bc::Op::DIV: s.text = binary("÷"); break;
    case bc::Op::MIN: s.text = fmt::format("min_of({}, {}) = {}", s.lhs, s.rhs, s.result); break;
    case bc::Op::MAX: s.text = fmt::format("max_of({}, {}) = {}", s.lhs, s.rhs, s.result); break;
    case bc::Op::NEG: s.text = fmt::format("−{} = {}", s.lhs, s.result); break;
    default: {
        std::string name = s.op;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        s.text = fmt::format("{}({}, {}) = {}", name, s.lhs, s.rhs, s.result);
    }
    }
    return s;
}

}  // namespace

std::vector<RuleExplanation> explain_rules(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet) {
    std::vector<RuleExplanation> out(program.rules.size());
    for (const TraceEvent& ev : sheet.trace) {
        if (ev.rule >= out.size()) continue;
        if (ev.kind == TraceEvent::Kind::arithmetic) {
            // x + 0 explains nothing (it is how sums and `per missing` counts start).
            if (ev.op == bc::Op::ADD && (ev.lhs.is_zero() || ev.rhs.is_zero())) continue;
            out[ev.rule].steps.push_back(step_view(ev));
            continue;
        }
        if (ev.slot >= program.evidence.size()) continue;
        const bc::FieldSpec* spec = &program.evidence[ev.slot];
        ReadView read;
        read.name = spec->name;
        if (ev.slot < unit.origins.size()) read.origin = &unit.origins[ev.slot];
        if (ev.record != bc::no_index) {
            read.record = ev.record;
            if (ev.field < spec->fields.size()) {
                read.field = spec->fields[ev.field].name;
                read.name = fmt::format("{}[{}].{}", spec->name, ev.record + 1, read.field);
                spec = &spec->fields[ev.field];
            }
        }
        read.value = shown_value(program, spec, ev.value);
        read.exact = bare_value(program, spec, ev.value);
        out[ev.rule].reads.push_back(std::move(read));
    }
    return out;
}

std::string describe_read(const ReadView& read) {
    std::string text = fmt::format("{} = {}", read.name, read.value);
    if (!read.origin) return text;
    std::vector<std::string> where;
    if (!read.origin->source.empty()) where.push_back(read.origin->source);
    if (read.origin->line == 0) where.push_back("scheme default");
    else where.push_back(fmt::format("{}:{}", read.origin->file, read.origin->line));
    return fmt::format("{} ({})", text, fmt::join(where, "; "));
}

}  // namespace report

// ---- the text report ------------------------------------------------------------------------
namespace {

using report::NumberPrinter;

// The rule as written, without its `says "..."` (which the report quotes in 「」 already).
std::string without_says(const std::string& source_text) {
    const auto at = source_text.rfind(" says \"");
    return at == std::string::npos ? source_text : source_text.substr(0, at);
}

// Labels longer than this are cut with "…" in the score-sheet table, so that a row fits a
// terminal; the full label is in the scheme, the JSON report and the row's number.
constexpr std::size_t max_label_columns = 56;

// `text` cut to at most `columns` display columns, ending in "…" when cut.
std::string truncate_to_columns(const std::string& text, std::size_t columns) {
    if (display_width(text) <= columns) return text;
    std::size_t used = 0, end = 0;
    while (end < text.size()) {
        std::size_t next = end + 1;
        while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
        const std::size_t w = display_width(std::string_view(text).substr(end, next - end));
        if (used + w > columns - 1) break;  // keep one column for the ellipsis
        used += w;
        end = next;
    }
    return text.substr(0, end) + "…";
}

// A table row, or a free line (an explanation) printed as it is, between rows.
struct Row {
    std::vector<std::string> cells;
    std::string free;
    bool is_free = false;
};

std::string pad(const std::string& s, std::size_t width, bool right) {
    const std::size_t w = display_width(s);
    const std::string fill(w < width ? width - w : 0, ' ');
    return right ? fill + s : s + fill;
}

// Columns aligned by display width (a Chinese character takes two columns); numbers right-aligned.
std::string render_table(const std::vector<Row>& rows, const std::vector<bool>& right_aligned) {
    std::vector<std::size_t> widths(right_aligned.size(), 0);
    for (const Row& row : rows)
        if (!row.is_free)
            for (std::size_t c = 0; c < row.cells.size() && c < widths.size(); ++c)
                widths[c] = std::max(widths[c], display_width(row.cells[c]));
    std::string out;
    for (const Row& row : rows) {
        std::string line;
        if (row.is_free) {
            line = row.free;
        } else {
            for (std::size_t c = 0; c < row.cells.size() && c < widths.size(); ++c) {
                if (c) line += "  ";
                line += pad(row.cells[c], widths[c], right_aligned[c]);
            }
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line;
        out += '\n';
    }
    return out;
}

class TextReport {
public:
    TextReport(const bc::Program& program, const EvidenceSet& evidence, const std::vector<Scoresheet>& sheets,
               const ReportOptions& options, Diagnostics& diags)
        : program_(program), evidence_(evidence), sheets_(sheets), options_(options), diags_(diags),
          printer_(program.info), numbers_(report::node_numbers(program)), rules_(report::rules_by_node(program)) {
        has_bonus_ = std::any_of(program.nodes.begin(), program.nodes.end(), [](const auto& n) { return n.bonus; });
    }

    std::optional<std::string> write() {
        std::string out = header();
        for (std::size_t u = 0; u < sheets_.size(); ++u) out += "\n" + unit_sheet(u);
        if (sheets_.size() > 1) out += "\n" + summary();
        if (failed_) return std::nullopt;
        return out;
    }

private:
    std::string header() const {
        const bc::SchemeInfo& info = program_.info;
        std::string out = info.title + "\n";
        if (!info.document.empty()) out += info.document + "\n";
        if (!info.issuer.empty()) out += info.issuer + "\n";
        out += fmt::format("kaohe {}\n", report::kaohe_version());
        out += fmt::format("scheme: {}  sha256:{}\n", info.source_name, to_hex(info.source_sha256));
        for (const EvidenceInput& input : evidence_.inputs)
            out += fmt::format("evidence: {}  sha256:{}\n", input.file, to_hex(input.sha256));
        return out;
    }

    // The number as the scheme says to print it; an unprintable one is reported once per node.
    std::string number(std::uint32_t node, std::string_view what, const Decimal& value) {
        if (auto printed = printer_.print(value)) return printed->text;
        if (unprintable_nodes_.insert(node).second) report::report_unprintable(program_, node, what, value, diags_);
        failed_ = true;
        return "?";
    }

    std::vector<std::string> node_cells(std::uint32_t n, const NodeOutcome& o) {
        const bc::NodeInfo& info = program_.nodes[n];
        std::vector<std::string> cells{n == 0 ? std::string() : numbers_[n], n == 0 ? "合计" : truncate_to_columns(info.label, max_label_columns),
                                       number(n, "full marks", o.full)};
        cells.push_back(info.bonus ? std::string() : number(n, "deduction", o.full - o.score));
        if (has_bonus_) cells.push_back(info.bonus ? number(n, "award", o.awarded) : std::string());
        cells.push_back(number(n, "score", o.score));
        return cells;
    }

    std::string unit_sheet(std::size_t u) {
        const Scoresheet& sheet = sheets_[u];
        std::string out = fmt::format("单位: {}", sheet.unit);
        if (!sheet.group.empty()) out += fmt::format("  组别: {}", sheet.group);
        out += fmt::format("  证据: {}\n", sheet.file);
        if (sheet.nodes.size() != program_.nodes.size()) {
            diags_.internal(fmt::format("score sheet of '{}' does not match the program's nodes", sheet.unit));
            failed_ = true;
            return out;
        }
        std::vector<report::RuleExplanation> explanations;
        if (options_.explain && u < evidence_.units.size())
            explanations = report::explain_rules(program_, evidence_.units[u], sheet);

        std::vector<Row> rows;
        std::vector<std::string> heads{"序号", "考核内容", "满分", "扣分"};
        if (has_bonus_) heads.push_back("加分");
        heads.push_back("得分");
        rows.push_back(Row{heads, {}, false});
        for (std::uint32_t n = 1; n < program_.nodes.size(); ++n) {
            rows.push_back(Row{node_cells(n, sheet.nodes[n]), {}, false});
            if (options_.explain) explain_node(n, sheet, explanations, rows);
        }
        rows.push_back(Row{node_cells(0, sheet.nodes[0]), {}, false});
        if (options_.explain) explain_node(0, sheet, explanations, rows);
        std::vector<bool> right{false, false, true, true};
        if (has_bonus_) right.push_back(true);
        right.push_back(true);
        return out + render_table(rows, right);
    }

    static void free_line(std::vector<Row>& rows, std::string text) { rows.push_back(Row{{}, std::move(text), true}); }

    void explain_node(std::uint32_t n, const Scoresheet& sheet, const std::vector<report::RuleExplanation>& explanations,
                      std::vector<Row>& rows) const {
        for (std::uint32_t r : rules_[n]) {
            if (r >= sheet.rules.size() || r >= explanations.size()) continue;
            const bc::RuleInfo& rule = program_.rules[r];
            const RuleOutcome& outcome = sheet.rules[r];
            const std::string words = rule.says.empty() ? rule.source_text : fmt::format("「{}」", rule.says);
            std::string title = fmt::format("    {} ({}:{})", words, program_.info.source_name, rule.line);
            const std::string rule_text = without_says(rule.source_text);
            if (!rule.says.empty() && !rule_text.empty()) title += fmt::format("  `{}`", rule_text);
            if (!outcome.fired) title += "  not applied";
            free_line(rows, title);

            std::vector<std::string> parts;
            for (const auto& read : explanations[r].reads) parts.push_back(report::describe_read(read));
            for (const auto& step : explanations[r].steps) parts.push_back(step.text);
            std::string detail = fmt::format("{}", fmt::join(parts, "; "));
            if (outcome.fired) {
                const char* sign = rule.kind == bc::RuleKind::deduct ? "−" : "+";
                std::string effect = outcome.applied.is_zero() ? std::string("→ 0")
                                                               : fmt::format("→ {}{}", sign, outcome.applied.to_string());
                if (outcome.capped && rule.cap)
                    effect += fmt::format(" (capped at {}; the rule computed {})", rule.cap->to_string(),
                                          outcome.amount.to_string());
                detail += detail.empty() ? effect : " " + effect;
            }
            if (!detail.empty()) free_line(rows, "      " + detail);
        }
        const NodeOutcome& o = sheet.nodes[n];
        if (o.floored)
            free_line(rows, fmt::format("    扣完为止: deductions {} reach past the node's points; floored at 0",
                                        o.deducted.to_string()));
        if (o.capped) free_line(rows, fmt::format("    加满为止: capped at {}", o.full.to_string()));
    }

    std::string summary() {
        std::vector<Row> rows;
        rows.push_back(Row{{"单位", "组别", "总分"}, {}, false});
        for (const Scoresheet& sheet : sheets_)
            rows.push_back(Row{{sheet.unit, sheet.group, number(0, "total", sheet.total())}, {}, false});
        return "汇总\n" + render_table(rows, {false, false, true});
    }

    const bc::Program& program_;
    const EvidenceSet& evidence_;
    const std::vector<Scoresheet>& sheets_;
    const ReportOptions& options_;
    Diagnostics& diags_;
    NumberPrinter printer_;
    std::vector<std::string> numbers_;
    std::vector<std::vector<std::uint32_t>> rules_;
    std::set<std::uint32_t> unprintable_nodes_;  // each reported once, however many units share it
    bool has_bonus_ = false;
    bool failed_ = false;
};

}  // namespace

std::optional<std::string> write_text_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags) {
    if (program.nodes.empty()) {
        diags.internal("the program has no nodes");
        return std::nullopt;
    }
    return TextReport(program, evidence, sheets, options, diags).write();
}

}  // namespace kaohe
