#include "compiler/phases.hpp"

#include <fmt/format.h>

#include <unordered_set>

namespace kaohe {
namespace {

using checked::Binding;

void each_population_in(const ast::Expr& e, const std::function<void(const ast::Expr&)>& f) {
    if (std::holds_alternative<ast::Population>(e.node)) f(e);
    checked::for_each_child(e, [&](const ast::Expr& child) { each_population_in(child, f); });
}

class Phases {
public:
    Phases(checked::Scheme& scheme, Diagnostics& diags) : s_(scheme), diags_(diags) {}

    void run() {
        if (!s_.nodes.empty()) node_phase(0);
        for_each_population(s_, [&](const ast::Expr& e) { check_inputs(std::get<ast::Population>(e.node)); });
        check_stage_1_uses();
    }

private:
    // Post-order: a node's rules may read only nodes scored before it, whose phases are known.
    std::uint8_t node_phase(std::uint32_t index) {
        checked::NodeFacts& facts = s_.nodes[index];
        std::uint8_t phase = 1;
        for (std::uint32_t child = index + 1; child < facts.end; child = s_.nodes[child].end)
            phase = std::max(phase, node_phase(child));
        for (const auto& rule : facts.node->rules)
            checked::for_each_rule_expr(rule, [&](const ast::Expr& e) { phase = std::max(phase, phase_of(e, s_)); });
        s_.nodes[index].phase = phase;
        return phase;
    }

    // X and C of a population expression are phase-1 values of this unit.
    void check_inputs(const ast::Population& p) {
        const char* word = checked::population_word(p.kind);
        for (const ast::Expr* input : {p.value.get(), p.where.get()}) {
            if (!input) continue;
            const char* what = input == p.value.get() ? "X" : "the where condition";
            std::unordered_set<const ast::Lambda*> inner;
            collect_lambdas(*input, inner);
            check_input(*input, word, what, inner);
        }
    }

    static void collect_lambdas(const ast::Expr& e, std::unordered_set<const ast::Lambda*>& out) {
        if (const auto* lambda = std::get_if<ast::Lambda>(&e.node)) out.insert(lambda);
        checked::for_each_child(e, [&](const ast::Expr& child) { collect_lambdas(child, out); });
    }

    // Reports the first reason `e` is not a phase-1 value of the unit; true when it is one.
    bool check_input(const ast::Expr& e, const char* word, const char* what,
                     const std::unordered_set<const ast::Lambda*>& inner) {
        if (std::holds_alternative<ast::Population>(e.node)) {
            error(e.span, fmt::format("`among` cannot nest: this is inside {} of {} ... among, which must be a value "
                                      "each unit has before the population values are computed",
                                      what, word));
            return false;
        }
        if (std::holds_alternative<ast::NameRef>(e.node)) {
            auto it = s_.bindings.find(&e);
            if (it != s_.bindings.end()) {
                const Binding& b = it->second;
                const std::string& name = std::get<ast::NameRef>(e.node).name;
                // A phase-2 node (or the total containing one) is allowed: the population value is
                // then stage 1, and check_stage_1_uses says where it may be read.
                if (b.kind == Binding::Kind::grade) {
                    error(e.span, fmt::format("{} of {} ... among cannot read the grade '{}': grades come after the "
                                              "population values",
                                              what, word, name));
                    return false;
                }
                if (b.kind == Binding::Kind::param && !inner.count(b.binder)) {
                    error(e.span, fmt::format("{} of {} ... among cannot read '{}', a record of the list being looped "
                                              "over: a population value is computed once per unit",
                                              what, word, name));
                    return false;
                }
            }
        }
        bool ok = true;
        checked::for_each_child(e, [&](const ast::Expr& child) { ok = ok && check_input(child, word, what, inner); });
        return ok;
    }

    // A stage-1 population value is computed at BARRIER 1, after every node is scored and every
    // veto decided: a rule or a veto cannot read it, only money, forfeit and flag lines.
    void check_stage_1_uses() {
        auto check = [&](const ast::Expr& e, const char* where) {
            each_population_in(e, [&](const ast::Expr& pop) {
                const auto& p = std::get<ast::Population>(pop.node);
                if (stage_of(p, s_) == 0) return;
                const ast::Expr* late = phase_2_name(p);
                error(pop.span,
                      fmt::format("this {} ... among is over {}, known only after phase 2 (it reads a population "
                                  "value), so it is computed after the totals, with the grades: it can be used in "
                                  "money, forfeit and flag lines, not {}",
                                  checked::population_word(p.kind),
                                  late ? describe_late(*late) : std::string("a phase-2 value"), where));
            });
        };
        for (const auto& node : s_.nodes)
            for (const auto& rule : node.node->rules)
                checked::for_each_rule_expr(rule, [&](const ast::Expr& e) { check(e, "in a rule"); });
        if (s_.ast->grading)
            for (const auto& veto : s_.ast->grading->vetoes)
                if (veto.condition) check(*veto.condition, "in a veto (vetoes are decided before the grades)");
    }

    // The first name in X or C of `p` that reads a phase-2 node, or null.
    const ast::Expr* phase_2_name(const ast::Population& p) const {
        const ast::Expr* found = nullptr;
        std::function<void(const ast::Expr&)> visit = [&](const ast::Expr& e) {
            if (found) return;
            if (std::holds_alternative<ast::NameRef>(e.node)) {
                auto it = s_.bindings.find(&e);
                if (it != s_.bindings.end() && it->second.kind == Binding::Kind::node &&
                    s_.nodes[it->second.index].phase == 2)
                    found = &e;
                return;
            }
            checked::for_each_child(e, visit);
        };
        for (const ast::Expr* input : {p.value.get(), p.where.get()})
            if (input) visit(*input);
        return found;
    }

    std::string describe_late(const ast::Expr& name) const {
        const std::string& text = std::get<ast::NameRef>(name.node).name;
        return text == "total" ? std::string("the total") : fmt::format("'{}'", text);
    }

    void error(Span at, std::string message) { diags_.error(s_.file, at, std::move(message)); }

    checked::Scheme& s_;
    Diagnostics& diags_;
};

}  // namespace

std::uint8_t phase_of(const ast::Expr& e, const checked::Scheme& s) {
    if (std::holds_alternative<ast::Population>(e.node)) return 2;
    if (std::holds_alternative<ast::NameRef>(e.node)) {
        auto it = s.bindings.find(&e);
        if (it != s.bindings.end() && it->second.kind == Binding::Kind::node && it->second.index < s.nodes.size())
            return s.nodes[it->second.index].phase;
        return 1;
    }
    std::uint8_t phase = 1;
    checked::for_each_child(e, [&](const ast::Expr& child) { phase = std::max(phase, phase_of(child, s)); });
    return phase;
}

std::uint8_t stage_of(const ast::Population& p, const checked::Scheme& s) {
    for (const ast::Expr* input : {p.value.get(), p.where.get()})
        if (input && phase_of(*input, s) == 2) return 1;
    return 0;
}

void for_each_population(const checked::Scheme& s, const std::function<void(const ast::Expr&)>& f) {
    for (const auto& node : s.nodes)
        for (const auto& rule : node.node->rules)
            checked::for_each_rule_expr(rule, [&](const ast::Expr& e) { each_population_in(e, f); });
    checked::for_each_after_total_expr(*s.ast, [&](const ast::Expr& e) { each_population_in(e, f); });
}

void assign_phases(checked::Scheme& scheme, Diagnostics& diags) { Phases(scheme, diags).run(); }

}  // namespace kaohe
