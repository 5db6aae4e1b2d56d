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
namespace {

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

}  // namespace

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

void report_unprintable_money(const bc::Program& program, std::uint32_t money, std::string_view what,
                              const Decimal& value, Diagnostics& diags) {
    const bc::Money& info = program.money[money];
    diags.error(program.info.source_name, Span{SourcePos{info.line, 1}, 1},
                fmt::format("{} {} of '{}' cannot be printed exactly; declare `display 2 half_up` or round it in the "
                            "scheme",
                            what, value.to_fraction_string(), info.name));
}

bool matches_program(const bc::Program& program, const Scoresheet& sheet) {
    const bool grades = program.grading.choice_type < program.choice_types.size();
    return sheet.nodes.size() == program.nodes.size() && sheet.rules.size() == program.rules.size() &&
           sheet.money.size() == program.money.size() && sheet.flags.size() == program.flags.size() &&
           (!grades || !grade_name(program, sheet.grade).empty());
}

std::vector<std::size_t> ranking_order(const std::vector<Scoresheet>& sheets) {
    std::vector<std::size_t> order(sheets.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sheets[a].rank < sheets[b].rank; });
    return order;
}

bool has_self_scores(const EvidenceSet& evidence) {
    return std::any_of(evidence.units.begin(), evidence.units.end(), [](const UnitEvidence& unit) {
        return std::any_of(unit.self_scores.begin(), unit.self_scores.end(), [](const auto& s) { return s.has_value(); });
    });
}

const Decimal* self_score(const UnitEvidence* unit, std::uint32_t node) {
    if (!unit || node >= unit->self_scores.size() || !unit->self_scores[node]) return nullptr;
    return &*unit->self_scores[node];
}

std::string grade_name(const bc::Program& program, const GradeOutcome& grade) {
    const std::uint32_t type = program.grading.choice_type;
    if (type >= program.choice_types.size() || grade.grade >= program.choice_types[type].values.size()) return {};
    return program.choice_types[type].values[grade.grade];
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

std::vector<Decimal> extra_points(const bc::Program& program) { return bc::allowances(program.nodes); }

std::vector<Decimal> full_with_extras(const bc::Program& program) {
    std::vector<Decimal> most = extra_points(program);
    for (std::size_t i = 0; i < program.nodes.size(); ++i) most[i] = program.nodes[i].full + most[i];
    return most;
}

std::vector<std::vector<std::uint32_t>> rules_by_node(const bc::Program& program) {
    std::vector<std::vector<std::uint32_t>> by_node(program.nodes.size());
    for (std::uint32_t r = 0; r < program.rules.size(); ++r)
        if (program.rules[r].node < by_node.size()) by_node[program.rules[r].node].push_back(r);
    return by_node;
}

SheetLayout::SheetLayout(const bc::Program& program, const EvidenceSet& evidence)
    : numbers(node_numbers(program)), rules(rules_by_node(program)), extras(extra_points(program)),
      most(full_with_extras(program)),
      has_bonus(std::any_of(program.nodes.begin(), program.nodes.end(), [](const auto& n) { return n.bonus; })),
      has_self(has_self_scores(evidence)),
      has_grades(program.grading.choice_type < program.choice_types.size()) {}

bool SheetCheck::operator()(const Scoresheet& sheet) {
    if (matches_program(program_, sheet)) return true;
    if (reported_.insert(sheet.unit).second)
        diags_.internal(fmt::format("score sheet of '{}' does not match the program", sheet.unit));
    failed_ = true;
    return false;
}

std::vector<std::string> stamp_lines(const bc::Program& program, const EvidenceSet& evidence) {
    const bc::SchemeInfo& info = program.info;
    std::vector<std::string> lines{fmt::format("kaohe {}", kaohe_version()),
                                   fmt::format("scheme: {}  sha256:{}", info.source_name, to_hex(info.source_sha256))};
    for (const EvidenceInput& input : evidence.inputs)
        lines.push_back(fmt::format("evidence: {}  sha256:{}{}", input.file, to_hex(input.sha256),
                                    input.encoding == TextEncoding::gbk ? "  encoding: GBK" : ""));
    return lines;
}

namespace {

// A tally: "{好: 20, 较好: 8, 一般: 2, 较差: 0}".
std::string tally_text(const bc::Program& program, const bc::FieldSpec* spec, const Value& v) {
    if (!v.list || v.list->empty()) return "{}";
    const Record& counts = v.list->front();
    const std::vector<std::string>* names = nullptr;
    if (spec && spec->choice_type < program.choice_types.size()) names = &program.choice_types[spec->choice_type].values;
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::string name = names && i < names->size() ? (*names)[i] : fmt::format("#{}", i);
        parts.push_back(fmt::format("{}: {}", name, counts[i].number.to_string()));
    }
    return fmt::format("{{{}}}", fmt::join(parts, ", "));
}

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
    case Value::Tag::votes: return tally_text(program, spec, v);
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

const char* aggregate_kind_name(bc::AggregateKind kind) {
    switch (kind) {
    case bc::AggregateKind::rank: return "rank";
    case bc::AggregateKind::mean: return "mean";
    case bc::AggregateKind::max: return "max";
    case bc::AggregateKind::min: return "min";
    case bc::AggregateKind::sum: return "sum";
    case bc::AggregateKind::count: return "count";
    case bc::AggregateKind::bottom: return "bottom";
    case bc::AggregateKind::top: return "top";
    }
    return "aggregate";
}

NodeReadView node_read_view(const bc::Program& program, const std::vector<std::string>& numbers, const TraceEvent& ev) {
    NodeReadView view;
    view.node = ev.index;
    view.score = ev.result.to_string();
    if (ev.index < program.nodes.size()) {
        const bc::NodeInfo& node = program.nodes[ev.index];
        view.path = numbers[ev.index];
        view.name = node.name.empty() ? node.label : node.name;
    }
    view.text = view.path.empty() ? fmt::format("{} = {}", view.name, view.score)
                                  : fmt::format("{} = {} (node {})", view.name, view.score, view.path);
    return view;
}

// "5th", "1st", "22nd": the place of a cut-off.
std::string ordinal(const Decimal& n) {
    const std::string digits = n.to_string();
    const auto last_two = n.is_integer() && digits.size() >= 2 ? digits.substr(digits.size() - 2) : std::string();
    const char last = digits.empty() ? '0' : digits.back();
    const char* suffix = "th";
    if (last_two != "11" && last_two != "12" && last_two != "13") {
        if (last == '1') suffix = "st";
        else if (last == '2') suffix = "nd";
        else if (last == '3') suffix = "rd";
    }
    return digits + suffix;
}

// "rank 线上考核分 among 镇 = 3 (of 8 units; 线上考核分 = 92, tied with 1 other)": the expression
// as written, with `among group` naming the unit's group, its value, and how many units it was
// taken over; for bottom/top the unit's value, the cut-off and whether ties extended the set.
AggregateView aggregate_view(const bc::Program& program, const Scoresheet& sheet, const TraceEvent& ev) {
    AggregateView view;
    view.aggregate = ev.index;
    view.in_scope = ev.in_scope;
    if (ev.index >= program.aggregates.size()) {
        view.kind = "aggregate";
        view.value = ev.result.to_string();
        view.text = fmt::format("aggregate #{} = {}", ev.index, view.value);
        return view;
    }
    const bc::Aggregate& agg = program.aggregates[ev.index];
    view.kind = aggregate_kind_name(agg.kind);
    view.expr = agg.source_text;
    constexpr std::string_view among_group = "among group";
    if (const auto at = view.expr.find(among_group); at != std::string::npos && !sheet.group.empty())
        view.expr.replace(at, among_group.size(), "among " + sheet.group);
    const bool yes_no = agg.kind == bc::AggregateKind::bottom || agg.kind == bc::AggregateKind::top;
    view.value = yes_no ? (ev.result.is_zero() ? "no" : "yes") : ev.result.to_string();
    if (agg.value < program.population_inputs.size()) view.input = program.population_inputs[agg.value].source_text;
    if (ev.own) view.own = ev.own->to_string();
    if (ev.cutoff) view.cutoff = ev.cutoff->to_string();
    view.selected = ev.selected;
    view.tied = ev.tied;
    const std::string units = fmt::format("{} unit{}", ev.in_scope, ev.in_scope == 1 ? "" : "s");
    const std::string own = ev.own && !view.input.empty() ? fmt::format("{} = {}", view.input, view.own) : std::string();
    switch (agg.kind) {
    case bc::AggregateKind::rank: {
        std::string detail = units;
        if (!own.empty()) detail += "; " + own;
        if (ev.own && ev.tied > 0) detail += fmt::format(", tied with {} other{}", ev.tied, ev.tied == 1 ? "" : "s");
        view.text = fmt::format("{} = {} (of {})", view.expr, view.value, detail);
        break;
    }
    case bc::AggregateKind::bottom:
    case bc::AggregateKind::top: {
        if (!ev.own) {  // the unit's `where` leaves it out: it is in no set
            view.text = fmt::format("{} = {} (of {})", view.expr, view.value, units);
            break;
        }
        const bool bottom = agg.kind == bc::AggregateKind::bottom;
        std::string how;
        if (ev.cutoff) {
            how = fmt::format("cut-off {} (the {} {})", view.cutoff, ordinal(agg.n), bottom ? "lowest" : "highest");
            if (Decimal{static_cast<std::int64_t>(ev.selected)} > agg.n) how += ", ties included";
        } else {
            how = fmt::format("at most {} units, so all are in", agg.n.to_string());
        }
        view.text = fmt::format("{}; {}: {} → {} (of {}, {} in the {} set)", own, view.expr, how, view.value, units,
                                ev.selected, bottom ? "bottom" : "top");
        break;
    }
    case bc::AggregateKind::count: view.text = fmt::format("{} = {}", view.expr, view.value); break;
    default: view.text = fmt::format("{} = {} ({})", view.expr, view.value, units);
    }
    return view;
}

const char* fold_name(TraceEvent::Fold fold) {
    switch (fold) {
    case TraceEvent::Fold::sum: return "sum";
    case TraceEvent::Fold::count: return "count";
    case TraceEvent::Fold::max: return "max";
    case TraceEvent::Fold::min: return "min";
    case TraceEvent::Fold::any: return "any";
    case TraceEvent::Fold::all: return "all";
    case TraceEvent::Fold::none: break;
    }
    return "fold";
}

// "sum over 未完成任务 (2 records) = 3.5", "count over 违纪案件 = 3" (every record counted),
// "count over 违纪案件 (5 records) = 3" (a condition chose 3).
ListView list_view(TraceEvent::Fold fold, const std::string& list, std::uint32_t records, std::string value) {
    ListView view;
    view.kind = fold_name(fold);
    view.list = list;
    view.records = records;
    view.value = std::move(value);
    const std::string of = fmt::format("{} record{}", records, records == 1 ? "" : "s");
    if (fold == TraceEvent::Fold::count && view.value == std::to_string(records))
        view.text = fmt::format("count over {} = {}", list, view.value);
    else
        view.text = fmt::format("{} over {} ({}) = {}", view.kind, list, of, view.value);
    return view;
}

// The name a list summary shows: the list's evidence name, or for a list inside a record of
// another list, "a list in NAME".
std::string list_name(const bc::Program& program, const TraceEvent& ev) {
    const std::string name = ev.slot < program.evidence.size() ? program.evidence[ev.slot].name : std::string("a list");
    return ev.nested ? "a list in " + name : name;
}

// One unit's trace, turned into the views of what each step belongs to.
class Explainer {
public:
    Explainer(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet)
        : program_(program), unit_(unit), sheet_(sheet) {
        out_.rules.resize(program.rules.size());
        out_.vetoes.resize(program.grading.vetoes.size());
        out_.money.resize(program.money.size());
        out_.forfeits.resize(program.forfeits.size());
        out_.flags.resize(program.flags.size());
    }

    UnitExplanation run() {
        for (const TraceEvent& ev : sheet_.trace) {
            RuleExplanation* into = target(ev);
            if (!into) continue;
            switch (ev.kind) {
            case TraceEvent::Kind::arithmetic: arithmetic(ev, *into); break;
            case TraceEvent::Kind::node:
                if (numbers_.empty()) numbers_ = node_numbers(program_);
                into->nodes.push_back(node_read_view(program_, numbers_, ev));
                break;
            case TraceEvent::Kind::aggregate: into->aggregates.push_back(aggregate_view(program_, sheet_, ev)); break;
            case TraceEvent::Kind::list: list(ev, *into); break;
            case TraceEvent::Kind::read: read(ev, *into); break;
            }
        }
        return std::move(out_);
    }

private:
    // Where an event's view goes; null for a population input's (not shown) or an index out of range.
    RuleExplanation* target(const TraceEvent& ev) {
        const auto pick = [](std::vector<RuleExplanation>& v, std::uint32_t i) { return i < v.size() ? &v[i] : nullptr; };
        switch (ev.part) {
        case TraceEvent::Part::rule: return pick(out_.rules, ev.rule);
        case TraceEvent::Part::veto: return pick(out_.vetoes, ev.part_index);
        case TraceEvent::Part::money: return pick(out_.money, ev.part_index);
        case TraceEvent::Part::forfeit: return pick(out_.forfeits, ev.part_index);
        case TraceEvent::Part::flag: return pick(out_.flags, ev.part_index);
        case TraceEvent::Part::input: return nullptr;
        }
        return nullptr;
    }

    void arithmetic(const TraceEvent& ev, RuleExplanation& into) {
        // x + 0 explains nothing (it is how sums and `per missing` counts start).
        if (ev.op == bc::Op::ADD && (ev.lhs.is_zero() || ev.rhs.is_zero())) return;
        // mean(L, ...) is lowered as sum over L ÷ count over L: the three show as one step.
        if (ev.op == bc::Op::DIV && into.lists.size() >= 2 && last_lists_ == &into && steps_at_lists_ == into.steps.size()) {
            ListView& sum = into.lists[into.lists.size() - 2];
            const ListView& count = into.lists.back();
            if (sum.kind == "sum" && count.kind == "count" && sum.list == count.list && sum.value == ev.lhs.to_string() &&
                count.value == ev.rhs.to_string() && count.value == std::to_string(count.records)) {
                ListView mean = list_view(TraceEvent::Fold::sum, sum.list, sum.records, ev.result.to_string());
                mean.kind = "mean";
                mean.after_steps = sum.after_steps;
                mean.text = fmt::format("mean over {} ({} record{}) = {}", mean.list, mean.records,
                                        mean.records == 1 ? "" : "s", mean.value);
                into.lists.pop_back();
                into.lists.back() = std::move(mean);
                last_lists_ = nullptr;
                return;
            }
        }
        into.steps.push_back(step_view(ev));
    }

    void list(const TraceEvent& ev, RuleExplanation& into) {
        const std::string value = ev.value.tag == Value::Tag::yes_no ? (ev.value.yes ? "yes" : "no") : ev.result.to_string();
        into.lists.push_back(list_view(ev.fold, list_name(program_, ev), ev.in_scope, value));
        into.lists.back().after_steps = into.steps.size();
        last_lists_ = &into;
        steps_at_lists_ = into.steps.size();
    }

    void read(const TraceEvent& ev, RuleExplanation& into) {
        if (ev.slot >= program_.evidence.size()) return;
        const bc::FieldSpec* spec = &program_.evidence[ev.slot];
        // A list read again (mean reads it for its sum and its count) says nothing new.
        if (ev.value.tag == Value::Tag::list && ev.record == bc::no_index &&
            std::any_of(into.reads.begin(), into.reads.end(), [&](const ReadView& r) {
                return r.record == bc::no_index && r.name == spec->name;
            }))
            return;
        ReadView read;
        read.name = spec->name;
        if (ev.slot < unit_.origins.size()) read.origin = &unit_.origins[ev.slot];
        if (ev.record != bc::no_index) {
            read.record = ev.record;
            // A record of a list built from `+=` lines has its own line and source.
            if (!ev.nested && ev.slot < unit_.record_origins.size() && ev.record < unit_.record_origins[ev.slot].size())
                read.origin = &unit_.record_origins[ev.slot][ev.record];
            if (ev.field < spec->fields.size() && !ev.nested) {
                read.field = spec->fields[ev.field].name;
                read.name = fmt::format("{}[{}].{}", spec->name, ev.record + 1, read.field);
                spec = &spec->fields[ev.field];
            } else if (ev.nested) {
                read.name = fmt::format("a list in {}, record {}", spec->name, ev.record + 1);
                spec = nullptr;
            }
        }
        read.value = shown_value(program_, spec, ev.value);
        read.exact = bare_value(program_, spec, ev.value);
        into.reads.push_back(std::move(read));
    }

    const bc::Program& program_;
    const UnitEvidence& unit_;
    const Scoresheet& sheet_;
    UnitExplanation out_;
    std::vector<std::string> numbers_;
    // The explanation whose last two lists may be a mean's sum and count, and its step count
    // then: a DIV right after them (no step between) divides the one by the other.
    const RuleExplanation* last_lists_ = nullptr;
    std::size_t steps_at_lists_ = 0;
};

}  // namespace

UnitExplanation explain_unit(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet) {
    return Explainer(program, unit, sheet).run();
}

std::vector<RuleExplanation> explain_rules(const bc::Program& program, const UnitEvidence& unit, const Scoresheet& sheet) {
    return explain_unit(program, unit, sheet).rules;
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

std::vector<std::size_t> named_sheets(const std::vector<Scoresheet>& sheets, const std::vector<std::string>& names) {
    std::vector<std::size_t> chosen;
    for (const std::string& name : names) {
        const auto it = std::find_if(sheets.begin(), sheets.end(), [&](const Scoresheet& s) { return s.unit == name; });
        if (it == sheets.end()) continue;
        const auto u = static_cast<std::size_t>(it - sheets.begin());
        if (std::find(chosen.begin(), chosen.end(), u) == chosen.end()) chosen.push_back(u);
    }
    return chosen;
}

std::vector<std::size_t> shown_sheets(const std::vector<Scoresheet>& sheets, const ReportOptions& options) {
    if (!options.all_sheets && !options.sheets.empty()) return named_sheets(sheets, options.sheets);
    std::vector<std::size_t> all(sheets.size());
    for (std::size_t u = 0; u < all.size(); ++u) all[u] = u;
    return all;
}

std::string without_says(const std::string& source_text) {
    const auto at = source_text.rfind(" says \"");
    return at == std::string::npos ? source_text : source_text.substr(0, at);
}

const char* rounding_name(Rounding mode) {
    switch (mode) {
    case Rounding::half_up: return "half_up";
    case Rounding::half_even: return "half_even";
    case Rounding::down: return "down";
    case Rounding::up: return "up";
    }
    return "half_up";
}

std::string rule_words(const std::string& says, const std::string& source_text) {
    return says.empty() ? source_text : fmt::format("「{}」", says);
}

std::string shown_rule_text(const bc::RuleInfo& rule) {
    std::string text = without_says(rule.source_text);
    constexpr std::string_view score_word = "score ";
    if (rule.kind == bc::RuleKind::score && text.rfind(score_word, 0) == 0) text = "= " + text.substr(score_word.size());
    return text;
}

std::string signed_text(const Decimal& value, const std::string& printed) {
    return value.sign() > 0 ? "+" + printed : printed;
}

std::vector<std::string> arithmetic_texts(const RuleExplanation& why) {
    std::vector<std::string> parts;
    std::size_t list = 0;
    for (std::size_t step = 0; step <= why.steps.size(); ++step) {
        for (; list < why.lists.size() && why.lists[list].after_steps <= step; ++list) parts.push_back(why.lists[list].text);
        if (step < why.steps.size()) parts.push_back(why.steps[step].text);
    }
    return parts;
}

std::string explanation_text(const RuleExplanation& why) {
    std::vector<std::string> parts;
    for (const auto& read : why.reads) parts.push_back(describe_read(read));
    for (const auto& node : why.nodes) parts.push_back(node.text);
    for (const auto& agg : why.aggregates) parts.push_back(agg.text);
    for (std::string& step : arithmetic_texts(why)) parts.push_back(std::move(step));
    return fmt::format("{}", fmt::join(parts, "; "));
}

std::string rule_effect(const bc::RuleInfo& rule, const RuleOutcome& outcome) {
    if (!outcome.fired) return {};
    if (rule.kind == bc::RuleKind::score) return fmt::format("→ {}", outcome.amount.to_string());
    const char* sign = rule.kind == bc::RuleKind::deduct ? "−" : "+";
    std::string effect = outcome.applied.is_zero() ? std::string("→ 0") : fmt::format("→ {}{}", sign, outcome.applied.to_string());
    if (outcome.capped && rule.cap)
        effect += fmt::format(" (capped at {}; the rule computed {})", rule.cap->to_string(), outcome.amount.to_string());
    return effect;
}

std::string rule_heading(const bc::Program& program, const bc::RuleInfo& rule, const RuleOutcome& outcome) {
    const std::string rule_text = shown_rule_text(rule);
    const std::string words = rule.says.empty() ? rule_text : fmt::format("「{}」", rule.says);
    std::string heading = fmt::format("{} ({}:{})", words, program.info.source_name, rule.line);
    if (!rule.says.empty() && !rule_text.empty()) heading += fmt::format("  `{}`", rule_text);
    if (!outcome.fired) heading += "  not applied";
    return heading;
}

std::string rule_detail(const bc::RuleInfo& rule, const RuleOutcome& outcome, const RuleExplanation& why) {
    std::string detail = explanation_text(why);
    if (const std::string effect = rule_effect(rule, outcome); !effect.empty()) detail += detail.empty() ? effect : " " + effect;
    return detail;
}

const char* applied_text(std::uint32_t decided, std::uint32_t which) {
    if (decided == which) return "  applied";
    return decided == bc::no_index ? "  not applied" : "";
}

PrintedNumber ReportNumbers::score(std::uint32_t node, std::string_view what, const Decimal& value) {
    if (auto printed = printer_.print(value)) return std::move(*printed);
    if (unprintable_nodes_.size() <= node) unprintable_nodes_.resize(node + 1, false);
    if (!unprintable_nodes_[node]) {
        unprintable_nodes_[node] = true;
        report_unprintable(program_, node, what, value, diags_);
    }
    failed_ = true;
    return PrintedNumber{"?", std::nullopt};
}

std::string ReportNumbers::money(std::uint32_t money, std::string_view what, const Decimal& value) {
    if (auto printed = printer_.print(value)) return printed->text + "元";
    if (unprintable_money_.size() <= money) unprintable_money_.resize(money + 1, false);
    if (!unprintable_money_[money]) {
        unprintable_money_[money] = true;
        report_unprintable_money(program_, money, what, value, diags_);
    }
    failed_ = true;
    return "?";
}

namespace {

// 加满为止, with the scheme's reason when the children's points add up to more than the node's.
std::string capped_note(const bc::Program& program, const std::vector<Decimal>& most, std::uint32_t n) {
    const bc::NodeInfo& info = program.nodes[n];
    Decimal parts;
    for (std::uint32_t c = n + 1; c < program.nodes.size(); ++c)
        if (program.nodes[c].parent == n && !program.nodes[c].extra) parts += program.nodes[c].full;
    if (!info.parts_reason.empty() && info.full < parts)
        return fmt::format("加满为止: capped at {}; its parts add up to {} (parts {} because \"{}\")", most[n].to_string(),
                           parts.to_string(), parts.to_string(), info.parts_reason);
    return fmt::format("加满为止: capped at {}", most[n].to_string());
}

// What the grades are by: 总分, or the node's name.
std::string graded_what(const bc::Program& program) {
    const std::uint32_t n = program.grading.node;
    if (n == 0 || n >= program.nodes.size()) return "总分";
    const bc::NodeInfo& node = program.nodes[n];
    return node.name.empty() ? fmt::format("{} {}", node_numbers(program)[n], truncate_to_columns(node.label, max_label_columns))
                             : node.name;
}

// The units a grade's quota counts: all of the run, or the unit's group.
std::vector<std::size_t> grading_scope(const bc::Program& program, const std::vector<Scoresheet>& sheets,
                                       const Scoresheet& sheet) {
    std::vector<std::size_t> scope;
    for (std::size_t v = 0; v < sheets.size(); ++v)
        if (program.grading.scope == bc::Scope::all || sheets[v].group == sheet.group) scope.push_back(v);
    return scope;
}

}  // namespace

std::vector<std::string> node_notes(const bc::Program& program, const std::vector<Decimal>& most, std::uint32_t n,
                                    const NodeOutcome& o, const UnitEvidence* unit) {
    std::vector<std::string> notes;
    if (program.nodes[n].computed) {
        if (o.floored) notes.push_back("the computed score is below 0; kept at 0");
        if (o.capped) notes.push_back(fmt::format("the computed score is over the node's points; capped at {}", most[n].to_string()));
    } else {
        if (o.floored)
            notes.push_back(fmt::format("扣完为止: deductions {} reach past the node's points; floored at 0",
                                        o.deducted.to_string()));
        if (o.capped) notes.push_back(capped_note(program, most, n));
    }
    if (const Decimal* self = self_score(unit, n)) {
        const FactOrigin& origin = unit->self_origins[n];
        std::string where = origin.source.empty() ? std::string() : origin.source + "; ";
        where += fmt::format("{}:{}", origin.file, origin.line);
        notes.push_back(fmt::format("自查分 {} ({}); 得分 {}; 差额 {}", self->to_string(), where, o.score.to_string(),
                                    signed_text(*self - o.score, (*self - o.score).to_string())));
    }
    return notes;
}

std::string grade_reason(const bc::Program& program, const std::vector<Scoresheet>& sheets, std::size_t u,
                         ReportNumbers& numbers) {
    const Scoresheet& sheet = sheets[u];
    const bc::Grading& grading = program.grading;
    const GradeOutcome& grade = sheet.grade;
    const auto grade_value_name = [&](std::uint32_t g) -> const std::string& {
        return program.choice_types[grading.choice_type].values[g];
    };
    if (grade.veto < grading.vetoes.size()) {
        const bc::Veto& veto = grading.vetoes[grade.veto];
        return fmt::format("一票否决: {} {}:{}", rule_words(veto.says, veto.source_text), program.info.source_name,
                           veto.line);
    }
    const std::uint32_t node = grading.node < sheet.nodes.size() ? grading.node : 0;
    const Decimal& value = sheet.nodes[node].score;
    const auto number = [&](std::string_view what, const Decimal& v) { return numbers.score(node, what, v).text; };
    const std::string what = graded_what(program), shown = number("score", value);
    std::vector<std::string> why;
    if (grade.quota_missed < grading.bands.size() && grading.bands[grade.quota_missed].at_least &&
        grading.bands[grade.quota_missed].quota) {
        const bc::GradeBand& band = grading.bands[grade.quota_missed];
        const auto scope = grading_scope(program, sheets, sheet);
        const Decimal places = (Decimal(static_cast<std::int64_t>(scope.size())) * *band.quota).round(0, Rounding::down);
        const std::string quota = fmt::format("{} takes at most {}% of {} units = {}", grade_value_name(grade.quota_missed),
                                              (*band.quota * Decimal(100)).to_string(), scope.size(), places.to_string());
        const std::string meets = fmt::format("meets {} (≥ {})", grade_value_name(grade.quota_missed),
                                              number("grade threshold", *band.at_least));
        if (grade.quota_tie) {
            const auto tied = std::count_if(scope.begin(), scope.end(), [&](std::size_t v) {
                return sheets[v].nodes.size() > node && sheets[v].nodes[node].score == value &&
                       sheets[v].grade.veto == bc::no_index;
            });
            const auto taken = std::count_if(scope.begin(), scope.end(), [&](std::size_t v) {
                return sheets[v].grade.grade == grade.quota_missed;
            });
            const Decimal left = Decimal::max(places - Decimal(static_cast<std::int64_t>(taken)), Decimal());
            why.push_back(fmt::format("{} but {} ({} left), and the {} units tied at {} do not all fit: none of "
                                      "them takes it",
                                      meets, quota, left.to_string(), tied, shown));
        } else {
            why.push_back(fmt::format("{} but {}, all taken by higher scores", meets, quota));
        }
    }
    if (grade.grade < grading.bands.size()) {
        if (const auto& at_least = grading.bands[grade.grade].at_least) {
            why.push_back(fmt::format("{} {} ≥ {}", what, shown, number("grade threshold", *at_least)));
        } else if (grade.quota_missed == bc::no_index) {
            // `otherwise`: below the lowest threshold.
            for (std::size_t b = grading.bands.size(); b-- > 0;) {
                if (!grading.bands[b].at_least) continue;
                why.push_back(fmt::format("{} {} < {}, the least for {}", what, shown,
                                          number("grade threshold", *grading.bands[b].at_least),
                                          grade_value_name(static_cast<std::uint32_t>(b))));
                break;
            }
        }
    }
    return fmt::format("{}", fmt::join(why, "; "));
}

std::string money_line(const bc::Program& program, const Scoresheet& sheet, std::uint32_t m, ReportNumbers& numbers) {
    const MoneyOutcome& outcome = sheet.money[m];
    std::string line = fmt::format("{}: {}", program.money[m].name, numbers.money(m, "amount", outcome.amount));
    if (outcome.forfeit < program.forfeits.size()) {
        const bc::Forfeit& forfeit = program.forfeits[outcome.forfeit];
        line += fmt::format(" (computed {}; forfeited {} {}:{})", numbers.money(m, "computed amount", outcome.computed),
                            rule_words(forfeit.says, forfeit.source_text), program.info.source_name, forfeit.line);
    }
    return line;
}

std::string flag_line(const bc::Program& program, const Scoresheet& sheet, std::uint32_t f) {
    const bc::Flag& flag = program.flags[f];
    if (!sheet.flags[f]) return fmt::format("{}: no", flag.name);
    return fmt::format("{}: yes {} {}:{}", flag.name, rule_words(flag.says, flag.source_text), program.info.source_name,
                       flag.line);
}

}  // namespace report

// ---- the text report ------------------------------------------------------------------------
namespace {

using report::applied_text;
using report::explanation_text;
using report::rule_words;
using report::signed_text;
using report::without_says;

// A flag's cell in the ranking table when the unit carries it (the column is headed by the
// flag's name, so the cell need not repeat it); empty when it does not.
constexpr std::string_view flag_mark = "✓";

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
          printed_(program, diags), layout_(program, evidence), check_(program, diags) {}

    std::optional<std::string> write() {
        std::string out = header();
        if (sheets_.size() == 1) {
            out += "\n" + unit_sheet(0);
        } else {
            out += "\n" + ranking();
            for (std::size_t u : requested_sheets()) out += "\n" + unit_sheet(u);
        }
        if (check_.failed() || printed_.failed()) return std::nullopt;
        return out;
    }

private:
    std::string header() const {
        const bc::SchemeInfo& info = program_.info;
        std::string out = info.title + "\n";
        if (!info.document.empty()) out += info.document + "\n";
        if (!info.issuer.empty()) out += info.issuer + "\n";
        for (const std::string& line : report::stamp_lines(program_, evidence_)) out += line + "\n";
        return out;
    }

    // The sheets to print after the ranking table: all, or those named.
    std::vector<std::size_t> requested_sheets() const {
        if (!options_.all_sheets) return report::named_sheets(sheets_, options_.sheets);
        std::vector<std::size_t> all(sheets_.size());
        for (std::size_t u = 0; u < all.size(); ++u) all[u] = u;
        return all;
    }

    // The number as the scheme says to print it; an unprintable one is reported once per node.
    std::string number(std::uint32_t node, std::string_view what, const Decimal& value) {
        return printed_.score(node, what, value).text;
    }

    // ---- the ranking table ----
    std::string ranking() {
        std::vector<Row> rows;
        std::vector<std::string> heads{"名次", "单位", "组别", "总分"};
        std::vector<bool> right{true, false, false, true};
        if (layout_.has_grades) {
            heads.push_back(program_.choice_types[program_.grading.choice_type].name);
            right.push_back(false);
        }
        for (const bc::Money& m : program_.money) {
            heads.push_back(m.name);
            right.push_back(true);
        }
        for (const bc::Flag& f : program_.flags) {
            heads.push_back(f.name);
            right.push_back(false);
        }
        rows.push_back(Row{heads, {}, false});
        for (std::size_t u : report::ranking_order(sheets_)) {
            const Scoresheet& sheet = sheets_[u];
            if (!check_(sheet)) continue;
            std::vector<std::string> cells{std::to_string(sheet.rank), sheet.unit, sheet.group,
                                           number(0, "total", sheet.total())};
            if (layout_.has_grades) cells.push_back(report::grade_name(program_, sheet.grade));
            for (std::uint32_t m = 0; m < program_.money.size(); ++m)
                cells.push_back(printed_.money(m, "amount", sheet.money[m].amount));
            for (std::uint32_t f = 0; f < program_.flags.size(); ++f)
                cells.push_back(sheet.flags[f] ? std::string(flag_mark) : std::string());
            rows.push_back(Row{cells, {}, false});
        }
        return "排名\n" + render_table(rows, right);
    }

    // ---- a unit's score sheet ----
    // 满分: "100", "100 (+10)" for a node with extra bonus children, "(+10)" for such a child.
    std::string full_cell(std::uint32_t n, const NodeOutcome& o) {
        std::string full = number(n, "full marks", o.full);
        if (program_.nodes[n].extra) return "(+" + full + ")";
        if (!layout_.extras[n].is_zero()) full += " (+" + number(n, "extra points", layout_.extras[n]) + ")";
        return full;
    }

    std::vector<std::string> node_cells(std::uint32_t n, const NodeOutcome& o, const UnitEvidence* unit) {
        const bc::NodeInfo& info = program_.nodes[n];
        std::vector<std::string> cells{n == 0 ? std::string() : layout_.numbers[n],
                                       n == 0 ? "合计" : truncate_to_columns(info.label, max_label_columns),
                                       full_cell(n, o)};
        if (layout_.has_self) {
            if (const Decimal* self = report::self_score(unit, n)) {
                cells.push_back(number(n, "self-assessed score", *self));
                const Decimal difference = *self - o.score;
                cells.push_back(signed_text(difference, number(n, "self-assessment difference", difference)));
            } else {
                cells.insert(cells.end(), {std::string(), std::string()});
            }
        }
        // Points not scored, out of the most the node could score (with its extras).
        cells.push_back(info.bonus ? std::string() : number(n, "deduction", o.full + layout_.extras[n] - o.score));
        // What a bonus node adds: its score (the awards of its whole subtree, after every cap), so
        // that 满分 − 扣分 = 得分 on deduction rows and 加分 = 得分 on bonus rows.
        if (layout_.has_bonus) cells.push_back(info.bonus ? number(n, "award", o.score) : std::string());
        cells.push_back(number(n, "score", o.score));
        return cells;
    }

    std::string unit_sheet(std::size_t u) {
        const Scoresheet& sheet = sheets_[u];
        const UnitEvidence* unit = u < evidence_.units.size() ? &evidence_.units[u] : nullptr;
        std::string out = fmt::format("单位: {}", sheet.unit);
        if (!sheet.group.empty()) out += fmt::format("  组别: {}", sheet.group);
        out += fmt::format("  证据: {}\n", sheet.file);
        if (!check_(sheet)) return out;
        report::UnitExplanation why;
        if (options_.explain && unit) why = report::explain_unit(program_, *unit, sheet);
        const std::vector<report::RuleExplanation>& explanations = why.rules;

        std::vector<Row> rows;
        std::vector<std::string> heads{"序号", "考核内容", "满分"};
        std::vector<bool> right{false, false, true};
        if (layout_.has_self) {
            heads.insert(heads.end(), {"自查分", "差额"});
            right.insert(right.end(), {true, true});
        }
        heads.push_back("扣分");
        right.push_back(true);
        if (layout_.has_bonus) {
            heads.push_back("加分");
            right.push_back(true);
        }
        heads.push_back("得分");
        right.push_back(true);
        rows.push_back(Row{heads, {}, false});
        for (std::uint32_t n = 1; n < program_.nodes.size(); ++n) {
            rows.push_back(Row{node_cells(n, sheet.nodes[n], unit), {}, false});
            if (options_.explain) explain_node(n, sheet, unit, explanations, rows);
        }
        rows.push_back(Row{node_cells(0, sheet.nodes[0], unit), {}, false});
        if (options_.explain) explain_node(0, sheet, unit, explanations, rows);
        out += render_table(rows, right);
        out += outcome_lines(u, options_.explain ? &why : nullptr);
        return out;
    }

    static void free_line(std::vector<Row>& rows, std::string text) { rows.push_back(Row{{}, std::move(text), true}); }

    void explain_node(std::uint32_t n, const Scoresheet& sheet, const UnitEvidence* unit,
                      const std::vector<report::RuleExplanation>& explanations, std::vector<Row>& rows) {
        for (std::uint32_t r : layout_.rules[n]) {
            if (r >= sheet.rules.size() || r >= explanations.size()) continue;
            const bc::RuleInfo& rule = program_.rules[r];
            const RuleOutcome& outcome = sheet.rules[r];
            free_line(rows, "    " + report::rule_heading(program_, rule, outcome));
            const std::string detail = report::rule_detail(rule, outcome, explanations[r]);
            if (!detail.empty()) free_line(rows, "      " + detail);
        }
        for (const std::string& note : report::node_notes(program_, layout_.most, n, sheet.nodes[n], unit))
            free_line(rows, "    " + note);
    }

    // ---- rank, grade and money, under the table ----
    std::string outcome_lines(std::size_t u, const report::UnitExplanation* why) {
        const Scoresheet& sheet = sheets_[u];
        std::string out;
        if (sheets_.size() > 1) out += fmt::format("名次: {} (of {} units)\n", sheet.rank, sheets_.size());
        if (layout_.has_grades) {
            const std::string reason = report::grade_reason(program_, sheets_, u, printed_);
            out += fmt::format("等次: {}", report::grade_name(program_, sheet.grade));
            out += reason.empty() ? "\n" : fmt::format(" ({})\n", reason);
            if (why) out += veto_explanations(sheet, *why);
        }
        for (std::uint32_t m = 0; m < program_.money.size(); ++m) {
            out += report::money_line(program_, sheet, m, printed_) + "\n";
            if (why) out += money_explanation(sheet, m, *why);
        }
        for (std::uint32_t f = 0; f < program_.flags.size(); ++f) {
            out += report::flag_line(program_, sheet, f) + "\n";
            if (why) out += flag_explanation(sheet, f, *why);
        }
        return out;
    }

    // --explain: the flag's condition and what it read (the population value that decided it,
    // e.g. the bottom-3 cut-off and the unit's own total).
    std::string flag_explanation(const Scoresheet& sheet, std::uint32_t f, const report::UnitExplanation& why) {
        const bc::Flag& flag = program_.flags[f];
        std::string out = fmt::format("    flag {} ({}:{})  `{}`  {}\n", rule_words(flag.says, flag.source_text),
                                      program_.info.source_name, flag.line, without_says(flag.source_text),
                                      sheet.flags[f] ? "applied" : "not applied");
        if (f < why.flags.size())
            if (const std::string detail = explanation_text(why.flags[f]); !detail.empty()) out += "      " + detail + "\n";
        return out;
    }

    // --explain: each veto's condition, what it read, and whether it held.
    std::string veto_explanations(const Scoresheet& sheet, const report::UnitExplanation& why) {
        std::string out;
        const auto& vetoes = program_.grading.vetoes;
        for (std::uint32_t v = 0; v < vetoes.size() && v < why.vetoes.size(); ++v) {
            const bc::Veto& veto = vetoes[v];
            out += fmt::format("    veto {} ({}:{})  `{}`{}\n", rule_words(veto.says, veto.source_text),
                               program_.info.source_name, veto.line, without_says(veto.source_text),
                               applied_text(sheet.grade.veto, v));
            if (const std::string detail = explanation_text(why.vetoes[v]); !detail.empty())
                out += "      " + detail + "\n";
        }
        return out;
    }

    // --explain: what the money line read and computed, and each forfeit of it.
    std::string money_explanation(const Scoresheet& sheet, std::uint32_t m, const report::UnitExplanation& why) {
        std::string out;
        const bc::Money& info = program_.money[m];
        out += fmt::format("    {} ({}:{})  `{}`\n", rule_words(info.says, info.source_text), program_.info.source_name,
                           info.line, without_says(info.source_text));
        std::string detail = m < why.money.size() ? explanation_text(why.money[m]) : std::string();
        const std::string result = "→ " + printed_.money(m, "computed amount", sheet.money[m].computed);
        out += "      " + (detail.empty() ? result : detail + " " + result) + "\n";
        for (std::uint32_t f = 0; f < program_.forfeits.size() && f < why.forfeits.size(); ++f) {
            const bc::Forfeit& forfeit = program_.forfeits[f];
            if (forfeit.money != m) continue;
            out += fmt::format("    forfeit {} ({}:{})  `{}`{}\n", rule_words(forfeit.says, forfeit.source_text),
                               program_.info.source_name, forfeit.line, without_says(forfeit.source_text),
                               applied_text(sheet.money[m].forfeit, f));
            if (const std::string d = explanation_text(why.forfeits[f]); !d.empty()) out += "      " + d + "\n";
        }
        return out;
    }

    const bc::Program& program_;
    const EvidenceSet& evidence_;
    const std::vector<Scoresheet>& sheets_;
    const ReportOptions& options_;
    Diagnostics& diags_;
    report::ReportNumbers printed_;
    const report::SheetLayout layout_;
    report::SheetCheck check_;
};

}  // namespace

std::optional<std::string> write_text_report(const bc::Program& program, const EvidenceSet& evidence,
                                             const std::vector<Scoresheet>& sheets, const ReportOptions& options,
                                             Diagnostics& diags) {
    return report::write_with<TextReport>(program, evidence, sheets, options, diags);
}

}  // namespace kaohe
