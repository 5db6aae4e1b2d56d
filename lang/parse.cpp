// parse_scheme: text -> PEGTL parse tree (grammar.hpp) -> ast::Scheme.
// The tree keeps only the rules selected below; SchemeBuilder turns it into the AST and checks
// what the grammar cannot say alone (each header field once, `total` present, declarations
// before nodes, the length of numbers). No names are resolved here.
#include "lang/parse.hpp"

#include "lang/front.hpp"
#include "lang/grammar.hpp"

#include <fmt/format.h>

namespace kaohe {

namespace {

namespace g = grammar;
namespace pt = tao::pegtl::parse_tree;
using front::Tree;

// The rules kept in the parse tree. Expression levels are folded away when they hold a single
// operand, so `2` is a number_lit, not a disjunction of a conjunction of ... of a number_lit.
template <typename Rule>
using scheme_selector = pt::selector<
    Rule,
    pt::store_content::on<
        // file and header
        g::use_decl, g::module_name, g::scheme_block, g::string_lit, g::issuer_field, g::document_field,
        g::year_field, g::assesses_field, g::groups_field, g::group_name, g::display_field, g::rounding_mode,
        g::total_field, g::number_lit, g::minus_sign,
        // declarations and types
        g::type_decl, g::type_name, g::const_decl, g::const_name, g::evidence_block, g::evidence_decl,
        g::evidence_name, g::default_value, g::label, g::yes_no_type, g::count_type, g::measure_word,
        g::decimal_type, g::points_type, g::money_type, g::percent_type, g::choice_type, g::choice_value,
        g::list_type, g::record_field, g::record_field_name, g::text_type, g::named_type, g::within_clause,
        g::range, g::range_high, g::step_clause, g::votes_type, g::votes_type_name,
        // the scoring tree
        g::node_inner, g::node_kind, g::node_name, g::node_label, g::points_marks, g::bonus_marks, g::extra_marker,
        g::parts_clause, g::parts_reason, g::goal_field, g::text_field,
        // rules
        g::rule_stmt, g::deduct_keyword, g::award_keyword, g::per_missing, g::missing_name, g::per_quantity,
        g::if_keyword, g::unless_keyword, g::rule_condition, g::cap_amount, g::says_clause, g::rule_amount,
        g::score_stmt, g::score_amount,
        // grades, money, forfeits, flags
        g::grading_decl, g::grading_name, g::grading_by, g::scope_word, g::grade_band, g::band_name,
        g::band_otherwise, g::band_threshold, g::quota_value, g::veto_stmt, g::veto_grade, g::veto_condition,
        g::money_decl, g::money_name, g::money_amount, g::forfeit_decl, g::forfeit_money, g::forfeit_condition,
        g::flag_decl, g::flag_name, g::flag_condition,
        // population expressions
        g::rank_expr, g::aggregate_expr, g::aggregate_word, g::count_expr, g::extreme_expr, g::extreme_word,
        g::population_value, g::population_n, g::population_where, g::ascending_word,
        // expressions
        g::name_ref, g::not_op, g::negate_op, g::compare_op, g::add_op, g::mul_op, g::is_test, g::is_not,
        g::choice_name, g::index_suffix, g::member_suffix, g::member_field, g::call, g::callee, g::lambda,
        g::lambda_param, g::table_lit, g::table_key_type, g::table_entry, g::table_key, g::when_expr,
        g::when_arm, g::when_else>,
    pt::fold_one::on<g::disjunction, g::conjunction, g::negation, g::comparison, g::comparison_rhs, g::additive,
                     g::multiplicative, g::unary, g::postfix>>;

class SchemeBuilder {
public:
    explicit SchemeBuilder(g::ParseContext& ctx) : read_(ctx) {}

    ast::Scheme build(const Tree& root);

private:
    front::TreeReader read_;

    // ---- leaves
    ast::NumberLit number(const Tree& number_lit);
    std::string string_of(const Tree& parent);  // the first string_lit child, unescaped
    std::vector<std::string> names(const Tree& parent, std::vector<Span>* spans = nullptr);

    // ---- expressions
    ast::ExprPtr expr(const Tree& n);
    ast::ExprPtr expr_child(const Tree& wrapper);  // rule_amount, cap_amount, ...: the expression inside
    ast::ExprPtr make(const Tree& n, decltype(ast::Expr::node) node);
    ast::ExprPtr binary_chain(const Tree& n);
    ast::ExprPtr left_fold(const Tree& n, ast::BinaryOp op);
    ast::ExprPtr comparison(const Tree& n);
    ast::ExprPtr postfix(const Tree& n);
    ast::ExprPtr call(const Tree& n);
    ast::ExprPtr table(const Tree& n);
    ast::ExprPtr when(const Tree& n);
    ast::ExprPtr population(const Tree& n);
    ast::ExprPtr population_part(const Tree& wrapper);

    // ---- declarations
    ast::TypeExpr type(const Tree& n);
    ast::TypeExpr typed(const Tree& parent);
    const Tree* type_child(const Tree& n);
    ast::Range range(const Tree& within_clause);
    ast::EvidenceDecl evidence(const Tree& n);
    void header_field(const Tree& n, ast::Header& header, ast::Node& root);
    ast::Rule rule(const Tree& n);
    ast::Rule score_rule(const Tree& n);
    std::string source_text(const Tree& n);
    ast::Node node(const Tree& n);
    ast::Grading grading(const Tree& n);
    ast::GradeBand band(const Tree& n);
    ast::Veto veto(const Tree& n);
    ast::MoneyDecl money(const Tree& n);
    ast::Forfeit forfeit(const Tree& n);
    ast::Flag flag(const Tree& n);
    void scheme_member(const Tree& n, ast::Scheme& scheme, bool& seen_node);
    void declaration(const Tree& n, ast::Scheme& scheme);
    bool first_time(const Tree& field, std::string_view word);

    std::vector<std::string> seen_fields_;
    // How many population expressions enclose the one being built: `among` cannot nest.
    unsigned population_depth_ = 0;
};

ast::NumberLit SchemeBuilder::number(const Tree& n) {
    const std::string_view text = n.string_view();
    std::size_t digits_end = 0;
    while (digits_end < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits_end])) || text[digits_end] == '.'))
        ++digits_end;
    ast::NumberLit lit{std::string(text.substr(0, digits_end)), ast::LiteralUnit::none};
    const std::string_view unit = text.substr(digits_end);
    if (unit == "分") lit.unit = ast::LiteralUnit::points;
    else if (unit == "元") lit.unit = ast::LiteralUnit::money;
    else if (unit == "%") lit.unit = ast::LiteralUnit::percent;
    const std::size_t count = lit.text.size() - (lit.text.find('.') == std::string::npos ? 0 : 1);
    if (count > limits::max_number_digits)
        read_.error(n, fmt::format("number has {} digits; the limit is {}", count, limits::max_number_digits));
    return lit;
}

std::string SchemeBuilder::string_of(const Tree& parent) {
    const Tree* s = front::TreeReader::child<g::string_lit>(parent);
    return s ? front::TreeReader::unescape(*s) : std::string();
}

std::vector<std::string> SchemeBuilder::names(const Tree& parent, std::vector<Span>* spans) {
    std::vector<std::string> out;
    for (const auto& c : parent.children) {
        out.push_back(c->string());
        if (spans) spans->push_back(read_.span(*c));
    }
    return out;
}

// ---- expressions -------------------------------------------------------------------------

ast::ExprPtr SchemeBuilder::make(const Tree& n, decltype(ast::Expr::node) node) {
    auto e = std::make_unique<ast::Expr>();
    e->span = read_.span(n);
    e->node = std::move(node);
    return e;
}

ast::ExprPtr SchemeBuilder::expr_child(const Tree& wrapper) {
    if (wrapper.children.empty()) return make(wrapper, ast::NameRef{wrapper.string()});  // unreachable by grammar
    return expr(*wrapper.children.front());
}

ast::ExprPtr SchemeBuilder::left_fold(const Tree& n, ast::BinaryOp op) {
    ast::ExprPtr acc = expr(*n.children.front());
    for (std::size_t i = 1; i < n.children.size(); ++i) {
        auto e = make(n, ast::Binary{op, std::move(acc), expr(*n.children[i])});
        acc = std::move(e);
    }
    return acc;
}

ast::BinaryOp arithmetic_op(std::string_view op) {
    if (op == "+") return ast::BinaryOp::add;
    if (op == "-") return ast::BinaryOp::sub;
    if (op == "*" || op == "×") return ast::BinaryOp::mul;
    return ast::BinaryOp::div;
}

ast::BinaryOp comparison_op(std::string_view op) {
    if (op == "==") return ast::BinaryOp::eq;
    if (op == "!=") return ast::BinaryOp::ne;
    if (op == "<") return ast::BinaryOp::lt;
    if (op == "<=") return ast::BinaryOp::le;
    if (op == ">") return ast::BinaryOp::gt;
    return ast::BinaryOp::ge;
}

// operand (op operand)*, left-associative: 1 - 2 - 3 is (1 - 2) - 3.
ast::ExprPtr SchemeBuilder::binary_chain(const Tree& n) {
    ast::ExprPtr acc = expr(*n.children.front());
    for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
        const Tree& op = *n.children[i];
        const Tree& rhs = *n.children[i + 1];
        auto e = std::make_unique<ast::Expr>();
        e->span = read_.context().map->span(read_.begin(n), read_.end(rhs));
        e->node = ast::Binary{arithmetic_op(op.string_view()), std::move(acc), expr(rhs)};
        acc = std::move(e);
    }
    return acc;
}

ast::ExprPtr SchemeBuilder::comparison(const Tree& n) {
    const Tree& lhs = *n.children.front();
    const Tree& second = *n.children[1];
    if (second.is_type<g::is_test>()) {
        ast::IsChoice is;
        is.subject = expr(lhs);
        is.negated = front::TreeReader::child<g::is_not>(second) != nullptr;
        for (const Tree* c : front::TreeReader::children<g::choice_name>(second)) {
            is.choices.push_back(c->string());
            is.choice_spans.push_back(read_.span(*c));
        }
        return make(n, std::move(is));
    }
    return make(n, ast::Binary{comparison_op(second.string_view()), expr(lhs), expr(*n.children[2])});
}

ast::ExprPtr SchemeBuilder::postfix(const Tree& n) {
    ast::ExprPtr acc = expr(*n.children.front());
    for (std::size_t i = 1; i < n.children.size(); ++i) {
        const Tree& suffix = *n.children[i];
        auto e = std::make_unique<ast::Expr>();
        e->span = read_.context().map->span(read_.begin(n), read_.end(suffix));
        if (suffix.is_type<g::index_suffix>()) {
            e->node = ast::Index{std::move(acc), expr(*suffix.children.front())};
        } else {
            const Tree& field = *suffix.children.front();
            e->node = ast::Member{std::move(acc), field.string(), read_.span(field)};
        }
        acc = std::move(e);
    }
    return acc;
}

ast::ExprPtr SchemeBuilder::call(const Tree& n) {
    ast::Call c;
    const Tree& callee = *n.children.front();
    c.callee = callee.string();
    c.callee_span = read_.span(callee);
    for (std::size_t i = 1; i < n.children.size(); ++i) c.args.push_back(expr(*n.children[i]));
    return make(n, std::move(c));
}

ast::ExprPtr SchemeBuilder::table(const Tree& n) {
    ast::TableLit t;
    if (const Tree* key_type = front::TreeReader::child<g::table_key_type>(n)) t.key_type = key_type->string();
    for (const Tree* entry : front::TreeReader::children<g::table_entry>(n)) {
        const Tree& key = *entry->children.front();
        t.entries.push_back({key.string(), read_.span(key), expr(*entry->children[1])});
    }
    return make(n, std::move(t));
}

ast::ExprPtr SchemeBuilder::when(const Tree& n) {
    ast::When w;
    for (const Tree* arm : front::TreeReader::children<g::when_arm>(n))
        w.arms.push_back({expr(*arm->children[0]), expr(*arm->children[1])});
    if (const Tree* otherwise = front::TreeReader::child<g::when_else>(n)) w.otherwise = expr(*otherwise->children[0]);
    return make(n, std::move(w));
}

ast::PopulationScope scope_of(const Tree& scope_word) {
    return scope_word.string_view() == "group" ? ast::PopulationScope::group : ast::PopulationScope::all;
}

ast::PopulationKind aggregate_kind(std::string_view word) {
    if (word == "mean") return ast::PopulationKind::mean;
    if (word == "max") return ast::PopulationKind::max;
    if (word == "min") return ast::PopulationKind::min;
    return ast::PopulationKind::sum;
}

// X, N or C of a population expression: an expression of one unit, built with the nesting noted.
ast::ExprPtr SchemeBuilder::population_part(const Tree& wrapper) {
    ++population_depth_;
    ast::ExprPtr e = expr_child(wrapper);
    --population_depth_;
    return e;
}

// rank X among group [ascending] / mean X among all [where C] / count among S [where C] /
// bottom N by X among S. The grammar gives each form its own rule; the parts are tagged.
ast::ExprPtr SchemeBuilder::population(const Tree& n) {
    // Reported for the outermost nested one only: the ones inside it are the same mistake.
    if (population_depth_ == 1)
        read_.error(n, "a population expression cannot be inside another one's value or condition: "
                       "'among' cannot nest (compute the inner value in a named node first)");
    ast::Population p;
    if (n.is_type<g::rank_expr>()) p.kind = ast::PopulationKind::rank;
    else if (n.is_type<g::count_expr>()) p.kind = ast::PopulationKind::count;
    else if (const Tree* word = front::TreeReader::child<g::aggregate_word>(n))
        p.kind = aggregate_kind(word->string_view());
    else if (const Tree* extreme = front::TreeReader::child<g::extreme_word>(n))
        p.kind = extreme->string_view() == "top" ? ast::PopulationKind::top : ast::PopulationKind::bottom;
    for (const auto& c : n.children) {
        if (c->is_type<g::population_value>()) p.value = population_part(*c);
        else if (c->is_type<g::population_n>()) p.n = population_part(*c);
        else if (c->is_type<g::population_where>()) p.where = population_part(*c);
        else if (c->is_type<g::scope_word>()) p.scope = scope_of(*c);
        else if (c->is_type<g::ascending_word>()) p.ascending = true;
    }
    return make(n, std::move(p));
}

ast::ExprPtr SchemeBuilder::expr(const Tree& n) {
    if (n.is_type<g::number_lit>()) return make(n, number(n));
    if (n.is_type<g::name_ref>()) return make(n, ast::NameRef{n.string()});
    if (n.is_type<g::disjunction>()) return left_fold(n, ast::BinaryOp::logical_or);
    if (n.is_type<g::conjunction>()) return left_fold(n, ast::BinaryOp::logical_and);
    if (n.is_type<g::negation>()) return make(n, ast::Unary{ast::UnaryOp::logical_not, expr(*n.children[1])});
    if (n.is_type<g::unary>()) return make(n, ast::Unary{ast::UnaryOp::negate, expr(*n.children[1])});
    if (n.is_type<g::comparison>()) return comparison(n);
    if (n.is_type<g::additive>() || n.is_type<g::multiplicative>() || n.is_type<g::comparison_rhs>())
        return binary_chain(n);
    if (n.is_type<g::postfix>()) return postfix(n);
    if (n.is_type<g::call>()) return call(n);
    if (n.is_type<g::lambda>()) {
        const Tree& param = *n.children[0];
        return make(n, ast::Lambda{param.string(), read_.span(param), expr(*n.children[1])});
    }
    if (n.is_type<g::table_lit>()) return table(n);
    if (n.is_type<g::when_expr>()) return when(n);
    if (n.is_type<g::rank_expr>() || n.is_type<g::aggregate_expr>() || n.is_type<g::count_expr>() ||
        n.is_type<g::extreme_expr>())
        return population(n);
    read_.context().diags->internal(fmt::format("parser: unexpected expression node {}", n.type));
    ++read_.context().errors;
    return make(n, ast::NameRef{n.string()});
}

// ---- types and evidence ---------------------------------------------------------------------

const Tree* SchemeBuilder::type_child(const Tree& n) {
    for (const auto& c : n.children)
        if (c->is_type<g::yes_no_type>() || c->is_type<g::count_type>() || c->is_type<g::decimal_type>() ||
            c->is_type<g::points_type>() || c->is_type<g::money_type>() || c->is_type<g::percent_type>() ||
            c->is_type<g::choice_type>() || c->is_type<g::list_type>() || c->is_type<g::text_type>() ||
            c->is_type<g::votes_type>() || c->is_type<g::named_type>())
            return c.get();
    return nullptr;
}

ast::Range SchemeBuilder::range(const Tree& within) {
    const Tree& r = *front::TreeReader::child<g::range>(within);
    ast::Range out;
    out.span = read_.span(r);
    out.negative_lo = front::TreeReader::child<g::minus_sign>(r) != nullptr;
    out.lo = number(*front::TreeReader::child<g::number_lit>(r));
    out.hi = number(*front::TreeReader::child<g::range_high>(r));
    return out;
}

ast::TypeExpr SchemeBuilder::type(const Tree& n) {
    ast::TypeExpr t;
    t.span = read_.span(n);
    if (n.is_type<g::yes_no_type>()) t.kind = ast::TypeKind::yes_no;
    else if (n.is_type<g::count_type>()) t.kind = ast::TypeKind::count;
    else if (n.is_type<g::decimal_type>()) t.kind = ast::TypeKind::decimal;
    else if (n.is_type<g::points_type>()) t.kind = ast::TypeKind::points;
    else if (n.is_type<g::money_type>()) t.kind = ast::TypeKind::money;
    else if (n.is_type<g::percent_type>()) t.kind = ast::TypeKind::percent;
    else if (n.is_type<g::choice_type>()) t.kind = ast::TypeKind::choice;
    else if (n.is_type<g::list_type>()) t.kind = ast::TypeKind::list;
    else if (n.is_type<g::text_type>()) t.kind = ast::TypeKind::text;
    else if (n.is_type<g::votes_type>()) t.kind = ast::TypeKind::votes;
    else t.kind = ast::TypeKind::named;
    // Trailing white space is part of keyword tokens; the span is cut to the first line anyway.
    for (const auto& c : n.children) {
        if (c->is_type<g::measure_word>()) t.measure = c->string();
        if (c->is_type<g::votes_type_name>()) t.type_name = c->string();
        if (c->is_type<g::choice_value>()) {
            t.choices.push_back(c->string());
            t.choice_spans.push_back(read_.span(*c));
        }
        if (c->is_type<g::record_field>()) {
            const Tree& field_name = *c->children.front();
            ast::Field f;
            f.name = field_name.string();
            f.span = read_.span(field_name);
            f.type = std::make_unique<ast::TypeExpr>(typed(*c));
            t.fields.push_back(std::move(f));
        }
    }
    if (t.kind == ast::TypeKind::named) {
        std::string_view name = n.string_view();
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\n' || name.back() == '\r'))
            name.remove_suffix(1);
        t.type_name = std::string(name);
    }
    if (const Tree* within = front::TreeReader::child<g::within_clause>(n)) t.within = range(*within);  // count
    return t;
}

// The type declared in `parent` (an evidence declaration, record field or type declaration).
// decimal/points/money/percent keep their within/step as siblings of the type keyword, since
// number_type is not kept in the tree.
ast::TypeExpr SchemeBuilder::typed(const Tree& parent) {
    const Tree* t = type_child(parent);
    if (!t) return {};
    ast::TypeExpr out = type(*t);
    if (const Tree* within = front::TreeReader::child<g::within_clause>(parent)) out.within = range(*within);
    if (const Tree* step = front::TreeReader::child<g::step_clause>(parent))
        out.step = number(*front::TreeReader::child<g::number_lit>(*step));
    return out;
}

ast::EvidenceDecl SchemeBuilder::evidence(const Tree& n) {
    ast::EvidenceDecl d;
    d.span = read_.span(n);
    const Tree& name = *front::TreeReader::child<g::evidence_name>(n);
    d.name = name.string();
    d.span = read_.span(name);
    d.type = typed(n);
    if (const Tree* def = front::TreeReader::child<g::default_value>(n)) {
        ast::DefaultValue v;
        v.span = read_.span(*def);
        std::string_view text = def->string_view();
        if (text.starts_with('-')) {
            v.negative = true;
            text.remove_prefix(1);
        }
        v.text = text.starts_with('[') ? std::string("[]") : std::string(text);
        d.default_value = std::move(v);
    }
    if (const Tree* label = front::TreeReader::child<g::label>(n)) d.label = string_of(*label);
    return d;
}

// ---- the scoring tree --------------------------------------------------------------------------

std::string trimmed_source(std::string_view text) {
    // A rule ends at its last token; what follows (white space, a comment) is not part of it.
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    return std::string(text);
}

std::size_t last_stored_end(const front::TreeReader& read, const Tree& n) {
    return n.children.empty() ? read.end(n) : last_stored_end(read, *n.children.back());
}

// Where a statement's last token ends. A node's extent includes the white space and comments
// after it; the last node the tree keeps may still be followed by tokens it does not keep
// (the ')' of `total(民主测评)`), so those are taken, and trailing comments are not.
std::size_t last_token_end(const front::TreeReader& read, const Tree& n) {
    const std::string_view text = read.context().text;
    std::size_t end = last_stored_end(read, n);
    for (std::size_t i = end; i < read.end(n); ++i) {
        if (text[i] == '#') {
            while (i < read.end(n) && text[i] != '\n') ++i;
        } else if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') {
            end = i + 1;
        }
    }
    return end;
}

// The statement as written, from its first token to its last (for explanations).
std::string SchemeBuilder::source_text(const Tree& n) {
    const std::size_t begin = read_.begin(n);
    return trimmed_source(read_.context().text.substr(begin, last_token_end(read_, n) - begin));
}

ast::Rule SchemeBuilder::rule(const Tree& n) {
    ast::Rule r;
    r.span = read_.span(n);
    r.kind = front::TreeReader::child<g::award_keyword>(n) ? ast::RuleKind::award : ast::RuleKind::deduct;
    r.source_text = source_text(n);
    for (const auto& c : n.children) {
        if (c->is_type<g::rule_amount>()) r.amount = expr_child(*c);
        else if (c->is_type<g::within_clause>()) r.within = range(*c);
        else if (c->is_type<g::per_quantity>()) r.per = expr_child(*c);
        else if (c->is_type<g::per_missing>()) r.per_missing = names(*c, &r.per_missing_spans);
        else if (c->is_type<g::unless_keyword>()) r.unless = true;
        else if (c->is_type<g::rule_condition>()) r.condition = expr_child(*c);
        else if (c->is_type<g::cap_amount>()) r.cap = expr_child(*c);
        else if (c->is_type<g::says_clause>()) r.says = string_of(*c);
    }
    return r;
}

// score EXPR [says "..."]: the grammar admits nothing else.
ast::Rule SchemeBuilder::score_rule(const Tree& n) {
    ast::Rule r;
    r.span = read_.span(n);
    r.kind = ast::RuleKind::score;
    r.source_text = source_text(n);
    r.amount = expr_child(*front::TreeReader::child<g::score_amount>(n));
    if (const Tree* says = front::TreeReader::child<g::says_clause>(n)) r.says = string_of(*says);
    return r;
}

ast::Node SchemeBuilder::node(const Tree& n) {
    ast::Node out;
    out.span = read_.context().map->span(read_.begin(n), read_.end(*front::TreeReader::child<g::node_label>(n)));
    const std::string_view kind = front::TreeReader::child<g::node_kind>(n)->string_view();
    out.kind = kind == "section" ? ast::NodeKind::section : kind == "clause" ? ast::NodeKind::clause : ast::NodeKind::item;
    out.label = string_of(*front::TreeReader::child<g::node_label>(n));
    if (const Tree* name = front::TreeReader::child<g::node_name>(n)) {
        out.name = name->string();
        out.name_span = read_.span(*name);
    }
    bool has_parts = false;
    for (const auto& c : n.children) {
        if (c->is_type<g::points_marks>()) out.points = number(*c->children.front());
        else if (c->is_type<g::bonus_marks>()) {
            out.bonus_cap = number(*c->children.front());
            out.extra = front::TreeReader::child<g::extra_marker>(*c) != nullptr;
        }
        else if (c->is_type<g::parts_clause>()) {
            if (has_parts) {
                read_.error(*c, "'parts' is given twice for this node");
                continue;
            }
            has_parts = true;
            out.parts = number(*front::TreeReader::child<g::number_lit>(*c));
            out.parts_reason = string_of(*front::TreeReader::child<g::parts_reason>(*c));
            out.parts_span = read_.span(*c);
        } else if (c->is_type<g::goal_field>()) out.goal = string_of(*c);
        else if (c->is_type<g::text_field>()) out.text = string_of(*c);
        else if (c->is_type<g::rule_stmt>()) out.rules.push_back(rule(*c));
        else if (c->is_type<g::score_stmt>()) out.rules.push_back(score_rule(*c));
        else if (c->is_type<g::node_inner>()) out.children.push_back(node(*c));
    }
    return out;
}

// ---- after the totals: grades, money, forfeits, flags -----------------------------------------------

ast::GradeBand SchemeBuilder::band(const Tree& n) {
    ast::GradeBand b;
    const Tree& name = *front::TreeReader::child<g::band_name>(n);
    b.span = read_.span(name);
    b.name = name.string();
    b.otherwise = front::TreeReader::child<g::band_otherwise>(n) != nullptr;
    if (const Tree* at_least = front::TreeReader::child<g::band_threshold>(n))
        b.at_least = number(*at_least->children.front());
    if (const Tree* quota = front::TreeReader::child<g::quota_value>(n)) {
        const Tree& value = *quota->children.front();
        b.quota = number(value);
        // A quota is a share of the units in scope; a bare number would be read as 15 units or
        // 1500%, so the percent sign is required.
        if (b.quota->unit != ast::LiteralUnit::percent)
            read_.error(value, fmt::format("a quota is a share of the units: write it as a percent, quota {}%",
                                           b.quota->text));
    }
    return b;
}

ast::Veto SchemeBuilder::veto(const Tree& n) {
    ast::Veto v;
    v.span = read_.span(n);
    const Tree& grade = *front::TreeReader::child<g::veto_grade>(n);
    v.grade = grade.string();
    v.grade_span = read_.span(grade);
    v.condition = expr_child(*front::TreeReader::child<g::veto_condition>(n));
    if (const Tree* says = front::TreeReader::child<g::says_clause>(n)) v.says = string_of(*says);
    v.source_text = source_text(n);
    return v;
}

// The bands best first, the last one `otherwise` (what a unit meeting no threshold gets).
ast::Grading SchemeBuilder::grading(const Tree& n) {
    ast::Grading out;
    const Tree& name = *front::TreeReader::child<g::grading_name>(n);
    out.span = read_.span(name);
    out.name = name.string();
    const Tree& by = *front::TreeReader::child<g::grading_by>(n);
    out.by = by.string();
    out.by_span = read_.span(by);
    if (const Tree* scope = front::TreeReader::child<g::scope_word>(n)) out.scope = scope_of(*scope);
    const Tree* otherwise = nullptr;
    for (const auto& c : n.children) {
        if (c->is_type<g::veto_stmt>()) {
            out.vetoes.push_back(veto(*c));
        } else if (c->is_type<g::grade_band>()) {
            ast::GradeBand b = band(*c);
            if (otherwise)
                read_.error(*c->children.front(),
                            fmt::format("the grade '{}' comes after '{}: otherwise'; the 'otherwise' grade must be "
                                        "the last (grades are listed best first)",
                                        b.name, front::TreeReader::child<g::band_name>(*otherwise)->string()));
            if (b.otherwise && !otherwise) otherwise = c.get();
            out.bands.push_back(std::move(b));
        }
    }
    if (!otherwise)
        read_.error(name, fmt::format("the grades '{}' have no 'otherwise' grade: end them with the grade of a unit "
                                      "that meets no threshold, e.g. 不合格: otherwise",
                                      out.name));
    return out;
}

ast::MoneyDecl SchemeBuilder::money(const Tree& n) {
    ast::MoneyDecl m;
    const Tree& name = *front::TreeReader::child<g::money_name>(n);
    m.span = read_.span(name);
    m.name = name.string();
    m.amount = expr_child(*front::TreeReader::child<g::money_amount>(n));
    if (const Tree* says = front::TreeReader::child<g::says_clause>(n)) m.says = string_of(*says);
    m.source_text = source_text(n);
    return m;
}

ast::Forfeit SchemeBuilder::forfeit(const Tree& n) {
    ast::Forfeit f;
    f.span = read_.span(n);
    const Tree& money = *front::TreeReader::child<g::forfeit_money>(n);
    f.money = money.string();
    f.money_span = read_.span(money);
    f.condition = expr_child(*front::TreeReader::child<g::forfeit_condition>(n));
    if (const Tree* says = front::TreeReader::child<g::says_clause>(n)) f.says = string_of(*says);
    f.source_text = source_text(n);
    return f;
}

ast::Flag SchemeBuilder::flag(const Tree& n) {
    ast::Flag f;
    f.span = read_.span(n);
    const Tree& name = *front::TreeReader::child<g::flag_name>(n);
    f.name = name.string();
    f.name_span = read_.span(name);
    f.condition = expr_child(*front::TreeReader::child<g::flag_condition>(n));
    if (const Tree* says = front::TreeReader::child<g::says_clause>(n)) f.says = string_of(*says);
    f.source_text = source_text(n);
    return f;
}

// ---- the file -------------------------------------------------------------------------------------

bool SchemeBuilder::first_time(const Tree& field, std::string_view word) {
    for (const std::string& seen : seen_fields_)
        if (seen == word) {
            read_.error(field, fmt::format("'{}' is given twice in the scheme's header", word));
            return false;
        }
    seen_fields_.emplace_back(word);
    return true;
}

void SchemeBuilder::header_field(const Tree& n, ast::Header& header, ast::Node& root) {
    if (n.is_type<g::issuer_field>() && first_time(n, "issuer")) header.issuer = string_of(n);
    else if (n.is_type<g::document_field>() && first_time(n, "document")) header.document = string_of(n);
    else if (n.is_type<g::year_field>() && first_time(n, "year")) header.year = number(*n.children.front());
    else if (n.is_type<g::assesses_field>() && first_time(n, "assesses")) header.assesses = string_of(n);
    else if (n.is_type<g::groups_field>() && first_time(n, "groups")) header.groups = names(n);
    else if (n.is_type<g::total_field>() && first_time(n, "total")) root.points = number(*n.children.front());
    else if (n.is_type<g::display_field>() && first_time(n, "display")) {
        const Tree& places = *n.children.front();
        const ast::NumberLit lit = number(places);
        if (lit.unit != ast::LiteralUnit::none || lit.text.find('.') != std::string::npos ||
            lit.text.size() > 2 || std::stoul(lit.text) > limits::max_display_places) {
            read_.error(places, fmt::format("'display' takes a whole number of decimal places from 0 to {}",
                                            limits::max_display_places));
        } else {
            header.display_places = static_cast<unsigned>(std::stoul(lit.text));
        }
        if (const Tree* mode = front::TreeReader::child<g::rounding_mode>(n)) {
            const std::string_view m = mode->string_view().substr(0, mode->string_view().find_first_of(" \t\r\n#"));
            header.display_mode = m == "half_even" ? ast::RoundingMode::half_even
                                : m == "down"      ? ast::RoundingMode::down
                                : m == "up"        ? ast::RoundingMode::up
                                                   : ast::RoundingMode::half_up;
        }
    }
}

void SchemeBuilder::declaration(const Tree& n, ast::Scheme& scheme) {
    if (n.is_type<g::type_decl>()) {
        const Tree& name = *front::TreeReader::child<g::type_name>(n);
        ast::TypeDecl d;
        d.span = read_.span(name);
        d.name = name.string();
        d.type = typed(n);
        scheme.types.push_back(std::move(d));
    } else if (n.is_type<g::const_decl>()) {
        const Tree& name = *front::TreeReader::child<g::const_name>(n);
        scheme.constants.push_back({read_.span(name), name.string(), expr(*n.children.back())});
    }
}

void SchemeBuilder::scheme_member(const Tree& n, ast::Scheme& scheme, bool& seen_node) {
    if (n.is_type<g::node_inner>()) {
        seen_node = true;
        scheme.root.children.push_back(node(n));
        return;
    }
    if (n.is_type<g::string_lit>()) return;  // the title
    // Allowed anywhere in the block: before, between or after the nodes.
    if (n.is_type<g::score_stmt>()) {
        scheme.root.rules.push_back(score_rule(n));
        return;
    }
    if (n.is_type<g::grading_decl>()) {
        if (scheme.grading) {
            read_.error(*front::TreeReader::child<g::grading_name>(n),
                        fmt::format("a scheme has one 'grades' block; '{}' was declared already",
                                    scheme.grading->name));
            return;
        }
        scheme.grading = grading(n);
        return;
    }
    if (n.is_type<g::money_decl>()) {
        scheme.money.push_back(money(n));
        return;
    }
    if (n.is_type<g::forfeit_decl>()) {
        scheme.forfeits.push_back(forfeit(n));
        return;
    }
    if (n.is_type<g::flag_decl>()) {
        scheme.flags.push_back(flag(n));
        return;
    }
    if (seen_node)
        read_.error(n, "header fields and 'type', 'const' and 'evidence' declarations must come before the first "
                       "node (section/item/clause)");
    if (n.is_type<g::type_decl>() || n.is_type<g::const_decl>()) declaration(n, scheme);
    else if (n.is_type<g::evidence_block>()) {
        for (const Tree* d : front::TreeReader::children<g::evidence_decl>(n)) scheme.evidence.push_back(evidence(*d));
    } else header_field(n, scheme.header, scheme.root);
}

ast::Scheme SchemeBuilder::build(const Tree& root) {
    ast::Scheme scheme;
    scheme.file = read_.context().file;
    scheme.root.kind = ast::NodeKind::scheme;
    bool has_block = false;
    for (const auto& c : root.children) {
        if (c->is_type<g::use_decl>()) {
            const Tree& module = *c->children.front();
            scheme.uses.push_back({read_.span(module), module.string()});
        } else if (c->is_type<g::type_decl>() || c->is_type<g::const_decl>()) {
            declaration(*c, scheme);
        } else if (c->is_type<g::scheme_block>()) {
            if (has_block) {
                read_.error(*c, "a file holds one scheme; this is a second 'scheme' block");
                continue;
            }
            has_block = true;
            const Tree& title = *c->children.front();
            scheme.header.title = front::TreeReader::unescape(title);
            scheme.header.span = read_.context().map->span(read_.begin(*c), read_.end(title));
            scheme.root.span = scheme.header.span;
            scheme.root.label = scheme.header.title;
            bool seen_node = false;
            for (const auto& m : c->children) scheme_member(*m, scheme, seen_node);
            if (!scheme.root.points)
                read_.error(*c, "the scheme has no 'total': say the full marks of the whole scheme, e.g. total 100");
        }
    }
    if (!has_block && scheme.types.empty() && scheme.constants.empty())
        read_.context().diags->error(scheme.file, {}, "expected `scheme \"title\" { ... }`");
    return scheme;
}

}  // namespace

std::optional<ast::Scheme> parse_scheme(std::string_view text, const std::string& source_name, Diagnostics& diags) {
    const auto prepared = front::prepare_text(text, source_name, "scheme", diags);
    if (!prepared) return std::nullopt;
    if (front::is_blank(*prepared)) {
        diags.error(source_name, {}, "empty scheme file: expected `scheme \"title\" { ... }`");
        return std::nullopt;
    }
    const SourceMap map(*prepared);
    g::ParseContext ctx;
    const auto tree = front::parse_tree<g::scheme_file, scheme_selector>(ctx, *prepared, map, source_name, diags);
    if (!tree || ctx.errors != 0) return std::nullopt;
    const std::size_t before = diags.error_count();
    ast::Scheme scheme = SchemeBuilder(ctx).build(*tree);
    if (diags.error_count() != before) return std::nullopt;
    return scheme;
}

}  // namespace kaohe
