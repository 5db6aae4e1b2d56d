#include "compiler/lower.hpp"

#include "compiler/check.hpp"
#include "compiler/types.hpp"
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
        line_ = ast.root.span.begin.line;
        node_code(ast.root);
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
            info.label = node.label.empty() && node.kind == ast::NodeKind::scheme ? s_.ast->header.title : node.label;
            info.goal = node.goal;
            info.text = node.text;
            info.kind = node_kind(node.kind);
            info.parent = facts.parent;
            info.bonus = node.bonus_cap.has_value();
            info.full = facts.full ? *facts.full : Decimal();
            info.held = facts.held;
            info.has_children = !node.children.empty();
            info.line = node.span.begin.line;
            info.column = node.span.begin.column;
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
            info.kind = rule->kind == ast::RuleKind::deduct ? bc::RuleKind::deduct : bc::RuleKind::award;
            if (rule->cap) info.cap = fold_constant(*rule->cap, s_);
            info.says = rule->says;
            info.source_text = rule->source_text;
            info.line = rule->span.begin.line;
            info.column = rule->span.begin.column;
            p_.rules.push_back(std::move(info));
        }
        check_limit(p_.rules.size(), "rules");
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

    void node_code(const ast::Node& node) {
        for (const auto& child : node.children) node_code(child);
        for (const auto& rule : node.rules) rule_code(rule);
        LineScope line(*this, node.span.begin.line);
        emit(Op::NODE, node_index_.at(&node));
    }

    void rule_code(const ast::Rule& rule) {
        LineScope line(*this, rule.span.begin.line);
        std::uint32_t r = rule_index_.at(&rule);
        emit(Op::RULE, r);
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
        default: assert(false && "types allows only evidence, constants and yes/no as values"); return;
        }
    }

    void lower_node(const ast::Expr& e, const ast::Member& m) {
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
        case Builtin::count:
            constant(Decimal(0));
            loop(list, [&] {
                std::optional<std::size_t> skip;
                if (body) {
                    expr(*body);
                    skip = emit(Op::JUMP_IF_FALSE);
                }
                constant(Decimal(1));
                emit(Op::ADD);
                if (skip) patch(*skip);
            });
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
