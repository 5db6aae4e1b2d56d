#include "compiler/check.hpp"

#include "compiler/types.hpp"

#include <fmt/format.h>

#include <unordered_map>

namespace kaohe {
namespace {

Interval field_interval(const bc::FieldSpec& spec) {
    switch (spec.type) {
    case bc::FieldType::yes_no: return Interval::between(0, 1);
    case bc::FieldType::count: return {spec.lo ? *spec.lo : Decimal(0), spec.hi};
    case bc::FieldType::decimal:
        // A percentage with no declared range is a fraction of a whole: 0..100%.
        if (spec.unit == bc::Unit::percent && !spec.lo && !spec.hi) return Interval::between(0, 1);
        return {spec.lo, spec.hi};
    default: return Interval::unbounded();
    }
}

// sum over any number of records (0 included) of values in `each`
Interval sum_interval(const Interval& each) {
    Interval r = Interval::exactly(0);
    if (!each.lo || each.lo->is_negative()) r.lo.reset();
    if (!each.hi || each.hi->sign() > 0) r.hi.reset();
    return r;
}

Interval call_interval(const ast::Expr& e, const ast::Call& call, const checked::Scheme& s) {
    const auto* facts = s.facts_of(e);
    if (!facts || !facts->builtin) return Interval::unbounded();
    auto arg = [&](std::size_t i) { return interval_of(*call.args[i], s); };
    auto body = [&]() -> Interval {
        const auto* lambda = call.args.size() > 1 ? std::get_if<ast::Lambda>(&call.args[1]->node) : nullptr;
        return lambda && lambda->body ? interval_of(*lambda->body, s) : Interval::unbounded();
    };
    switch (*facts->builtin) {
    case Builtin::max_of:
    case Builtin::min_of: {
        Interval r = arg(0);
        for (std::size_t i = 1; i < call.args.size(); ++i)
            r = *facts->builtin == Builtin::max_of ? max_of(r, arg(i)) : min_of(r, arg(i));
        return r;
    }
    case Builtin::round: {
        Interval x = arg(0);
        auto bound = s.bindings.find(call.args[2].get());
        if (bound == s.bindings.end()) return Interval::unbounded();
        auto mode = static_cast<Rounding>(bound->second.index);
        // Rounding is monotone, so the rounded bounds bound the rounded values.
        if (x.lo) x.lo = x.lo->round(facts->places, mode);
        if (x.hi) x.hi = x.hi->round(facts->places, mode);
        return x;
    }
    case Builtin::sum: return sum_interval(body());
    case Builtin::count: return Interval::at_least(0);
    case Builtin::max:
    case Builtin::min: return hull(Interval::exactly(0), body());  // 0 for an empty list
    case Builtin::any:
    case Builtin::all: return Interval::between(0, 1);
    }
    return Interval::unbounded();
}

}  // namespace

Interval interval_of(const ast::Expr& e, const checked::Scheme& s) {
    if (const auto* lit = std::get_if<ast::NumberLit>(&e.node)) {
        auto v = checked::literal_value(*lit);
        return v ? Interval::exactly(*v) : Interval::unbounded();
    }
    if (std::holds_alternative<ast::NameRef>(e.node)) {
        auto it = s.bindings.find(&e);
        if (it == s.bindings.end()) return Interval::unbounded();
        if (it->second.kind == checked::Binding::Kind::evidence) return field_interval(s.evidence[it->second.index]);
        if (it->second.kind == checked::Binding::Kind::constant) {
            const auto& value = s.constants[it->second.index].value;
            return value ? Interval::exactly(*value) : Interval::unbounded();
        }
        return Interval::unbounded();
    }
    if (const auto* m = std::get_if<ast::Member>(&e.node)) {
        const auto* facts = s.facts_of(e);
        const auto* object = m->object ? s.facts_of(*m->object) : nullptr;
        if (!facts || !object || !object->type.record || facts->index == bc::no_index) return Interval::unbounded();
        return field_interval(object->type.record->fields[facts->index]);
    }
    if (std::holds_alternative<ast::Index>(e.node)) {
        const auto* facts = s.facts_of(e);
        if (!facts || facts->index == bc::no_index) return Interval::unbounded();
        const auto& values = s.tables[facts->index].values;
        if (values.empty()) return Interval::unbounded();
        Interval r = Interval::exactly(values[0]);
        for (const auto& v : values) r = hull(r, Interval::exactly(v));
        return r;
    }
    if (const auto* u = std::get_if<ast::Unary>(&e.node)) {
        if (u->op == ast::UnaryOp::negate && u->operand) return -interval_of(*u->operand, s);
        return Interval::unbounded();
    }
    if (const auto* b = std::get_if<ast::Binary>(&e.node)) {
        if (!b->lhs || !b->rhs) return Interval::unbounded();
        Interval l = interval_of(*b->lhs, s), r = interval_of(*b->rhs, s);
        switch (b->op) {
        case ast::BinaryOp::add: return l + r;
        case ast::BinaryOp::sub: return l - r;
        case ast::BinaryOp::mul: return l * r;
        case ast::BinaryOp::div: return l / r;
        default: return Interval::unbounded();
        }
    }
    if (const auto* w = std::get_if<ast::When>(&e.node)) {
        std::optional<Interval> r;
        auto add = [&](const ast::ExprPtr& v) {
            Interval i = v ? interval_of(*v, s) : Interval::unbounded();
            r = r ? hull(*r, i) : i;
        };
        for (const auto& arm : w->arms) add(arm.value);
        add(w->otherwise);
        return r ? *r : Interval::unbounded();
    }
    if (const auto* call = std::get_if<ast::Call>(&e.node)) return call_interval(e, *call, s);
    return Interval::unbounded();
}

namespace {

class SchemeChecker {
public:
    SchemeChecker(checked::Scheme& scheme, Diagnostics& diags) : s_(scheme), diags_(diags) {}

    void run() {
        number_nodes(s_.ast->root, bc::no_index);
        for (std::size_t i = 0; i < s_.nodes.size(); ++i) check_node(s_.nodes[i]);
        for (std::size_t i = 0; i < s_.evidence.size(); ++i)
            if (!s_.evidence_used[i])
                warning(s_.evidence_decls[i]->span, fmt::format("evidence '{}' is never used", s_.evidence[i].name));
    }

private:
    void error(Span at, std::string message, std::string suggestion = {}) {
        diags_.error(s_.file, at, std::move(message), std::move(suggestion));
    }
    void warning(Span at, std::string message, std::string suggestion = {}) {
        diags_.warning(s_.file, at, std::move(message), std::move(suggestion));
    }

    // Pre-order numbering with each node's full marks and held points.
    void number_nodes(const ast::Node& node, std::uint32_t parent) {
        auto index = static_cast<std::uint32_t>(s_.nodes.size());
        checked::NodeFacts facts;
        facts.node = &node;
        facts.parent = parent;
        facts.full = full_marks(node);
        s_.nodes.push_back(facts);
        for (const auto& child : node.children) number_nodes(child, index);
    }

    std::optional<Decimal> full_marks(const ast::Node& node) {
        const char* word = checked::node_word(node.kind);
        if (node.points && node.bonus_cap) {
            error(node.span, fmt::format("a {} has points or a bonus cap, not both", word));
            return std::nullopt;
        }
        if (!node.points && !node.bonus_cap) {
            if (node.kind == ast::NodeKind::scheme)
                error(node.span, "the scheme needs its full marks: total N");
            else
                error(node.span, fmt::format("this {} needs its full marks: points N, or bonus cap N", word));
            return std::nullopt;
        }
        const ast::NumberLit& lit = node.points ? *node.points : *node.bonus_cap;
        auto value = checked::literal_value(lit);
        if (!value || lit.unit == ast::LiteralUnit::money || lit.unit == ast::LiteralUnit::percent) {
            error(node.span, fmt::format("this {}'s full marks must be a number of points", word));
            return std::nullopt;
        }
        return value;
    }

    void check_node(checked::NodeFacts& facts) {
        const ast::Node& node = *facts.node;
        const char* word = checked::node_word(node.kind);
        check_sibling_labels(node);
        if (!node.children.empty()) check_children_points(facts);
        else if (node.parts) error(node.parts_span, fmt::format("parts on a {} without children", word));

        if (node.children.empty() && node.rules.empty()) {
            if (node.bonus_cap) warning(node.span, fmt::format("bonus {} has no rules: it always scores 0", word));
            else warning(node.span, fmt::format("{} has no rules: it always scores full marks", word));
        }
        for (const auto& rule : node.rules) {
            if (node.bonus_cap && rule.kind == ast::RuleKind::deduct)
                warning(rule.span, fmt::format("deduction in a bonus {}: it starts at 0, so only awards belong here", word));
            check_rule(rule);
        }
        check_deductions_reach(facts);
    }

    void check_sibling_labels(const ast::Node& node) {
        std::unordered_map<std::string, const ast::Node*> seen;
        for (const auto& child : node.children) {
            auto [it, fresh] = seen.try_emplace(child.label, &child);
            if (!fresh)
                error(child.span, fmt::format("another {} under the same parent is already labelled \"{}\" (line {})",
                                              checked::node_word(it->second->kind), child.label,
                                              it->second->span.begin.line));
        }
    }

    void check_children_points(checked::NodeFacts& facts) {
        const ast::Node& node = *facts.node;
        const char* word = checked::node_word(node.kind);
        Decimal sum;
        std::vector<std::string> terms;
        for (const auto& child : node.children) {
            const ast::NumberLit* lit = child.bonus_cap && !child.points ? &*child.bonus_cap
                                        : child.points && !child.bonus_cap ? &*child.points
                                                                           : nullptr;
            auto value = lit ? checked::literal_value(*lit) : std::nullopt;
            if (!value) return;  // reported at the child
            sum += *value;
            terms.push_back(child.points ? value->to_string() : value->to_string() + " (bonus cap)");
        }
        if (!facts.full) return;
        const Decimal& full = *facts.full;
        std::string children = fmt::format("{}", fmt::join(terms, " + "));
        if (!node.parts) {
            if (sum == full) return;
            std::string whose = node.kind == ast::NodeKind::scheme ? fmt::format("the scheme's total {}", full.to_string())
                                                                   : fmt::format("this {}'s {} points", word, full.to_string());
            error(node.span, fmt::format("the children's points add up to {}, not {}: {}", sum.to_string(), whose, children),
                  fmt::format("if the document itself does not add up, say so: parts {} because \"...\"", sum.to_string()));
            return;
        }
        auto parts = checked::literal_value(*node.parts);
        if (!parts) {
            error(node.parts_span, "parts must be a number");
            return;
        }
        if (*parts != sum) {
            error(node.parts_span, fmt::format("parts {} does not match the children's points, which add up to {}: {}",
                                               parts->to_string(), sum.to_string(), children));
            return;
        }
        if (*parts == full) {
            warning(node.parts_span, "parts equals points: remove it");
            return;
        }
        if (*parts < full) facts.held = full - *parts;
    }

    // The most a rule can take (or give), after its cap; nullopt when unbounded.
    std::optional<Decimal> rule_max(const ast::Rule& rule) {
        Interval amount = amount_interval(rule);
        std::optional<Decimal> most = amount.hi;
        if (most && most->is_negative()) most = Decimal(0);
        if (auto cap = rule.cap ? fold_constant(*rule.cap, s_) : std::nullopt)
            most = most ? Decimal::min(*most, *cap) : *cap;
        return most;
    }

    // The rule's amount times its `per` (before the cap).
    Interval amount_interval(const ast::Rule& rule) {
        Interval amount = interval_of(*rule.amount, s_);
        if (rule.per) amount = amount * interval_of(*rule.per, s_);
        if (!rule.per_missing.empty())
            amount = amount * Interval::between(0, static_cast<std::int64_t>(rule.per_missing.size()));
        return amount;
    }

    // False when some expression of the rule is in error: then no interval check is meaningful.
    bool well_typed(const ast::Rule& rule) const {
        bool ok = rule.amount != nullptr;
        checked::for_each_rule_expr(rule, [&](const ast::Expr& e) {
            const auto* f = s_.facts_of(e);
            ok = ok && f && !f->type.is_error();
        });
        return ok;
    }

    void check_rule(const ast::Rule& rule) {
        if (!well_typed(rule)) return;
        if (rule.within) check_within(rule, *rule.within);
        if (rule.cap) {
            Interval amount = amount_interval(rule);
            auto cap = fold_constant(*rule.cap, s_);
            if (cap && amount.hi && *amount.hi <= *cap)
                warning(rule.cap->span, fmt::format("cap {} can never bind: the rule takes at most {}", cap->to_string(),
                                                    amount.hi->to_string()));
        }
    }

    void check_within(const ast::Rule& rule, const ast::Range& range) {
        auto lo = checked::range_lo(range), hi = checked::range_hi(range);
        if (!lo || !hi || *hi < *lo) {
            error(range.span, "within needs a range LO..HI with LO at most HI");
            return;
        }
        Interval amount = interval_of(*rule.amount, s_);
        if (amount.inside(*lo, *hi)) return;
        std::string message = fmt::format("the amount can be {}, but the rule says within {}..{}", describe(amount),
                                          lo->to_string(), hi->to_string());
        const bc::FieldSpec* evidence = first_evidence_read(*rule.amount);
        if (!evidence) {
            error(range.span, message);
            return;
        }
        Interval declared = field_interval(*evidence);
        if (declared.lo || declared.hi)
            error(range.span, fmt::format("{}: the declared range of evidence '{}' ({}) is wider", message, evidence->name,
                                          describe(declared)));
        else
            error(range.span, fmt::format("{}: evidence '{}' declares no range, so its declared range is wider", message,
                                          evidence->name),
                  fmt::format("declare it with within {}..{}", lo->to_string(), hi->to_string()));
    }

    const bc::FieldSpec* first_evidence_read(const ast::Expr& e) const {
        if (std::holds_alternative<ast::NameRef>(e.node)) {
            auto it = s_.bindings.find(&e);
            if (it != s_.bindings.end() && it->second.kind == checked::Binding::Kind::evidence)
                return &s_.evidence[it->second.index];
        }
        const bc::FieldSpec* found = nullptr;
        checked::for_each_child(e, [&](const ast::Expr& child) {
            if (!found) found = first_evidence_read(child);
        });
        return found;
    }

    // A leaf's deductions should be able to take all its points, and a node's own deductions all
    // the points it holds; otherwise part of the points can never be lost, which is almost
    // always a transcription mistake.
    void check_deductions_reach(const checked::NodeFacts& facts) {
        const ast::Node& node = *facts.node;
        if (node.bonus_cap || !facts.full) return;
        bool leaf = node.children.empty();
        const Decimal& target = leaf ? *facts.full : facts.held;
        if (!leaf && facts.held.is_zero()) return;
        Decimal most;
        bool any = false;
        for (const auto& rule : node.rules) {
            if (rule.kind != ast::RuleKind::deduct) continue;
            if (!well_typed(rule)) return;
            auto m = rule_max(rule);
            if (!m) return;  // unbounded: can take everything
            most += *m;
            any = true;
        }
        if (!any || !(most < target)) return;
        const char* word = checked::node_word(node.kind);
        if (leaf)
            warning(node.span, fmt::format("this {}'s deductions can take at most {} of its {} points", word,
                                           most.to_string(), target.to_string()));
        else
            warning(node.span, fmt::format("this {}'s own deductions can take at most {} of the {} points it holds", word,
                                           most.to_string(), target.to_string()));
    }

    checked::Scheme& s_;
    Diagnostics& diags_;
};

}  // namespace

void check_scheme(checked::Scheme& scheme, Diagnostics& diags) { SchemeChecker(scheme, diags).run(); }

}  // namespace kaohe
