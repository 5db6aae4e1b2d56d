#include "lang/ast_print.hpp"

#include <fmt/format.h>

namespace kaohe::ast {

namespace {

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string at(const Span& s) { return fmt::format("@{}:{}+{}", s.begin.line, s.begin.column, s.length); }

std::string number(const NumberLit& n) {
    static constexpr const char* units[] = {"", "分", "元", "%"};
    return n.text + units[static_cast<int>(n.unit)];
}

const char* binary_name(BinaryOp op) {
    static constexpr const char* names[] = {"+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or"};
    return names[static_cast<int>(op)];
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

struct ExprPrinter {
    std::string operator()(const NumberLit& n) const { return number(n); }
    std::string operator()(const NameRef& n) const { return n.name; }
    std::string operator()(const Member& m) const { return fmt::format("(. {} {})", print(*m.object), m.field); }
    std::string operator()(const Index& i) const { return fmt::format("([] {} {})", print(*i.table), print(*i.key)); }
    std::string operator()(const Unary& u) const {
        return fmt::format("({} {})", u.op == UnaryOp::negate ? "neg" : "not", print(*u.operand));
    }
    std::string operator()(const Binary& b) const {
        return fmt::format("({} {} {})", binary_name(b.op), print(*b.lhs), print(*b.rhs));
    }
    std::string operator()(const IsChoice& c) const {
        return fmt::format("({} {} {{{}}})", c.negated ? "is-not" : "is", print(*c.subject), join(c.choices));
    }
    std::string operator()(const Lambda& l) const { return fmt::format("(=> {} {})", l.param, print(*l.body)); }
    std::string operator()(const Call& c) const {
        std::string out = "(call " + c.callee;
        for (const auto& a : c.args) out += " " + print(*a);
        return out + ")";
    }
    std::string operator()(const When& w) const {
        std::string out = "(when";
        for (const auto& arm : w.arms) out += fmt::format(" [{} {}]", print(*arm.condition), print(*arm.value));
        return out + fmt::format(" else {})", print(*w.otherwise));
    }
    std::string operator()(const TableLit& t) const {
        std::string out = "(table";
        if (!t.key_type.empty()) out += " " + t.key_type;
        for (const auto& e : t.entries) out += fmt::format(" {}:{}", e.key, print(*e.value));
        return out + ")";
    }
};

std::string range(const Range& r) {
    return fmt::format("{}{}..{}", r.negative_lo ? "-" : "", number(r.lo), number(r.hi));
}

std::string type(const TypeExpr& t) {
    static constexpr const char* kinds[] = {"yes_no", "count", "decimal", "points", "money",
                                            "percent", "choice", "named", "list", "text"};
    std::string out = kinds[static_cast<int>(t.kind)];
    if (!t.measure.empty()) out += " " + t.measure;
    if (t.kind == TypeKind::choice) out += " {" + join(t.choices) + "}";
    if (t.kind == TypeKind::named) out += " " + t.type_name;
    if (t.kind == TypeKind::list) {
        std::vector<std::string> fields;
        for (const auto& f : t.fields) fields.push_back(f.name + ": " + (f.type ? type(*f.type) : "?"));
        out += " of {" + join(fields) + "}";
    }
    if (t.within) out += " within " + range(*t.within);
    if (t.step) out += " step " + number(*t.step);
    return out;
}

void print_rule(std::string& out, const Rule& r, int depth) {
    const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
    out += fmt::format("{}{} {} {}\n", pad, r.kind == RuleKind::deduct ? "deduct" : "award", print(*r.amount), at(r.span));
    if (r.within) out += fmt::format("{}  within {}\n", pad, range(*r.within));
    if (r.per) out += fmt::format("{}  per {}\n", pad, print(*r.per));
    if (!r.per_missing.empty()) out += fmt::format("{}  per missing [{}]\n", pad, join(r.per_missing));
    if (r.condition) out += fmt::format("{}  {} {}\n", pad, r.unless ? "unless" : "if", print(*r.condition));
    if (r.cap) out += fmt::format("{}  cap {}\n", pad, print(*r.cap));
    if (!r.says.empty()) out += fmt::format("{}  says {}\n", pad, quoted(r.says));
    out += fmt::format("{}  source {}\n", pad, quoted(r.source_text));
}

void print_node(std::string& out, const Node& n, int depth) {
    static constexpr const char* kinds[] = {"scheme", "section", "item", "clause"};
    const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
    out += fmt::format("{}{} {}", pad, kinds[static_cast<int>(n.kind)], quoted(n.label));
    if (n.points) out += " points " + number(*n.points);
    if (n.bonus_cap) out += " bonus cap " + number(*n.bonus_cap);
    if (n.parts) out += fmt::format(" parts {} because {}", number(*n.parts), quoted(n.parts_reason));
    out += " " + at(n.span) + "\n";
    if (!n.goal.empty()) out += fmt::format("{}  goal {}\n", pad, quoted(n.goal));
    if (!n.text.empty()) out += fmt::format("{}  text {}\n", pad, quoted(n.text));
    for (const auto& r : n.rules) print_rule(out, r, depth + 1);
    for (const auto& c : n.children) print_node(out, c, depth + 1);
}

std::string value(const RawValue& v) {
    switch (v.kind) {
        case RawValue::Kind::number: return v.text + (v.percent ? "%" : "");
        case RawValue::Kind::word: return v.text;
        case RawValue::Kind::string: return quoted(v.text);
        case RawValue::Kind::empty_list: return "[]";
        case RawValue::Kind::record: {
            std::vector<std::string> fields;
            for (const auto& f : v.fields) fields.push_back(f.name + ": " + value(f.value));
            return "{" + join(fields) + "}";
        }
    }
    return "?";
}

}  // namespace

std::string print(const Expr& e) { return std::visit(ExprPrinter{}, e.node); }

std::string print(const Scheme& s) {
    static constexpr const char* modes[] = {"half_up", "half_even", "down", "up"};
    std::string out;
    for (const auto& u : s.uses) out += fmt::format("use {} {}\n", u.module, at(u.span));
    const Header& h = s.header;
    out += fmt::format("title {}\n", quoted(h.title));
    if (!h.issuer.empty()) out += fmt::format("issuer {}\n", quoted(h.issuer));
    if (!h.document.empty()) out += fmt::format("document {}\n", quoted(h.document));
    if (h.year) out += fmt::format("year {}\n", number(*h.year));
    if (!h.assesses.empty()) out += fmt::format("assesses {}\n", quoted(h.assesses));
    if (!h.groups.empty()) out += fmt::format("groups {{{}}}\n", join(h.groups));
    if (h.display_places) out += fmt::format("display {} {}\n", *h.display_places, modes[static_cast<int>(h.display_mode)]);
    for (const auto& t : s.types) out += fmt::format("type {} = {} {}\n", t.name, type(t.type), at(t.span));
    for (const auto& c : s.constants) out += fmt::format("const {} = {} {}\n", c.name, print(*c.value), at(c.span));
    for (const auto& e : s.evidence) {
        out += fmt::format("evidence {}: {}", e.name, type(e.type));
        if (e.default_value)
            out += fmt::format(" default {}{}", e.default_value->negative ? "-" : "", e.default_value->text);
        if (!e.label.empty()) out += " " + quoted(e.label);
        out += " " + at(e.span) + "\n";
    }
    print_node(out, s.root, 0);
    return out;
}

std::string print(const EvidenceFile& f) {
    std::string out = fmt::format("unit {} {}\n", quoted(f.unit), at(f.unit_span));
    if (!f.group.empty()) out += fmt::format("group {} {}\n", f.group, at(f.group_span));
    for (const auto& fact : f.facts) {
        out += fmt::format("{} {} {} {}", fact.name, fact.append ? "+=" : ":", value(fact.value), at(fact.span));
        if (!fact.source.empty()) out += " source " + quoted(fact.source);
        out += "\n";
    }
    return out;
}

}  // namespace kaohe::ast
