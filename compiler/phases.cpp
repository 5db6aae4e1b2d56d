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
                if (b.kind == Binding::Kind::node && s_.nodes[b.index].phase == 2) {
                    error(e.span, fmt::format("{} of {} ... among must be a phase-1 value, but '{}' is scored in phase 2 "
                                              "(it reads a population value): `among` cannot nest, not even "
                                              "through a named node",
                                              what, word, name));
                    return false;
                }
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

void for_each_population(const checked::Scheme& s, const std::function<void(const ast::Expr&)>& f) {
    for (const auto& node : s.nodes)
        for (const auto& rule : node.node->rules)
            checked::for_each_rule_expr(rule, [&](const ast::Expr& e) { each_population_in(e, f); });
    checked::for_each_after_total_expr(*s.ast, [&](const ast::Expr& e) { each_population_in(e, f); });
}

void assign_phases(checked::Scheme& scheme, Diagnostics& diags) { Phases(scheme, diags).run(); }

}  // namespace kaohe
