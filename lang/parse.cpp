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
        g::range, g::range_high, g::step_clause,
        // the scoring tree
        g::node_inner, g::node_kind, g::node_label, g::points_marks, g::bonus_marks, g::parts_clause,
        g::parts_reason, g::goal_field, g::text_field,
        // rules
        g::rule_stmt, g::deduct_keyword, g::award_keyword, g::per_missing, g::missing_name, g::per_quantity,
        g::if_keyword, g::unless_keyword, g::rule_condition, g::cap_amount, g::says_clause, g::rule_amount,
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

    // ---- declarations
    ast::TypeExpr type(const Tree& n);
    ast::TypeExpr typed(const Tree& parent);
    const Tree* type_child(const Tree& n);
    ast::Range range(const Tree& within_clause);
    ast::EvidenceDecl evidence(const Tree& n);
    void header_field(const Tree& n, ast::Header& header, ast::Node& root);
    ast::Rule rule(const Tree& n);
    ast::Node node(const Tree& n);
    void scheme_member(const Tree& n, ast::Scheme& scheme, bool& seen_node);
    void declaration(const Tree& n, ast::Scheme& scheme);
    bool first_time(const Tree& field, std::string_view word);

    std::vector<std::string> seen_fields_;
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
            c->is_type<g::named_type>())
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
    else t.kind = ast::TypeKind::named;
    // Trailing white space is part of keyword tokens; the span is cut to the first line anyway.
    for (const auto& c : n.children) {
        if (c->is_type<g::measure_word>()) t.measure = c->string();
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

std::size_t last_token_end(const front::TreeReader& read, const Tree& n) {
    return n.children.empty() ? read.end(n) : last_token_end(read, *n.children.back());
}

ast::Rule SchemeBuilder::rule(const Tree& n) {
    ast::Rule r;
    r.span = read_.span(n);
    r.kind = front::TreeReader::child<g::award_keyword>(n) ? ast::RuleKind::award : ast::RuleKind::deduct;
    const std::size_t begin = read_.begin(n);
    r.source_text = trimmed_source(read_.context().text.substr(begin, last_token_end(read_, n) - begin));
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

ast::Node SchemeBuilder::node(const Tree& n) {
    ast::Node out;
    out.span = read_.context().map->span(read_.begin(n), read_.end(*front::TreeReader::child<g::node_label>(n)));
    const std::string_view kind = front::TreeReader::child<g::node_kind>(n)->string_view();
    out.kind = kind == "section" ? ast::NodeKind::section : kind == "clause" ? ast::NodeKind::clause : ast::NodeKind::item;
    out.label = string_of(*front::TreeReader::child<g::node_label>(n));
    bool has_parts = false;
    for (const auto& c : n.children) {
        if (c->is_type<g::points_marks>()) out.points = number(*c->children.front());
        else if (c->is_type<g::bonus_marks>()) out.bonus_cap = number(*c->children.front());
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
        else if (c->is_type<g::node_inner>()) out.children.push_back(node(*c));
    }
    return out;
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
    ctx.text = *prepared;
    ctx.map = &map;
    ctx.diags = &diags;
    ctx.file = source_name;
    tao::pegtl::memory_input<tao::pegtl::tracking_mode::lazy> in(prepared->data(), prepared->size(), source_name);
    const auto tree = front::parse_reporting(
        ctx, [&] { return pt::parse<g::scheme_file, scheme_selector, tao::pegtl::nothing, g::control>(in, ctx); });
    if (!tree || ctx.errors != 0) return std::nullopt;
    const std::size_t before = diags.error_count();
    ast::Scheme scheme = SchemeBuilder(ctx).build(*tree);
    if (diags.error_count() != before) return std::nullopt;
    return scheme;
}

}  // namespace kaohe
