// The JSON report. Every number is a string holding an exact decimal (or the display-rounded
// text, with the exact fraction beside it as "<name>_exact"), never a JSON float: a reader in
// any language gets the auditor's number, not a binary approximation of it.
#include "runtime/report.hpp"

#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace kaohe {
namespace {

// Minimal pretty-printing JSON writer: two-space indentation, keys in the order written (so the
// output is deterministic), strings escaped per RFC 8259 and any invalid UTF-8 byte replaced by
// U+FFFD so the output is always valid JSON.
class JsonWriter {
public:
    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    void key(std::string_view k) {
        element();
        write_string(k);
        out_ += ": ";
        after_key_ = true;
    }
    void string(std::string_view s) {
        element();
        write_string(s);
    }
    void boolean(bool b) {
        element();
        out_ += b ? "true" : "false";
    }
    void integer(std::uint64_t n) {
        element();
        out_ += std::to_string(n);
    }
    void null() {
        element();
        out_ += "null";
    }

    template <typename T>
    void field(std::string_view k, const T& v) {
        key(k);
        if constexpr (std::is_same_v<T, bool>) boolean(v);
        else if constexpr (std::is_integral_v<T>) integer(static_cast<std::uint64_t>(v));
        else string(v);
    }

    std::string take() {
        out_ += '\n';
        return std::move(out_);
    }

private:
    struct Level {
        bool empty = true;
    };

    // Before a value or key: a comma and a new line inside a container, nothing after a key.
    void element() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (levels_.empty()) return;
        if (!levels_.back().empty) out_ += ',';
        levels_.back().empty = false;
        newline(levels_.size());
    }
    void open(char c) {
        element();
        out_ += c;
        levels_.push_back(Level{});
    }
    void close(char c) {
        const bool empty = levels_.back().empty;
        levels_.pop_back();
        if (!empty) newline(levels_.size());
        out_ += c;
    }
    void newline(std::size_t depth) {
        out_ += '\n';
        out_.append(depth * 2, ' ');
    }

    static std::size_t utf8_length(std::string_view s, std::size_t i) {
        const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
        const unsigned char c = b(i);
        std::size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len <= 1 || i + len > s.size()) return len == 1 ? 1 : 0;
        for (std::size_t k = 1; k < len; ++k)
            if ((b(i + k) & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F) || (c == 0xF0 && b(i + 1) < 0x90) ||
            (c == 0xF4 && b(i + 1) > 0x8F))
            return 0;
        return len;
    }

    void write_string(std::string_view s) {
        out_ += '"';
        for (std::size_t i = 0; i < s.size();) {
            const unsigned char c = static_cast<unsigned char>(s[i]);
            const std::size_t len = utf8_length(s, i);
            if (len == 0) {
                out_ += "\\ufffd";
                ++i;
                continue;
            }
            if (len > 1) {
                out_.append(s.substr(i, len));
                i += len;
                continue;
            }
            switch (c) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\b': out_ += "\\b"; break;
            case '\f': out_ += "\\f"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7f) out_ += fmt::format("\\u{:04x}", c);
                else out_ += static_cast<char>(c);
            }
            ++i;
        }
        out_ += '"';
    }

    std::string out_;
    std::vector<Level> levels_;
    bool after_key_ = false;
};

const char* rule_kind_name(bc::RuleKind kind) {
    switch (kind) {
    case bc::RuleKind::deduct: return "deduct";
    case bc::RuleKind::award: return "award";
    case bc::RuleKind::score: return "score";
    }
    return "deduct";
}

const char* kind_name(bc::NodeKind kind) {
    switch (kind) {
    case bc::NodeKind::scheme: return "scheme";
    case bc::NodeKind::section: return "section";
    case bc::NodeKind::item: return "item";
    case bc::NodeKind::clause: return "clause";
    }
    return "item";
}

class JsonReport {
public:
    JsonReport(const bc::Program& program, const EvidenceSet& evidence, const std::vector<Scoresheet>& sheets,
               const ReportOptions& options, Diagnostics& diags)
        : program_(program), evidence_(evidence), sheets_(sheets), options_(options), diags_(diags),
          printer_(program.info), numbers_(report::node_numbers(program)), rules_(report::rules_by_node(program)),
          extras_(report::extra_points(program)), check_(program, diags) {}

    std::optional<std::string> write() {
        json_.begin_object();
        json_.field("kaohe_version", std::string(report::kaohe_version()));
        scheme();
        json_.key("evidence");
        json_.begin_array();
        for (const EvidenceInput& input : evidence_.inputs) {
            json_.begin_object();
            json_.field("file", input.file);
            json_.field("sha256", to_hex(input.sha256));
            if (input.encoding == TextEncoding::gbk) json_.field("encoding", std::string("GBK"));
            json_.end_object();
        }
        json_.end_array();
        ranking();
        json_.key("units");
        json_.begin_array();
        for (std::size_t u : report::shown_sheets(sheets_, options_)) unit(u);
        json_.end_array();
        json_.end_object();
        if (failed_ || check_.failed()) return std::nullopt;
        return json_.take();
    }

private:
    void scheme() {
        const bc::SchemeInfo& info = program_.info;
        json_.key("scheme");
        json_.begin_object();
        json_.field("name", info.source_name);
        json_.field("sha256", to_hex(info.source_sha256));
        json_.field("title", info.title);
        json_.field("issuer", info.issuer);
        json_.field("document", info.document);
        json_.field("year", info.year);
        json_.field("assesses", info.assesses);
        json_.key("groups");
        json_.begin_array();
        for (const auto& g : info.groups) json_.string(g);
        json_.end_array();
        json_.key("display");
        if (info.display_places) {
            json_.begin_object();
            json_.field("places", *info.display_places);
            json_.field("mode", std::string(report::rounding_name(info.display_mode)));
            json_.end_object();
        } else {
            json_.null();
        }
        json_.end_object();
    }

    // "name": "9.33" and, when display rounding changed it, "name_exact": "28/3".
    void number(std::string_view name, std::uint32_t node, std::string_view what, const Decimal& value) {
        auto printed = printer_.print(value);
        if (!printed) {
            if (unprintable_nodes_.insert(node).second) report::report_unprintable(program_, node, what, value, diags_);
            failed_ = true;
            json_.field(name, std::string("?"));
            return;
        }
        json_.field(name, printed->text);
        if (printed->exact) json_.field(fmt::format("{}_exact", name), *printed->exact);
    }

    // "name": "3600" (with "name_exact" when display rounding changed it) for an amount of money.
    void money_number(std::string_view name, std::uint32_t m, std::string_view what, const Decimal& value) {
        auto printed = printer_.print(value);
        if (!printed) {
            if (unprintable_money_.insert(m).second) report::report_unprintable_money(program_, m, what, value, diags_);
            failed_ = true;
            json_.field(name, std::string("?"));
            return;
        }
        json_.field(name, printed->text);
        if (printed->exact) json_.field(fmt::format("{}_exact", name), *printed->exact);
    }

    bool has_grades() const { return program_.grading.choice_type < program_.choice_types.size(); }

    // The grade's name, or null without grading.
    void grade_name(const Scoresheet& sheet) {
        if (has_grades()) json_.string(report::grade_name(program_, sheet.grade));
        else json_.null();
    }

    // The ranking table: by rank, ties in input order.
    void ranking() {
        json_.key("ranking");
        json_.begin_array();
        for (std::size_t u : report::ranking_order(sheets_)) {
            const Scoresheet& sheet = sheets_[u];
            if (!check_(sheet)) continue;
            json_.begin_object();
            json_.field("rank", sheet.rank);
            json_.field("unit", sheet.unit);
            json_.field("group", sheet.group);
            number("total", 0, "total", sheet.total());
            json_.key("grade");
            grade_name(sheet);
            json_.key("money");
            json_.begin_array();
            for (std::uint32_t m = 0; m < program_.money.size(); ++m) {
                json_.begin_object();
                json_.field("name", program_.money[m].name);
                money_number("amount", m, "amount", sheet.money[m].amount);
                json_.end_object();
            }
            json_.end_array();
            if (!program_.flags.empty()) {  // only for a scheme with flags: other reports are unchanged
                json_.key("flags");
                json_.begin_array();
                for (std::uint32_t f = 0; f < program_.flags.size(); ++f)
                    if (sheet.flags[f]) json_.string(program_.flags[f].name);
                json_.end_array();
            }
            json_.end_object();
        }
        json_.end_array();
    }

    // Every flag of the scheme (present only when it declares flags): whether the unit carries
    // it, the scheme line, and with --explain what its condition read.
    void flags(const Scoresheet& sheet, const report::UnitExplanation* why) {
        if (program_.flags.empty()) return;
        json_.key("flags");
        json_.begin_array();
        for (std::uint32_t f = 0; f < program_.flags.size(); ++f) {
            const bc::Flag& flag = program_.flags[f];
            json_.begin_object();
            json_.field("name", flag.name);
            json_.field("carried", static_cast<bool>(sheet.flags[f]));
            json_.field("line", flag.line);
            json_.field("says", flag.says);
            json_.field("source", flag.source_text);
            if (why && f < why->flags.size()) explanation(why->flags[f]);
            json_.end_object();
        }
        json_.end_array();
    }

    // Where a scheme line (veto, forfeit) is, with its words; null when none applied.
    void scheme_line(std::uint32_t line, const std::string& says, const std::string& source) {
        json_.begin_object();
        json_.field("line", line);
        json_.field("says", says);
        json_.field("source", source);
        json_.end_object();
    }

    void grade(const Scoresheet& sheet, const report::UnitExplanation* why) {
        json_.key("grade");
        if (!has_grades()) {
            json_.null();
            return;
        }
        const bc::Grading& grading = program_.grading;
        const auto& values = program_.choice_types[grading.choice_type].values;
        json_.begin_object();
        json_.field("name", report::grade_name(program_, sheet.grade));
        json_.key("veto");
        if (sheet.grade.veto < grading.vetoes.size()) {
            const bc::Veto& veto = grading.vetoes[sheet.grade.veto];
            scheme_line(veto.line, veto.says, veto.source_text);
        } else {
            json_.null();
        }
        json_.key("quota_missed");
        if (sheet.grade.quota_missed < values.size()) json_.string(values[sheet.grade.quota_missed]);
        else json_.null();
        json_.field("quota_tie", sheet.grade.quota_tie);
        if (why) {
            json_.key("vetoes");
            json_.begin_array();
            for (std::uint32_t v = 0; v < grading.vetoes.size() && v < why->vetoes.size(); ++v) {
                const bc::Veto& veto = grading.vetoes[v];
                json_.begin_object();
                json_.field("line", veto.line);
                json_.field("says", veto.says);
                json_.field("source", veto.source_text);
                json_.field("applied", sheet.grade.veto == v);
                explanation(why->vetoes[v]);
                json_.end_object();
            }
            json_.end_array();
        }
        json_.end_object();
    }

    void money(const Scoresheet& sheet, const report::UnitExplanation* why) {
        json_.key("money");
        json_.begin_array();
        for (std::uint32_t m = 0; m < program_.money.size(); ++m) {
            const MoneyOutcome& o = sheet.money[m];
            json_.begin_object();
            json_.field("name", program_.money[m].name);
            money_number("amount", m, "amount", o.amount);
            money_number("computed", m, "computed amount", o.computed);
            json_.key("forfeit");
            if (o.forfeit < program_.forfeits.size()) {
                const bc::Forfeit& forfeit = program_.forfeits[o.forfeit];
                scheme_line(forfeit.line, forfeit.says, forfeit.source_text);
            } else {
                json_.null();
            }
            if (why && m < why->money.size()) {
                explanation(why->money[m]);
                json_.key("forfeits");
                json_.begin_array();
                for (std::uint32_t f = 0; f < program_.forfeits.size() && f < why->forfeits.size(); ++f) {
                    const bc::Forfeit& forfeit = program_.forfeits[f];
                    if (forfeit.money != m) continue;
                    json_.begin_object();
                    json_.field("line", forfeit.line);
                    json_.field("says", forfeit.says);
                    json_.field("source", forfeit.source_text);
                    json_.field("applied", o.forfeit == f);
                    explanation(why->forfeits[f]);
                    json_.end_object();
                }
                json_.end_array();
            }
            json_.end_object();
        }
        json_.end_array();
    }

    void unit(std::size_t u) {
        const Scoresheet& sheet = sheets_[u];
        const UnitEvidence* evidence = u < evidence_.units.size() ? &evidence_.units[u] : nullptr;
        json_.begin_object();
        json_.field("unit", sheet.unit);
        json_.field("group", sheet.group);
        json_.field("file", sheet.file);
        if (!check_(sheet)) {
            json_.end_object();
            return;
        }
        json_.field("rank", sheet.rank);
        number("total", 0, "total", sheet.total());
        report::UnitExplanation why;
        if (options_.explain && evidence) why = report::explain_unit(program_, *evidence, sheet);
        const bool explained = options_.explain && evidence;
        grade(sheet, explained ? &why : nullptr);
        money(sheet, explained ? &why : nullptr);
        flags(sheet, explained ? &why : nullptr);
        const std::vector<report::RuleExplanation>& explanations = why.rules;
        json_.key("nodes");
        json_.begin_array();
        for (std::uint32_t n = 0; n < program_.nodes.size(); ++n) node(n, sheet, evidence, explanations);
        json_.end_array();
        json_.end_object();
    }

    void node(std::uint32_t n, const Scoresheet& sheet, const UnitEvidence* evidence,
              const std::vector<report::RuleExplanation>& explanations) {
        const bc::NodeInfo& info = program_.nodes[n];
        const NodeOutcome& o = sheet.nodes[n];
        json_.begin_object();
        json_.field("path", numbers_[n]);
        json_.field("kind", std::string(kind_name(info.kind)));
        json_.field("name", info.name);
        json_.field("label", info.label);
        json_.field("line", info.line);
        json_.field("bonus", info.bonus);
        json_.field("extra", info.extra);
        json_.field("computed", info.computed);
        number("full", n, "full marks", o.full);
        number("extras", n, "extra points", extras_[n]);
        number("score", n, "score", o.score);
        number("lost", n, "lost points", o.full + extras_[n] - o.score);
        number("deducted", n, "deduction", o.deducted);
        number("awarded", n, "award", o.awarded);
        json_.field("floored", o.floored);
        json_.field("capped", o.capped);
        if (const Decimal* self = report::self_score(evidence, n)) {
            number("self", n, "self-assessed score", *self);
            number("difference", n, "self-assessment difference", *self - o.score);
        } else {
            json_.key("self");
            json_.null();
            json_.key("difference");
            json_.null();
        }
        json_.key("rules");
        json_.begin_array();
        for (std::uint32_t r : rules_[n]) rule(r, n, sheet, explanations);
        json_.end_array();
        json_.end_object();
    }

    void rule(std::uint32_t r, std::uint32_t n, const Scoresheet& sheet,
              const std::vector<report::RuleExplanation>& explanations) {
        const bc::RuleInfo& info = program_.rules[r];
        const RuleOutcome& o = sheet.rules[r];
        json_.begin_object();
        json_.field("line", info.line);
        json_.field("kind", std::string(rule_kind_name(info.kind)));
        json_.field("says", info.says);
        json_.field("source", info.source_text);
        json_.field("fired", o.fired);
        number("amount", n, "rule amount", o.amount);
        number("applied", n, "rule amount", o.applied);
        json_.field("capped", o.capped);
        if (options_.explain && r < explanations.size()) explanation(explanations[r]);
        json_.end_object();
    }

    // The fields of an explanation: reads, nodes, aggregates, lists, steps.
    void explanation(const report::RuleExplanation& why) {
        json_.key("reads");
        json_.begin_array();
        for (const auto& read : why.reads) this->read(read);
        json_.end_array();
        json_.key("nodes");
        json_.begin_array();
        for (const auto& read : why.nodes) {
            json_.begin_object();
            json_.field("path", read.path);
            json_.field("name", read.name);
            json_.field("score", read.score);
            json_.end_object();
        }
        json_.end_array();
        json_.key("aggregates");
        json_.begin_array();
        for (const auto& agg : why.aggregates) {
            json_.begin_object();
            json_.field("kind", agg.kind);
            json_.field("expression", agg.expr);
            json_.field("value", agg.value);
            json_.field("in_scope", agg.in_scope);
            if (!agg.own.empty()) json_.field("unit_value", agg.own);
            if (agg.kind == "rank" && !agg.own.empty()) json_.field("tied", agg.tied);
            if ((agg.kind == "bottom" || agg.kind == "top") && !agg.own.empty()) {
                json_.key("cutoff");
                if (agg.cutoff.empty()) json_.null();
                else json_.string(agg.cutoff);
                json_.field("selected", agg.selected);
            }
            json_.field("text", agg.text);
            json_.end_object();
        }
        json_.end_array();
        json_.key("lists");
        json_.begin_array();
        for (const auto& list : why.lists) {
            json_.begin_object();
            json_.field("kind", list.kind);
            json_.field("list", list.list);
            json_.field("records", list.records);
            json_.field("value", list.value);
            json_.field("text", list.text);
            json_.end_object();
        }
        json_.end_array();
        json_.key("steps");
        json_.begin_array();
        for (const auto& step : why.steps) {
            json_.begin_object();
            json_.field("op", step.op);
            json_.field("lhs", step.lhs);
            json_.field("rhs", step.rhs);
            json_.field("result", step.result);
            json_.field("text", step.text);
            json_.end_object();
        }
        json_.end_array();
    }

    void read(const report::ReadView& read) {
        json_.begin_object();
        json_.field("evidence", read.name);
        if (read.record != bc::no_index) {
            json_.field("record", read.record + 1);
            json_.field("field", read.field);
        }
        json_.field("value", read.exact);
        json_.field("shown", read.value);
        if (read.origin) {
            json_.field("file", read.origin->file);
            json_.field("line", read.origin->line);
            json_.field("source", read.origin->source);
            json_.field("default", read.origin->line == 0);
        }
        json_.end_object();
    }

    const bc::Program& program_;
    const EvidenceSet& evidence_;
    const std::vector<Scoresheet>& sheets_;
    const ReportOptions& options_;
    Diagnostics& diags_;
    report::NumberPrinter printer_;
    std::vector<std::string> numbers_;
    std::vector<std::vector<std::uint32_t>> rules_;
    std::vector<Decimal> extras_;
    JsonWriter json_;
    std::set<std::uint32_t> unprintable_nodes_;
    std::set<std::uint32_t> unprintable_money_;
    report::SheetCheck check_;
    bool failed_ = false;
};

}  // namespace

std::optional<std::string> write_json_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags) {
    return report::write_with<JsonReport>(program, evidence, sheets, options, diags);
}

}  // namespace kaohe
