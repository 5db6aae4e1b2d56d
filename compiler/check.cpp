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

Interval table_interval(const bc::Table& table) {
    if (table.values.empty()) return Interval::unbounded();
    Interval r = Interval::exactly(table.values[0]);
    for (const auto& v : table.values) r = hull(r, Interval::exactly(v));
    return r;
}

// A node's score: 0 up to its full marks plus its allowance (the VM's clamp).
Interval node_interval(const checked::NodeFacts& node) {
    if (!node.full) return Interval::unbounded();
    return Interval::between(0, *node.full + node.extras);
}

Interval population_interval(const ast::Population& p, const checked::Scheme& s) {
    Interval x = p.value ? interval_of(*p.value, s) : Interval::unbounded();
    switch (p.kind) {
    case ast::PopulationKind::rank: return Interval::at_least(1);
    case ast::PopulationKind::count: return Interval::at_least(0);
    case ast::PopulationKind::mean:
    case ast::PopulationKind::max:
    case ast::PopulationKind::min: return x;  // over at least one unit (none is an evaluation error)
    case ast::PopulationKind::sum: return sum_interval(x);
    case ast::PopulationKind::bottom:
    case ast::PopulationKind::top: return Interval::between(0, 1);
    }
    return Interval::unbounded();
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
    case Builtin::mean: return body();  // over at least one record (an empty list is an error)
    case Builtin::total: return Interval::at_least(0);
    case Builtin::weighted:
        // a weighted mean of the table's values (at least one vote, else an evaluation error)
        return facts->index < s.tables.size() ? table_interval(s.tables[facts->index]) : Interval::unbounded();
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
        if (it->second.kind == checked::Binding::Kind::node && it->second.index < s.nodes.size())
            return node_interval(s.nodes[it->second.index]);
        return Interval::unbounded();
    }
    if (const auto* m = std::get_if<ast::Member>(&e.node)) {
        const auto* facts = s.facts_of(e);
        const auto* object = m->object ? s.facts_of(*m->object) : nullptr;
        if (object && object->type.kind == checked::Type::Kind::votes) return Interval::at_least(0);  // a vote count
        if (!facts || !object || !object->type.record || facts->index == bc::no_index) return Interval::unbounded();
        return field_interval(object->type.record->fields[facts->index]);
    }
    if (std::holds_alternative<ast::Index>(e.node)) {
        const auto* facts = s.facts_of(e);
        if (!facts || facts->index == bc::no_index) return Interval::unbounded();
        return table_interval(s.tables[facts->index]);
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
    if (const auto* p = std::get_if<ast::Population>(&e.node)) return population_interval(*p, s);
    return Interval::unbounded();
}

namespace {

class SchemeChecker {
public:
    SchemeChecker(checked::Scheme& scheme, Diagnostics& diags) : s_(scheme), diags_(diags) {}

    void run() {
        number_nodes(s_.ast->root, bc::no_index);
        for (std::size_t i = 0; i < s_.nodes.size(); ++i) check_node(s_.nodes[i]);
        if (s_.ast->grading) check_grading(*s_.ast->grading);
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

    // Pre-order numbering with each node's full marks, extras, score rule and extent.
    void number_nodes(const ast::Node& node, std::uint32_t parent) {
        auto index = static_cast<std::uint32_t>(s_.nodes.size());
        checked::NodeFacts facts;
        facts.node = &node;
        facts.parent = parent;
        facts.full = full_marks(node);
        for (const auto& rule : node.rules)
            if (rule.kind == ast::RuleKind::score && !facts.score) facts.score = &rule;
        s_.nodes.push_back(facts);
        // The allowance (bc::allowances): an extra child adds its cap and its own allowance, any
        // other child its allowance, so an extra bonus raises every ceiling above it.
        for (const auto& child : node.children) {
            auto child_index = static_cast<std::uint32_t>(s_.nodes.size());
            number_nodes(child, index);
            Decimal raised = s_.nodes[child_index].extras;
            if (child.extra && child.bonus_cap)
                if (auto cap = checked::literal_value(*child.bonus_cap)) raised += *cap;
            s_.nodes[index].extras += raised;
        }
        s_.nodes[index].end = static_cast<std::uint32_t>(s_.nodes.size());
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
        if (node.extra && !node.bonus_cap)
            error(node.span, fmt::format("only a bonus {} can be extra: {} \"...\" bonus cap N extra {{ ... }}", word, word));
        if (facts.score) {
            check_score_rules(facts);
            // A computed node's children are its inputs: their points need not add up to its own.
            if (node.parts)
                error(node.parts_span, fmt::format("parts has no meaning on a {} with a score rule: its children's "
                                                   "points are inputs, not parts of its own",
                                                   word));
        } else if (!node.children.empty()) {
            check_children_points(facts);
        } else if (node.parts) {
            error(node.parts_span, fmt::format("parts on a {} without children", word));
        }

        if (node.children.empty() && node.rules.empty()) {
            if (node.bonus_cap) warning(node.span, fmt::format("bonus {} has no rules: it always scores 0", word));
            else warning(node.span, fmt::format("{} has no rules: it always scores full marks", word));
        }
        for (const auto& rule : node.rules) {
            if (node.bonus_cap && rule.kind == ast::RuleKind::deduct)
                warning(rule.span, fmt::format("deduction in a bonus {}: it starts at 0, so only awards belong here", word));
            if (rule.kind != ast::RuleKind::score) check_rule(rule);
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
            if (child.extra) continue;  // on top of the parent's full marks, not part of them
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

    // At most one `score` rule, and then no deduct or award; the score takes no per, condition,
    // cap or within; a score that can leave [0, full] is clamped, and the scheme is warned.
    void check_score_rules(const checked::NodeFacts& facts) {
        const ast::Node& node = *facts.node;
        const char* word = checked::node_word(node.kind);
        const ast::Rule& score = *facts.score;
        for (const auto& rule : node.rules) {
            if (&rule == &score) continue;
            if (rule.kind == ast::RuleKind::score)
                error(rule.span, fmt::format("a second score rule: a node has at most one (the first is on line {})",
                                             score.span.begin.line));
            else
                error(rule.span, fmt::format("{} beside a score rule (line {}): this {} scores its expression, so it has "
                                             "no deduct or award; fold this into the score",
                                             rule.kind == ast::RuleKind::deduct ? "deduct" : "award",
                                             score.span.begin.line, word));
        }
        if (score.per || !score.per_missing.empty() || score.condition || score.cap || score.within) {
            error(score.span, "a score rule is `score EXPR [says \"...\"]`: it takes no per, if, unless, cap or within "
                              "(use when ... then ... else ... in the expression)");
            return;
        }
        if (!well_typed(score) || !facts.full) return;
        Interval value = interval_of(*score.amount, s_);
        Decimal most = *facts.full + facts.extras;
        if (!value.inside(Decimal(0), most))
            warning(score.amount->span, fmt::format("this score can be {}, outside 0..{}: it is kept within 0..{}",
                                                    describe(value), most.to_string(), most.to_string()));
    }

    // Grade bands: best first, thresholds in points strictly decreasing, quotas fractions of at
    // most 100%, the last band `otherwise` and only the last.
    void check_grading(const ast::Grading& g) {
        std::optional<Decimal> previous;
        const ast::GradeBand* previous_band = nullptr;
        const checked::NodeFacts& graded = s_.nodes[s_.grading.node < s_.nodes.size() ? s_.grading.node : 0];
        for (std::size_t i = 0; i < g.bands.size(); ++i) {
            const ast::GradeBand& band = g.bands[i];
            bool last = i + 1 == g.bands.size();
            if (band.otherwise && !last)
                error(band.span, fmt::format("'{}: otherwise' must be the last grade: it takes every unit left", band.name));
            if (last && !band.otherwise)
                error(band.span, fmt::format("the last grade takes every unit left: write {}: otherwise", band.name));
            if (band.otherwise && band.quota)
                error(band.span, "the otherwise grade takes every unit left: it has no quota");
            if (band.quota) check_quota(band);
            if (band.otherwise) continue;
            if (!band.at_least) {
                error(band.span, fmt::format("grade '{}' needs a threshold: {}: >= N", band.name, band.name));
                continue;
            }
            auto threshold = checked::literal_value(*band.at_least);
            bool points = band.at_least->unit == ast::LiteralUnit::none || band.at_least->unit == ast::LiteralUnit::points;
            if (!threshold || !points) {
                error(band.span, fmt::format("grade '{}': a threshold is a number of points", band.name));
                continue;
            }
            if (previous && !(*threshold < *previous))
                error(band.span, fmt::format("grade '{}' needs a threshold below {} (the threshold of '{}', the grade "
                                             "before it): grades go from the best down",
                                             band.name, previous->to_string(), previous_band->name));
            else if (graded.full && *graded.full + graded.extras < *threshold)
                warning(band.span, fmt::format("no unit can reach grade '{}': it needs {}, but the most a unit can score "
                                               "is {}",
                                               band.name, threshold->to_string(),
                                               (*graded.full + graded.extras).to_string()));
            previous = threshold;
            previous_band = &band;
        }
    }

    void check_quota(const ast::GradeBand& band) {
        auto quota = checked::literal_value(*band.quota);
        if (!quota || band.quota->unit != ast::LiteralUnit::percent) {
            error(band.span, fmt::format("grade '{}': a quota is a percentage of the units, as in quota 15%", band.name));
            return;
        }
        if (quota->sign() <= 0 || Decimal(1) < *quota)
            error(band.span, fmt::format("grade '{}': a quota must be above 0% and at most 100%, not {}%", band.name,
                                         band.quota->text));
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
        if (node.bonus_cap || !facts.full || facts.score) return;
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
