#include "compiler/lower.hpp"

#include "compiler/check.hpp"
#include "compiler/phases.hpp"
#include "compiler/types.hpp"
#include "lang/ast_print.hpp"
#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <unordered_map>

namespace kaohe {
namespace {

using bc::Op;

// FIELD packs the field index in 16 bits and the loop depth in the 8 above (see opcodes.def).
constexpr std::uint32_t max_field_index = 0xffff;
constexpr std::uint32_t max_field_depth = 0xff;

Rounding rounding_of(ast::RoundingMode mode) {
    switch (mode) {
    case ast::RoundingMode::half_up: return Rounding::half_up;
    case ast::RoundingMode::half_even: return Rounding::half_even;
    case ast::RoundingMode::down: return Rounding::down;
    case ast::RoundingMode::up: return Rounding::up;
    }
    return Rounding::half_up;
}

bc::AggregateKind aggregate_kind(ast::PopulationKind kind) {
    switch (kind) {
    case ast::PopulationKind::rank: return bc::AggregateKind::rank;
    case ast::PopulationKind::mean: return bc::AggregateKind::mean;
    case ast::PopulationKind::max: return bc::AggregateKind::max;
    case ast::PopulationKind::min: return bc::AggregateKind::min;
    case ast::PopulationKind::sum: return bc::AggregateKind::sum;
    case ast::PopulationKind::count: return bc::AggregateKind::count;
    case ast::PopulationKind::bottom: return bc::AggregateKind::bottom;
    case ast::PopulationKind::top: return bc::AggregateKind::top;
    }
    return bc::AggregateKind::rank;
}

bc::Scope scope_of(ast::PopulationScope scope) {
    return scope == ast::PopulationScope::group ? bc::Scope::group : bc::Scope::all;
}

// The source text a span covers (spans count code points from a 1-based line and column).
std::string span_text(std::string_view source, const Span& span) {
    std::size_t at = 0;
    for (std::uint32_t line = 1; line < span.begin.line && at < source.size(); ++at)
        if (source[at] == '\n') ++line;
    auto next_code_point = [&](std::size_t i) {
        ++i;
        while (i < source.size() && (static_cast<unsigned char>(source[i]) & 0xc0) == 0x80) ++i;
        return i;
    };
    for (std::uint32_t column = 1; column < span.begin.column && at < source.size(); ++column) at = next_code_point(at);
    std::size_t end = at;
    for (std::uint32_t n = 0; n < span.length && end < source.size(); ++n) end = next_code_point(end);
    return std::string(source.substr(at, end - at));
}

bc::NodeKind node_kind(ast::NodeKind kind) {
    switch (kind) {
    case ast::NodeKind::scheme: return bc::NodeKind::scheme;
    case ast::NodeKind::section: return bc::NodeKind::section;
    case ast::NodeKind::item: return bc::NodeKind::item;
    case ast::NodeKind::clause: return bc::NodeKind::clause;
    }
    return bc::NodeKind::item;
}

class Lowerer {
public:
    Lowerer(const checked::Scheme& scheme, std::string_view source, Diagnostics& diags)
        : s_(scheme), source_(source), diags_(diags) {}

    std::optional<bc::Program> run() {
        const ast::Scheme& ast = *s_.ast;
        scheme_info(ast);
        p_.choice_types = s_.choice_types;
        p_.evidence = s_.evidence;
        p_.tables = s_.tables;
        node_table();
        rule_table();
        population_table();
        grading_table();
        money_table();
        flag_table();
        // opcodes.def "Phases": a scheme with no population values, grades or money runs each
        // unit straight through, with no barriers (streaming).
        bool phased = !p_.aggregates.empty() || ast.grading || !ast.money.empty() || !ast.forfeits.empty() ||
                      !ast.flags.empty();
        line_ = ast.root.span.begin.line;
        node_code(ast.root, 1);
        if (phased) {
            store_inputs(0);
            barrier(0);
        }
        node_code(ast.root, 2);
        veto_code();
        if (phased) {
            store_inputs(1);  // values known only now (the total with a mean in it), for stage 1
            barrier(1);
        }
        money_code();
        flag_code();
        line_ = ast.root.span.begin.line;
        emit(Op::HALT);
        if (too_large_) return std::nullopt;
        return std::move(p_);
    }

private:
    // ---- tables ------------------------------------------------------------------------

    void scheme_info(const ast::Scheme& ast) {
        bc::SchemeInfo& info = p_.info;
        const ast::Header& h = ast.header;
        info.title = h.title;
        info.issuer = h.issuer;
        info.document = h.document;
        info.assesses = h.assesses;
        info.year = h.year ? h.year->text : std::string();
        info.groups = h.groups;
        info.display_places = h.display_places;
        info.display_mode = rounding_of(h.display_mode);
        info.source_name = ast.file;
        info.source_sha256 = sha256(source_);
    }

    void node_table() {
        for (std::uint32_t i = 0; i < s_.nodes.size(); ++i) {
            const checked::NodeFacts& facts = s_.nodes[i];
            const ast::Node& node = *facts.node;
            node_index_[&node] = i;
            bc::NodeInfo info;
            info.name = node.name;
            info.label = node.label.empty() && node.kind == ast::NodeKind::scheme ? s_.ast->header.title : node.label;
            info.goal = node.goal;
            info.text = node.text;
            info.kind = node_kind(node.kind);
            info.parent = facts.parent;
            info.bonus = node.bonus_cap.has_value();
            info.extra = node.extra;
            info.computed = facts.score != nullptr;
            info.phase = facts.phase;
            info.full = facts.full ? *facts.full : Decimal();
            info.held = facts.held;
            info.has_children = !node.children.empty();
            info.line = node.span.begin.line;
            info.column = node.span.begin.column;
            if (node.parts) info.parts_reason = node.parts_reason;
            p_.nodes.push_back(std::move(info));
        }
        check_limit(p_.nodes.size(), "nodes");
    }

    // Rules are numbered in source order (a node's rules may be written after its children).
    void rule_table() {
        std::vector<std::pair<std::uint32_t, const ast::Rule*>> rules;
        for (std::uint32_t n = 0; n < s_.nodes.size(); ++n)
            for (const auto& rule : s_.nodes[n].node->rules) rules.emplace_back(n, &rule);
        std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
            const SourcePos &x = a.second->span.begin, &y = b.second->span.begin;
            return x.line != y.line ? x.line < y.line : x.column < y.column;
        });
        for (const auto& [node, rule] : rules) {
            rule_index_[rule] = static_cast<std::uint32_t>(p_.rules.size());
            bc::RuleInfo info;
            info.node = node;
            info.kind = rule->kind == ast::RuleKind::deduct  ? bc::RuleKind::deduct
                        : rule->kind == ast::RuleKind::award ? bc::RuleKind::award
                                                             : bc::RuleKind::score;
            if (rule->cap) info.cap = fold_constant(*rule->cap, s_);
            info.says = rule->says;
            info.source_text = rule->source_text;
            info.line = rule->span.begin.line;
            info.column = rule->span.begin.column;
            p_.rules.push_back(std::move(info));
        }
        check_limit(p_.rules.size(), "rules");
    }

    // Every population expression becomes an aggregate over per-unit inputs. Identical
    // expressions (the same printed AST) share one aggregate, and identical X or C one input.
    void population_table() {
        for_each_population(s_, [&](const ast::Expr& e) {
            const auto& pop = std::get<ast::Population>(e.node);
            auto [it, fresh] = aggregate_index_.try_emplace(ast::print(e), static_cast<std::uint32_t>(p_.aggregates.size()));
            aggregate_of_[&e] = it->second;
            if (!fresh) return;
            bc::Aggregate a;
            a.kind = aggregate_kind(pop.kind);
            a.scope = scope_of(pop.scope);
            a.ascending = pop.ascending;
            if (pop.value) a.value = input(*pop.value);
            if (pop.where) a.where = input(*pop.where);
            if (pop.n) a.n = *fold_constant(*pop.n, s_);
            a.source_text = span_text(source_, e.span);
            a.line = e.span.begin.line;
            a.stage = stage_of(pop, s_);
            p_.aggregates.push_back(std::move(a));
        });
        check_limit(p_.aggregates.size(), "population expressions");
    }

    std::uint32_t input(const ast::Expr& e) {
        auto [it, fresh] = input_index_.try_emplace(ast::print(e), static_cast<std::uint32_t>(p_.population_inputs.size()));
        if (fresh) {
            // A phase-2 X or C (it reads the total, or a node with a population value in it) can
            // only be stored in phase 2: a stage-1 input.
            std::uint8_t stage = phase_of(e, s_) == 2 ? 1 : 0;
            p_.population_inputs.push_back(bc::PopulationInput{span_text(source_, e.span), e.span.begin.line, stage});
            input_exprs_.push_back(&e);
        }
        return it->second;
    }

    void grading_table() {
        const auto& g = s_.ast->grading;
        if (!g) return;
        bc::Grading& out = p_.grading;
        out.choice_type = s_.grading.choice_type;
        out.node = s_.grading.node;
        out.scope = g->scope == ast::PopulationScope::group ? bc::Scope::group : bc::Scope::all;
        out.line = g->span.begin.line;
        for (const auto& band : g->bands) {
            bc::GradeBand b;
            if (band.at_least) b.at_least = checked::literal_value(*band.at_least);
            if (band.quota) b.quota = checked::literal_value(*band.quota);  // 15% is 0.15
            out.bands.push_back(b);
        }
        for (std::size_t i = 0; i < g->vetoes.size(); ++i) {
            const ast::Veto& veto = g->vetoes[i];
            out.vetoes.push_back(bc::Veto{s_.grading.veto_grades[i], veto.says, veto.source_text, veto.span.begin.line});
        }
    }

    void money_table() {
        for (const auto& m : s_.ast->money) p_.money.push_back(bc::Money{m.name, m.says, m.source_text, m.span.begin.line});
        for (std::size_t i = 0; i < s_.ast->forfeits.size(); ++i) {
            const ast::Forfeit& f = s_.ast->forfeits[i];
            p_.forfeits.push_back(bc::Forfeit{s_.forfeit_money[i], f.says, f.source_text, f.span.begin.line});
        }
    }

    void flag_table() {
        for (const auto& f : s_.ast->flags) p_.flags.push_back(bc::Flag{f.name, f.says, f.source_text, f.span.begin.line});
    }

    // ---- emitting ----------------------------------------------------------------------

    void check_limit(std::size_t n, const char* what) {
        if (n <= bc::max_operand || too_large_) return;
        too_large_ = true;
        diags_.error(s_.file, s_.ast->root.span,
                     fmt::format("the scheme has too many {} for the bytecode (at most {})", what, bc::max_operand));
    }

    std::size_t emit(Op op, std::uint32_t operand = 0) {
        check_limit(operand, "instructions, constants or jumps");
        p_.code.push_back(bc::encode(op, operand & bc::max_operand));
        p_.lines.push_back(line_);
        return p_.code.size() - 1;
    }

    // A forward jump from `at` to the current end of the code.
    void patch(std::size_t at) {
        std::size_t distance = p_.code.size() - (at + 1);
        check_limit(distance, "instructions");
        p_.code[at] = bc::encode(bc::opcode_of(p_.code[at]), static_cast<std::uint32_t>(distance) & bc::max_operand);
    }

    void constant(const Decimal& value) {
        auto [it, fresh] = constant_index_.try_emplace(value.to_fraction_string(),
                                                       static_cast<std::uint32_t>(p_.constants.size()));
        if (fresh) p_.constants.push_back(value);
        emit(Op::CONST, it->second);
    }

    // Sets the line for the instructions emitted while it lives.
    struct LineScope {
        LineScope(Lowerer& l, std::uint32_t line) : lowerer(l), saved(l.line_) { l.line_ = line; }
        ~LineScope() { lowerer.line_ = saved; }
        LineScope(const LineScope&) = delete;
        LineScope& operator=(const LineScope&) = delete;
        Lowerer& lowerer;
        std::uint32_t saved;
    };

    // ---- the tree ----------------------------------------------------------------------

    // The nodes of one phase in post-order. A phase-1 node's descendants are all phase 1, and a
    // phase-2 node's ancestors all phase 2, so each phase's slots keep children before parents.
    void node_code(const ast::Node& node, std::uint8_t phase) {
        for (const auto& child : node.children) node_code(child, phase);
        std::uint32_t n = node_index_.at(&node);
        if (s_.nodes[n].phase != phase) return;
        for (const auto& rule : node.rules) rule_code(rule);
        LineScope line(*this, node.span.begin.line);
        emit(Op::NODE, n);
    }

    // Each phase ends by keeping the population inputs (X, C) of this unit of its stage: phase 1
    // the stage-0 inputs, phase 2 the stage-1 ones.
    void store_inputs(std::uint8_t stage) {
        for (std::uint32_t k = 0; k < input_exprs_.size(); ++k) {
            if (p_.population_inputs[k].stage != stage) continue;
            LineScope line(*this, input_exprs_[k]->span.begin.line);
            expr(*input_exprs_[k]);
            emit(Op::STORE, k);
        }
    }

    void barrier(std::uint32_t which) {
        LineScope line(*this, s_.ast->root.span.begin.line);
        emit(Op::BARRIER, which);
    }

    void veto_code() {
        if (!s_.ast->grading) return;
        const auto& vetoes = s_.ast->grading->vetoes;
        for (std::uint32_t v = 0; v < vetoes.size(); ++v) {
            LineScope line(*this, vetoes[v].span.begin.line);
            expr(*vetoes[v].condition);
            emit(Op::VETO, v);
        }
    }

    void money_code() {
        const auto& money = s_.ast->money;
        for (std::uint32_t m = 0; m < money.size(); ++m) {
            LineScope line(*this, money[m].span.begin.line);
            expr(*money[m].amount);
            emit(Op::MONEY, m);
        }
        const auto& forfeits = s_.ast->forfeits;
        for (std::uint32_t f = 0; f < forfeits.size(); ++f) {
            LineScope line(*this, forfeits[f].span.begin.line);
            expr(*forfeits[f].condition);
            emit(Op::FORFEIT, f);
        }
    }

    void flag_code() {
        const auto& flags = s_.ast->flags;
        for (std::uint32_t f = 0; f < flags.size(); ++f) {
            LineScope line(*this, flags[f].span.begin.line);
            expr(*flags[f].condition);
            emit(Op::FLAG, f);
        }
    }

    void rule_code(const ast::Rule& rule) {
        LineScope line(*this, rule.span.begin.line);
        std::uint32_t r = rule_index_.at(&rule);
        emit(Op::RULE, r);
        if (rule.kind == ast::RuleKind::score) {
            expr(*rule.amount);
            emit(Op::SCORE, r);
            return;
        }
        std::optional<std::size_t> skip;
        if (rule.condition) {
            expr(*rule.condition);
            if (rule.unless) emit(Op::NOT);
            skip = emit(Op::JUMP_IF_FALSE);
        }
        expr(*rule.amount);
        if (rule.per) {
            expr(*rule.per);
            emit(Op::MUL);
        }
        if (!rule.per_missing.empty()) {
            // how many of the yes/no facts are no: 0 + (not A) + (not B) ...
            constant(Decimal(0));
            for (const auto& name : rule.per_missing) {
                emit(Op::LOAD, *s_.find_evidence(name));
                emit(Op::NOT);
                emit(Op::TO_NUM);
                emit(Op::ADD);
            }
            emit(Op::MUL);
        }
        emit(rule.kind == ast::RuleKind::deduct ? Op::DEDUCT : Op::AWARD, r);
        if (skip) patch(*skip);
    }

    // ---- expressions -------------------------------------------------------------------

    const checked::Facts& facts(const ast::Expr& e) const {
        const auto* f = s_.facts_of(e);
        assert(f && "types gives every lowered expression its facts");
        return *f;
    }

    void expr(const ast::Expr& e) {
        LineScope line(*this, e.span.begin.line);
        std::visit([&](const auto& n) { lower_node(e, n); }, e.node);
    }

    void lower_node(const ast::Expr&, const ast::NumberLit& lit) { constant(*checked::literal_value(lit)); }

    void lower_node(const ast::Expr& e, const ast::NameRef&) {
        const checked::Binding& b = s_.bindings.at(&e);
        switch (b.kind) {
        case checked::Binding::Kind::evidence: emit(Op::LOAD, b.index); return;
        case checked::Binding::Kind::constant: constant(*s_.constants[b.index].value); return;
        case checked::Binding::Kind::boolean: emit(Op::BOOL, b.index); return;
        case checked::Binding::Kind::node: emit(Op::LOAD_NODE, b.index); return;
        case checked::Binding::Kind::grade: emit(Op::GRADE); return;
        default: assert(false && "types allows only evidence, constants, nodes, the grade and yes/no as values"); return;
        }
    }

    void lower_node(const ast::Expr& e, const ast::Member& m) {
        if (facts(*m.object).type.kind == checked::Type::Kind::votes) {  // 民主测评.好
            expr(*m.object);
            emit(Op::TALLY, facts(e).index);
            return;
        }
        std::uint32_t field = facts(e).index;
        std::uint32_t depth = s_.bindings.at(m.object.get()).depth;
        if (field > max_field_index || depth > max_field_depth) {
            check_limit(bc::max_operand + std::size_t{1}, "record fields or nested lists");
            return;
        }
        emit(Op::FIELD, bc::field_operand(field, depth));
    }

    void lower_node(const ast::Expr& e, const ast::Index& ix) {
        expr(*ix.key);
        emit(Op::TABLE, facts(e).index);
    }

    void lower_node(const ast::Expr&, const ast::Unary& u) {
        expr(*u.operand);
        emit(u.op == ast::UnaryOp::negate ? Op::NEG : Op::NOT);
    }

    static Op binary_op(ast::BinaryOp op) {
        switch (op) {
        case ast::BinaryOp::add: return Op::ADD;
        case ast::BinaryOp::sub: return Op::SUB;
        case ast::BinaryOp::mul: return Op::MUL;
        case ast::BinaryOp::div: return Op::DIV;
        case ast::BinaryOp::eq: return Op::EQ;
        case ast::BinaryOp::ne: return Op::NE;
        case ast::BinaryOp::lt: return Op::LT;
        case ast::BinaryOp::le: return Op::LE;
        case ast::BinaryOp::gt: return Op::GT;
        case ast::BinaryOp::ge: return Op::GE;
        default: return Op::HALT;  // and/or are jumps
        }
    }

    bool is_choice_value(const ast::Expr& e) const { return facts(e).type.kind == checked::Type::Kind::choice_value; }

    void lower_node(const ast::Expr&, const ast::Binary& b) {
        if (b.op == ast::BinaryOp::logical_and || b.op == ast::BinaryOp::logical_or) {
            expr(*b.lhs);
            std::size_t end = emit(b.op == ast::BinaryOp::logical_and ? Op::AND_JUMP : Op::OR_JUMP);
            expr(*b.rhs);
            patch(end);
            return;
        }
        if ((b.op == ast::BinaryOp::eq || b.op == ast::BinaryOp::ne) && (is_choice_value(*b.lhs) || is_choice_value(*b.rhs))) {
            // X == 未建立 is X is 未建立
            bool value_left = is_choice_value(*b.lhs);
            expr(value_left ? *b.rhs : *b.lhs);
            emit(Op::IS, facts(value_left ? *b.lhs : *b.rhs).index);
            if (b.op == ast::BinaryOp::ne) emit(Op::NOT);
            return;
        }
        expr(*b.lhs);
        expr(*b.rhs);
        emit(binary_op(b.op));
    }

    // X is {A, B}: X; IS A; OR_JUMP end; X; IS B; end:   (then NOT for `is not`)
    void lower_node(const ast::Expr& e, const ast::IsChoice& is) {
        const auto& choices = facts(e).choices;
        std::vector<std::size_t> ends;
        for (std::size_t i = 0; i < choices.size(); ++i) {
            expr(*is.subject);
            emit(Op::IS, choices[i]);
            if (i + 1 < choices.size()) ends.push_back(emit(Op::OR_JUMP));
        }
        for (auto end : ends) patch(end);
        if (is.negated) emit(Op::NOT);
    }

    void lower_node(const ast::Expr&, const ast::When& w) {
        std::vector<std::size_t> ends;
        for (const auto& arm : w.arms) {
            expr(*arm.condition);
            std::size_t next = emit(Op::JUMP_IF_FALSE);
            expr(*arm.value);
            ends.push_back(emit(Op::JUMP));
            patch(next);
        }
        expr(*w.otherwise);
        for (auto end : ends) patch(end);
    }

    void lower_node(const ast::Expr&, const ast::Lambda&) { assert(false && "lambdas are lowered by their builtin"); }
    void lower_node(const ast::Expr& e, const ast::Population&) { emit(Op::AGG, aggregate_of_.at(&e)); }
    void lower_node(const ast::Expr&, const ast::TableLit&) { assert(false && "tables are lowered by their index"); }

    void lower_node(const ast::Expr& e, const ast::Call& call) {
        Builtin builtin = *facts(e).builtin;
        switch (builtin) {
        case Builtin::max_of:
        case Builtin::min_of:
            expr(*call.args[0]);
            for (std::size_t i = 1; i < call.args.size(); ++i) {
                expr(*call.args[i]);
                emit(builtin == Builtin::max_of ? Op::MAX : Op::MIN);
            }
            return;
        case Builtin::round: {
            auto mode = static_cast<Rounding>(s_.bindings.at(call.args[2].get()).index);
            expr(*call.args[0]);
            emit(Op::ROUND, bc::round_operand(facts(e).places, mode));
            return;
        }
        case Builtin::total:
            expr(*call.args[0]);
            emit(Op::VOTES_TOTAL);
            return;
        case Builtin::weighted:
            expr(*call.args[0]);
            emit(Op::WEIGHTED, facts(e).index);
            return;
        default: list_builtin(builtin, call);
        }
    }

    const ast::Expr* lambda_body(const ast::Call& call) const {
        if (call.args.size() < 2) return nullptr;
        return std::get<ast::Lambda>(call.args[1]->node).body.get();
    }

    // <list>; ITER_BEGIN; top: ITER_NEXT end; <body>; LOOP top; end:
    template <class Body>
    void loop(const ast::Expr& list, Body body) {
        expr(list);
        emit(Op::ITER_BEGIN);
        std::size_t top = emit(Op::ITER_NEXT);
        body();
        emit(Op::LOOP, static_cast<std::uint32_t>(p_.code.size() - top));
        patch(top);
    }

    // 0, then 1 added per record (for which `condition` holds, when given)
    void count_loop(const ast::Expr& list, const ast::Expr* condition) {
        constant(Decimal(0));
        loop(list, [&] {
            std::optional<std::size_t> skip;
            if (condition) {
                expr(*condition);
                skip = emit(Op::JUMP_IF_FALSE);
            }
            constant(Decimal(1));
            emit(Op::ADD);
            if (skip) patch(*skip);
        });
    }

    void list_builtin(Builtin builtin, const ast::Call& call) {
        const ast::Expr& list = *call.args[0];
        const ast::Expr* body = lambda_body(call);
        auto fold = [&](Op op) {
            loop(list, [&] {
                expr(*body);
                emit(op);
            });
        };
        switch (builtin) {
        case Builtin::sum:
            constant(Decimal(0));
            fold(Op::ADD);
            return;
        case Builtin::count: count_loop(list, body); return;
        case Builtin::mean:
            // sum / count: for an empty list 0 / 0, which the VM reports as an evaluation error
            // at this line (the mean of nothing is not 0).
            constant(Decimal(0));
            fold(Op::ADD);
            count_loop(list, nullptr);
            emit(Op::DIV);
            return;
        case Builtin::max:
        case Builtin::min: {
            // Starting from 0 gives 0 for an empty list (documented), and is right for a nonempty
            // one when every value is on the right side of 0 (max of values >= 0). Otherwise a
            // first pass finds a start on the far side of every value: max(L) = max over L
            // starting from min(0, L...), and min(L) = min over L starting from max(0, L...).
            bool is_max = builtin == Builtin::max;
            Interval values = interval_of(*body, s_);
            bool one_pass = is_max ? values.lo && !values.lo->is_negative() : values.hi && values.hi->sign() <= 0;
            constant(Decimal(0));
            if (!one_pass) fold(is_max ? Op::MIN : Op::MAX);
            fold(is_max ? Op::MAX : Op::MIN);
            return;
        }
        case Builtin::any:
        case Builtin::all:
            // acc or cond / acc and cond, short-circuited on the accumulator
            emit(Op::BOOL, builtin == Builtin::all ? 1 : 0);
            loop(list, [&] {
                std::size_t skip = emit(builtin == Builtin::all ? Op::AND_JUMP : Op::OR_JUMP);
                expr(*body);
                patch(skip);
            });
            return;
        default: assert(false && "not a list builtin");
        }
    }

    const checked::Scheme& s_;
    std::string_view source_;
    Diagnostics& diags_;
    bc::Program p_;
    std::uint32_t line_ = 0;
    bool too_large_ = false;
    std::map<std::string, std::uint32_t> constant_index_;  // by exact fraction text
    std::unordered_map<const ast::Node*, std::uint32_t> node_index_;
    std::unordered_map<const ast::Rule*, std::uint32_t> rule_index_;
    std::map<std::string, std::uint32_t> aggregate_index_;  // by printed expression
    std::map<std::string, std::uint32_t> input_index_;      // by printed expression
    std::unordered_map<const ast::Expr*, std::uint32_t> aggregate_of_;
    std::vector<const ast::Expr*> input_exprs_;             // per population input: its X or C
};

#ifndef NDEBUG
// Debug builds: the phase guarantees of ast.hpp and program.hpp hold.
void check_invariants(const checked::Scheme& s, const bc::Program& p) {
    std::function<void(const ast::Expr&)> resolved = [&](const ast::Expr& e) {
        if (std::holds_alternative<ast::NameRef>(e.node)) assert(s.bindings.count(&e) && "every NameRef is resolved");
        checked::for_each_child(e, resolved);
    };
    checked::for_each_node(s.ast->root, [&](const ast::Node& node) {
        for (const auto& rule : node.rules) checked::for_each_rule_expr(rule, resolved);
    });
    assert(!p.code.empty() && bc::opcode_of(p.code.back()) == Op::HALT && "code ends with HALT");
    assert(p.lines.size() == p.code.size() && "one line per instruction");
    assert(p.nodes.size() == s.nodes.size());
    // Phases: a stage-k input is STOREd in phase k + 1 (before BARRIER k), a stage-k aggregate
    // read after BARRIER k; GRADE and FLAG only after BARRIER 1.
    int barriers = 0;
    for (auto word : p.code) {
        Op op = bc::opcode_of(word);
        std::uint32_t a = bc::operand_of(word);
        if (op == Op::BARRIER) ++barriers;
        assert((op != Op::STORE || barriers == p.population_inputs[a].stage) && "STORE in its stage's phase");
        assert((op != Op::AGG || barriers > p.aggregates[a].stage) && "AGG after its stage's barrier");
        assert((op != Op::GRADE || barriers == 2) && "GRADE is after BARRIER 1");
        assert((op != Op::FLAG || barriers == 2) && "FLAG is after BARRIER 1");
    }
    assert((barriers == 0 || barriers == 2) && "both barriers or none");
}
#endif

}  // namespace

std::optional<bc::Program> lower(const checked::Scheme& scheme, std::string_view source, Diagnostics& diags) {
    auto program = Lowerer(scheme, source, diags).run();
#ifndef NDEBUG
    if (program) check_invariants(scheme, *program);
#endif
    return program;
}

}  // namespace kaohe
