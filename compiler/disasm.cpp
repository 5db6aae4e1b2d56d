// The disassembler: a readable listing of a Program. Instruction names, operand kinds and
// meanings come from the OpInfo table generated from compiler/opcodes.def; the only switch is
// over operand kinds, so a new opcode needs no change here.
//
// It never trusts the Program (it may list an unverified .khc): an operand out of range is
// shown as such, never used as an index.
#include "compiler/bytecode_file.hpp"

#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace kaohe {
namespace {

using namespace bc;

const char* unit_name(Unit u) {
    switch (u) {
    case Unit::none: return "none";
    case Unit::points: return "points";
    case Unit::money: return "money";
    case Unit::count: return "count";
    case Unit::percent: return "percent";
    }
    return "?";
}

const char* field_type_name(FieldType t) {
    switch (t) {
    case FieldType::yes_no: return "yes_no";
    case FieldType::count: return "count";
    case FieldType::decimal: return "decimal";
    case FieldType::choice: return "choice";
    case FieldType::list: return "list";
    case FieldType::text: return "text";
    case FieldType::votes: return "votes";
    }
    return "?";
}

const char* node_kind_name(NodeKind k) {
    switch (k) {
    case NodeKind::scheme: return "scheme";
    case NodeKind::section: return "section";
    case NodeKind::item: return "item";
    case NodeKind::clause: return "clause";
    }
    return "?";
}

const char* rule_kind_name(RuleKind k) {
    switch (k) {
    case RuleKind::deduct: return "deduct";
    case RuleKind::award: return "award";
    case RuleKind::score: return "score";
    }
    return "?";
}

const char* aggregate_kind_name(AggregateKind k) {
    switch (k) {
    case AggregateKind::rank: return "rank";
    case AggregateKind::mean: return "mean";
    case AggregateKind::max: return "max";
    case AggregateKind::min: return "min";
    case AggregateKind::sum: return "sum";
    case AggregateKind::count: return "count";
    case AggregateKind::bottom: return "bottom";
    case AggregateKind::top: return "top";
    }
    return "?";
}

const char* scope_name(Scope s) { return s == Scope::all ? "all" : "group"; }

const char* barrier_name(std::uint32_t a) {
    return a == 0 ? "population values" : a == 1 ? "grades" : "?";
}

const char* rounding_name(std::uint32_t mode) {
    switch (mode) {
    case static_cast<std::uint32_t>(Rounding::half_up): return "half_up";
    case static_cast<std::uint32_t>(Rounding::half_even): return "half_even";
    case static_cast<std::uint32_t>(Rounding::down): return "down";
    case static_cast<std::uint32_t>(Rounding::up): return "up";
    default: return "?";
    }
}

std::string choice_type_name(const Program& p, std::uint32_t t) {
    return t < p.choice_types.size() ? p.choice_types[t].name : fmt::format("<choice type {} out of range>", t);
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

void list_header(std::string& out, const Program& p) {
    const auto& i = p.info;
    out += fmt::format("kaohe bytecode, format version {}\n", format_version);
    out += fmt::format("scheme    \"{}\"\n", i.title);
    if (!i.issuer.empty()) out += fmt::format("issuer    \"{}\"\n", i.issuer);
    if (!i.document.empty()) out += fmt::format("document  \"{}\"\n", i.document);
    if (!i.year.empty()) out += fmt::format("year      {}\n", i.year);
    if (!i.assesses.empty()) out += fmt::format("assesses  \"{}\"\n", i.assesses);
    if (!i.groups.empty()) out += fmt::format("groups    {}\n", join(i.groups));
    if (i.display_places)
        out += fmt::format("display   {} {}\n", *i.display_places, rounding_name(static_cast<std::uint32_t>(i.display_mode)));
    out += fmt::format("source    {} (sha256 {})\n", i.source_name, to_hex(i.source_sha256));
}

std::string range_text(const FieldSpec& f) {
    std::string out;
    if (f.lo || f.hi)
        out += fmt::format(" within {}..{}", f.lo ? f.lo->to_string() : "", f.hi ? f.hi->to_string() : "");
    if (f.step) out += fmt::format(" step {}", f.step->to_string());
    return out;
}

void list_field(std::string& out, const Program& p, const FieldSpec& f, std::string_view prefix, unsigned indent) {
    std::string type = field_type_name(f.type);
    if (f.type == FieldType::count && !f.measure.empty()) type += " " + f.measure;
    if (f.type == FieldType::decimal && f.unit != Unit::none) type = unit_name(f.unit);
    if (f.type == FieldType::choice) type = "choice " + choice_type_name(p, f.choice_type);
    if (f.type == FieldType::votes) type = "votes " + choice_type_name(p, f.choice_type);
    out += fmt::format("{:{}}{}{}: {}{}", "", indent, prefix, f.name, type, range_text(f));
    if (f.default_text) out += fmt::format(" default {}", *f.default_text);
    if (!f.label.empty()) out += fmt::format(" \"{}\"", f.label);
    out += fmt::format("  ; line {}\n", f.line);
    for (std::size_t k = 0; k < f.fields.size(); ++k)
        list_field(out, p, f.fields[k], fmt::format(".{} ", k), indent + 4);
}

std::string input_name(const Program& p, std::uint32_t i) {
    if (i == no_index) return "none";
    return i < p.population_inputs.size() ? fmt::format("i{}", i) : fmt::format("<input {} out of range>", i);
}

// Stage 0 (the usual) is not written; stage 1 (stored in phase 2, computed at BARRIER 1) is.
std::string stage_note(std::uint8_t stage) {
    return stage == 0 ? std::string() : fmt::format(", stage {}", stage);
}

// Population inputs and aggregates: listed only when the scheme has them.
void list_population(std::string& out, const Program& p) {
    if (p.population_inputs.empty() && p.aggregates.empty()) return;
    out += fmt::format("\npopulation inputs ({})\n", p.population_inputs.size());
    for (std::size_t i = 0; i < p.population_inputs.size(); ++i)
        out += fmt::format("  i{} {}  ; line {}{}\n", i, p.population_inputs[i].source_text, p.population_inputs[i].line,
                           stage_note(p.population_inputs[i].stage));
    out += fmt::format("\naggregates ({})\n", p.aggregates.size());
    for (std::size_t a = 0; a < p.aggregates.size(); ++a) {
        const auto& agg = p.aggregates[a];
        std::string what = aggregate_kind_name(agg.kind);
        if (agg.kind == AggregateKind::bottom || agg.kind == AggregateKind::top) what += " " + agg.n.to_string();
        if (agg.kind != AggregateKind::count) what += " of " + input_name(p, agg.value);
        what += fmt::format(" among {}", scope_name(agg.scope));
        if (agg.ascending) what += " ascending";
        if (agg.where != no_index) what += " where " + input_name(p, agg.where);
        out += fmt::format("  a{} {}  ; line {}{}\n", a, what, agg.line, stage_note(agg.stage));
        if (!agg.source_text.empty()) out += fmt::format("      {}\n", agg.source_text);
    }
}

// Grading, money, forfeits and flags: listed only when the scheme has them.
void list_after_totals(std::string& out, const Program& p) {
    const auto& g = p.grading;
    if (g.choice_type != no_index || !g.bands.empty() || !g.vetoes.empty()) {
        const auto* type = g.choice_type < p.choice_types.size() ? &p.choice_types[g.choice_type] : nullptr;
        auto grade = [&](std::size_t v) {
            return type && v < type->values.size() ? type->values[v] : fmt::format("#{}", v);
        };
        auto node = g.node < p.nodes.size() ? fmt::format("n{} \"{}\"", g.node, p.nodes[g.node].label)
                                            : fmt::format("<node {} out of range>", g.node);
        out += fmt::format("\ngrading {} by {} among {}  ; line {}\n", choice_type_name(p, g.choice_type), node,
                           scope_name(g.scope), g.line);
        for (std::size_t b = 0; b < g.bands.size(); ++b) {
            const auto& band = g.bands[b];
            auto text = band.at_least ? fmt::format(">= {}", band.at_least->to_string()) : std::string("otherwise");
            if (band.quota) text += fmt::format(", quota {}", band.quota->to_string());
            out += fmt::format("  {}: {}\n", grade(b), text);
        }
        for (std::size_t v = 0; v < g.vetoes.size(); ++v) {
            const auto& veto = g.vetoes[v];
            out += fmt::format("  v{} veto {}  ; line {}\n", v, grade(veto.grade), veto.line);
            if (!veto.source_text.empty()) out += fmt::format("      {}\n", veto.source_text);
            if (!veto.says.empty()) out += fmt::format("      says \"{}\"\n", veto.says);
        }
    }
    if (!p.money.empty()) {
        out += fmt::format("\nmoney ({})\n", p.money.size());
        for (std::size_t m = 0; m < p.money.size(); ++m) {
            out += fmt::format("  m{} {}  ; line {}\n", m, p.money[m].name, p.money[m].line);
            if (!p.money[m].source_text.empty()) out += fmt::format("      {}\n", p.money[m].source_text);
            if (!p.money[m].says.empty()) out += fmt::format("      says \"{}\"\n", p.money[m].says);
        }
    }
    if (!p.forfeits.empty()) {
        out += fmt::format("\nforfeits ({})\n", p.forfeits.size());
        for (std::size_t f = 0; f < p.forfeits.size(); ++f) {
            const auto& forfeit = p.forfeits[f];
            auto money = forfeit.money < p.money.size() ? p.money[forfeit.money].name
                                                        : fmt::format("<money {} out of range>", forfeit.money);
            out += fmt::format("  f{} forfeit {}  ; line {}\n", f, money, forfeit.line);
            if (!forfeit.source_text.empty()) out += fmt::format("      {}\n", forfeit.source_text);
            if (!forfeit.says.empty()) out += fmt::format("      says \"{}\"\n", forfeit.says);
        }
    }
    if (!p.flags.empty()) {
        out += fmt::format("\nflags ({})\n", p.flags.size());
        for (std::size_t f = 0; f < p.flags.size(); ++f) {
            const auto& flag = p.flags[f];
            out += fmt::format("  g{} flag {}  ; line {}\n", f, flag.name, flag.line);
            if (!flag.source_text.empty()) out += fmt::format("      {}\n", flag.source_text);
            if (!flag.says.empty()) out += fmt::format("      says \"{}\"\n", flag.says);
        }
    }
}

void list_tables(std::string& out, const Program& p) {
    out += fmt::format("\nchoice types ({})\n", p.choice_types.size());
    for (std::size_t t = 0; t < p.choice_types.size(); ++t)
        out += fmt::format("  c{} {}: {}\n", t, p.choice_types[t].name, join(p.choice_types[t].values));

    out += fmt::format("\nevidence slots ({})\n", p.evidence.size());
    for (std::size_t s = 0; s < p.evidence.size(); ++s) list_field(out, p, p.evidence[s], fmt::format("s{} ", s), 2);

    out += fmt::format("\nconstants ({})\n", p.constants.size());
    for (std::size_t k = 0; k < p.constants.size(); ++k) out += fmt::format("  k{} = {}\n", k, p.constants[k].to_string());

    out += fmt::format("\ntables ({})\n", p.tables.size());
    for (std::size_t t = 0; t < p.tables.size(); ++t) {
        const auto& table = p.tables[t];
        std::vector<std::string> entries;
        for (std::size_t v = 0; v < table.values.size(); ++v) {
            const auto* type = table.choice_type < p.choice_types.size() ? &p.choice_types[table.choice_type] : nullptr;
            auto key = type && v < type->values.size() ? type->values[v] : fmt::format("#{}", v);
            entries.push_back(fmt::format("{}: {}", key, table.values[v].to_string()));
        }
        out += fmt::format("  t{} {} ({}, {}) {{ {} }}\n", t, table.name, choice_type_name(p, table.choice_type),
                           unit_name(table.unit), join(entries));
    }

    // Nodes are in pre-order: a node's depth is its parent's plus one.
    out += fmt::format("\nnodes ({})\n", p.nodes.size());
    std::vector<unsigned> depth(p.nodes.size(), 0);
    for (std::size_t n = 0; n < p.nodes.size(); ++n) {
        const auto& node = p.nodes[n];
        if (node.parent < n) depth[n] = depth[node.parent] + 1;
        std::string points = node.bonus ? fmt::format("bonus cap {}", node.full.to_string())
                                         : fmt::format("points {}", node.full.to_string());
        if (!node.held.is_zero()) points += fmt::format(" held {}", node.held.to_string());
        if (node.extra) points += " extra";
        if (node.computed) points += " computed";
        if (node.phase != 1) points += fmt::format(" phase {}", node.phase);
        auto name = node.name.empty() ? std::string{} : node.name + " ";
        out += fmt::format("  n{:<4}{:{}}{} {}\"{}\" {}  ; line {}\n", n, "", 2 * depth[n], node_kind_name(node.kind),
                           name, node.label, points, node.line);
        if (!node.parts_reason.empty())
            out += fmt::format("        {:{}}parts because \"{}\"\n", "", 2 * depth[n], node.parts_reason);
    }

    out += fmt::format("\nrules ({})\n", p.rules.size());
    for (std::size_t r = 0; r < p.rules.size(); ++r) {
        const auto& rule = p.rules[r];
        out += fmt::format("  r{} n{} {}{}  ; line {}\n", r, rule.node, rule_kind_name(rule.kind),
                           rule.cap ? fmt::format(" cap {}", rule.cap->to_string()) : "", rule.line);
        if (!rule.source_text.empty()) out += fmt::format("      {}\n", rule.source_text);
        if (!rule.says.empty()) out += fmt::format("      says \"{}\"\n", rule.says);
    }
    list_population(out, p);
    list_after_totals(out, p);
}

// Tracks, as the listing goes down the code, which list each open loop iterates, so FIELD and
// IS can name fields and choice values. Follows the compiler's layout (LOAD/FIELD list;
// ITER_BEGIN; ITER_NEXT ->end; ...; end:); on other layouts it merely names less.
class LoopNames {
public:
    explicit LoopNames(const Program& p) : p_(p) {}

    // The field that instruction `pc` pushes, when it is a LOAD or a FIELD that can be named.
    const FieldSpec* pushed_field(std::size_t pc) const {
        if (pc >= p_.code.size()) return nullptr;
        auto op = p_.code[pc] & 0xffu;
        auto a = operand_of(p_.code[pc]);
        if (op == static_cast<std::uint32_t>(Op::LOAD)) return a < p_.evidence.size() ? &p_.evidence[a] : nullptr;
        if (op == static_cast<std::uint32_t>(Op::FIELD)) return field(a);
        return nullptr;
    }
    const FieldSpec* field(std::uint32_t a) const {
        auto depth = a >> 16, index = a & 0xffffu;
        if (depth >= loops_.size()) return nullptr;
        const auto* list = loops_[loops_.size() - 1 - depth].list;
        return list && index < list->fields.size() ? &list->fields[index] : nullptr;
    }

    // Called before listing instruction `pc`.
    void at(std::size_t pc) {
        while (!loops_.empty() && loops_.back().end != no_index && loops_.back().end <= pc) loops_.pop_back();
        auto op = p_.code[pc] & 0xffu;
        auto a = operand_of(p_.code[pc]);
        if (op == static_cast<std::uint32_t>(Op::ITER_BEGIN) && loops_.size() < max_tracked)
            loops_.push_back({pc > 0 ? pushed_field(pc - 1) : nullptr, no_index});
        if (op == static_cast<std::uint32_t>(Op::ITER_NEXT) && !loops_.empty() && loops_.back().end == no_index)
            loops_.back().end = pc + 1 + a;
    }

private:
    static constexpr std::size_t max_tracked = 64;  // a listing aid, not a check: beyond it, names go
    struct Open {
        const FieldSpec* list;
        std::size_t end;
    };
    const Program& p_;
    std::vector<Open> loops_;
};

// The comment after an instruction: what its operand means.
std::string operand_meaning(const Program& p, const LoopNames& loops, std::size_t pc, const OpInfo& info,
                            std::uint32_t a) {
    auto out_of_range = [&](const char* what) { return fmt::format("<{} {} out of range>", what, a); };
    switch (info.operand) {
    case OperandKind::none: return {};
    case OperandKind::constant: return a < p.constants.size() ? p.constants[a].to_string() : out_of_range("constant");
    case OperandKind::slot: return a < p.evidence.size() ? p.evidence[a].name : out_of_range("slot");
    case OperandKind::field: {
        const auto* f = loops.field(a);
        auto name = f ? f->name : fmt::format("field {}", a & 0xffffu);
        return (a >> 16) == 0 ? name : fmt::format("{} of the loop {} out", name, a >> 16);
    }
    case OperandKind::table: return a < p.tables.size() ? p.tables[a].name : out_of_range("table");
    case OperandKind::choice: {
        const auto* f = pc > 0 ? loops.pushed_field(pc - 1) : nullptr;
        if (f && (f->type == FieldType::choice || f->type == FieldType::votes) && f->choice_type < p.choice_types.size() &&
            a < p.choice_types[f->choice_type].values.size())
            return p.choice_types[f->choice_type].values[a];
        return fmt::format("choice value #{}", a);
    }
    case OperandKind::boolean: return a == 0 ? "no" : a == 1 ? "yes" : out_of_range("yes/no");
    case OperandKind::round: return fmt::format("{} places, {}", a & 0xffu, rounding_name((a >> 8) & 0xffu));
    case OperandKind::forward: return fmt::format("-> {:04}", pc + 1 + a);
    case OperandKind::back: return a <= pc ? fmt::format("-> {:04}", pc - a) : out_of_range("back jump");
    case OperandKind::rule:
        if (a >= p.rules.size()) return out_of_range("rule");
        return p.rules[a].source_text.empty() ? fmt::format("rule {}", a) : p.rules[a].source_text;
    case OperandKind::node: return a < p.nodes.size() ? p.nodes[a].label : out_of_range("node");
    case OperandKind::input:
        if (a >= p.population_inputs.size()) return out_of_range("population input");
        return fmt::format("i{} {}", a, p.population_inputs[a].source_text);
    case OperandKind::aggregate:
        if (a >= p.aggregates.size()) return out_of_range("aggregate");
        return p.aggregates[a].source_text.empty() ? fmt::format("aggregate {}", a) : p.aggregates[a].source_text;
    case OperandKind::barrier: return a <= 1 ? barrier_name(a) : out_of_range("barrier");
    case OperandKind::veto:
        if (a >= p.grading.vetoes.size()) return out_of_range("veto");
        return p.grading.vetoes[a].source_text.empty() ? fmt::format("veto {}", a) : p.grading.vetoes[a].source_text;
    case OperandKind::money: return a < p.money.size() ? p.money[a].name : out_of_range("money");
    case OperandKind::forfeit:
        if (a >= p.forfeits.size()) return out_of_range("forfeit");
        return p.forfeits[a].source_text.empty() ? fmt::format("forfeit {}", a) : p.forfeits[a].source_text;
    case OperandKind::flag:
        if (a >= p.flags.size()) return out_of_range("flag");
        return p.flags[a].source_text.empty() ? fmt::format("flag {}", p.flags[a].name) : p.flags[a].source_text;
    }
    return {};
}

void list_code(std::string& out, const Program& p) {
    out += fmt::format("\ncode ({} instructions)\n", p.code.size());
    LoopNames loops(p);
    for (std::size_t pc = 0; pc < p.code.size(); ++pc) {
        auto w = p.code[pc];
        auto a = operand_of(w);
        auto line = pc < p.lines.size() ? fmt::format("; line {}", p.lines[pc]) : std::string("; line ?");
        if ((w & 0xffu) >= op_count) {
            out += fmt::format("  {:04}  {:<14}{:>8}  ; unknown opcode {}  {}\n", pc, "?", a, w & 0xffu, line);
            continue;
        }
        loops.at(pc);
        const auto& info = op_info(opcode_of(w));
        // A barrier divides the listing: every unit waits here for all the others.
        if (opcode_of(w) == Op::BARRIER) {
            const bool stage_1 = std::any_of(p.aggregates.begin(), p.aggregates.end(),
                                             [](const Aggregate& agg) { return agg.stage == 1; });
            const char* then = a == 0   ? "the population values are computed"
                               : a != 1 ? "?"
                               : stage_1 ? "the stage-1 population values are computed and grades assigned"
                                         : "grades are assigned";
            out += fmt::format("  ---- phase {} ends: every unit waits here, then {} ----\n", a + 1, then);
        }
        auto operand = info.operand == OperandKind::none ? std::string{} : fmt::format("{}", a);
        if (info.operand == OperandKind::field) operand = fmt::format("{}.{}", a >> 16, a & 0xffffu);
        if (info.operand == OperandKind::round) operand = fmt::format("{}.{}", a & 0xffu, a >> 8);
        auto meaning = operand_meaning(p, loops, pc, info, a);
        out += fmt::format("  {:04}  {:<14}{:>8}  ", pc, info.name, operand);
        if (!meaning.empty()) out += fmt::format("; {}  ", meaning);
        out += line + "\n";
    }
}

}  // namespace

std::string disassemble(const bc::Program& program) {
    std::string out;
    list_header(out, program);
    list_tables(out, program);
    list_code(out, program);
    return out;
}

}  // namespace kaohe
