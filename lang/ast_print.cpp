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
    std::string operator()(const Population& p) const {
        static constexpr const char* kinds[] = {"rank", "mean", "max", "min", "sum", "count", "bottom", "top"};
        std::string out = fmt::format("(among-{} {}", p.scope == PopulationScope::all ? "all" : "group",
                                      kinds[static_cast<int>(p.kind)]);
        if (p.n) out += " " + print(*p.n);
        if (p.value) out += " " + print(*p.value);
        if (p.ascending) out += " ascending";
        if (p.where) out += " where " + print(*p.where);
        return out + ")";
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
                                            "percent", "choice", "named", "list", "text", "votes"};
    std::string out = kinds[static_cast<int>(t.kind)];
    if (!t.measure.empty()) out += " " + t.measure;
    if (t.kind == TypeKind::choice || (t.kind == TypeKind::votes && t.type_name.empty()))
        out += " {" + join(t.choices) + "}";
    if (t.kind == TypeKind::named || t.kind == TypeKind::votes) out += t.type_name.empty() ? "" : " " + t.type_name;
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
    static constexpr const char* kinds[] = {"deduct", "award", "score"};
    out += fmt::format("{}{} {} {}\n", pad, kinds[static_cast<int>(r.kind)], print(*r.amount), at(r.span));
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
    out += fmt::format("{}{}", pad, kinds[static_cast<int>(n.kind)]);
    if (!n.name.empty()) out += fmt::format(" {} {}", n.name, at(n.name_span));
    out += " " + quoted(n.label);
    if (n.points) out += " points " + number(*n.points);
    if (n.bonus_cap) out += " bonus cap " + number(*n.bonus_cap);
    if (n.extra) out += " extra";
    if (n.parts) out += fmt::format(" parts {} because {}", number(*n.parts), quoted(n.parts_reason));
    out += " " + at(n.span) + "\n";
    if (!n.goal.empty()) out += fmt::format("{}  goal {}\n", pad, quoted(n.goal));
    if (!n.text.empty()) out += fmt::format("{}  text {}\n", pad, quoted(n.text));
    for (const auto& r : n.rules) print_rule(out, r, depth + 1);
    for (const auto& c : n.children) print_node(out, c, depth + 1);
}

void print_says(std::string& out, const std::string& pad, const std::string& says, const std::string& source) {
    if (!says.empty()) out += fmt::format("{}  says {}\n", pad, quoted(says));
    out += fmt::format("{}  source {}\n", pad, quoted(source));
}

void print_grading(std::string& out, const Grading& g) {
    out += fmt::format("grades {} by {} {} among {} {}\n", g.name, g.by, at(g.by_span),
                       g.scope == PopulationScope::all ? "all" : "group", at(g.span));
    for (const auto& b : g.bands) {
        out += fmt::format("  band {}:", b.name);
        if (b.otherwise) out += " otherwise";
        if (b.at_least) out += " >= " + number(*b.at_least);
        if (b.quota) out += " quota " + number(*b.quota);
        out += " " + at(b.span) + "\n";
    }
    for (const auto& v : g.vetoes) {
        out += fmt::format("  veto {} {} if {} {}\n", v.grade, at(v.grade_span), print(*v.condition), at(v.span));
        print_says(out, "  ", v.says, v.source_text);
    }
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
    if (s.grading) print_grading(out, *s.grading);
    for (const auto& m : s.money) {
        out += fmt::format("money {} = {} {}\n", m.name, print(*m.amount), at(m.span));
        print_says(out, "", m.says, m.source_text);
    }
    for (const auto& f : s.forfeits) {
        out += fmt::format("forfeit {} {} if {} {}\n", f.money, at(f.money_span), print(*f.condition), at(f.span));
        print_says(out, "", f.says, f.source_text);
    }
    for (const auto& f : s.flags) {
        out += fmt::format("flag {} {} if {} {}\n", f.name, at(f.name_span), print(*f.condition), at(f.span));
        print_says(out, "", f.says, f.source_text);
    }
    return out;
}

std::string print(const EvidenceFile& f) {
    std::string out = fmt::format("unit {} {}\n", quoted(f.unit), at(f.unit_span));
    if (!f.group.empty()) out += fmt::format("group {} {}\n", f.group, at(f.group_span));
    for (const auto& fact : f.facts) {
        const std::string subject = fact.self_path.empty() ? fact.name : "self " + fact.self_path;
        out += fmt::format("{} {} {} {}", subject, fact.append ? "+=" : ":", value(fact.value), at(fact.span));
        if (!fact.source.empty()) out += " source " + quoted(fact.source);
        out += "\n";
    }
    return out;
}

}  // namespace kaohe::ast
