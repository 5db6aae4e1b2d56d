// parse_evidence and parse_evidence_value: evidence text -> parse tree (grammar.hpp,
// namespace evidence) -> ast::EvidenceFile. Values stay as written; runtime/evidence types them.
#include "lang/front.hpp"
#include "lang/grammar.hpp"
#include "lang/parse.hpp"

#include <fmt/format.h>

namespace kaohe {

namespace {

namespace g = grammar;
namespace ge = grammar::evidence;
namespace pt = tao::pegtl::parse_tree;
using front::Tree;

template <typename Rule>
using evidence_selector =
    pt::selector<Rule, pt::store_content::on<ge::unit_stmt, ge::unit_name, ge::group_stmt, ge::group_name, ge::fact,
                                             ge::fact_name, ge::append_sign, ge::number_value, ge::word_value,
                                             ge::string_value, ge::empty_list_value, ge::record_value,
                                             ge::record_field, ge::field_name, ge::source_string, ge::self_stmt,
                                             ge::self_path, ge::self_value>>;

ast::RawValue raw_value(const front::TreeReader& read, const Tree& n) {
    ast::RawValue v;
    v.span = read.span(n);
    if (n.is_type<ge::number_value>() || n.is_type<ge::self_value>()) {
        v.kind = ast::RawValue::Kind::number;
        std::string_view text = n.string_view();
        if (text.ends_with('%')) {
            v.percent = true;
            text.remove_suffix(1);
        }
        v.text = std::string(text);
    } else if (n.is_type<ge::word_value>()) {
        v.kind = ast::RawValue::Kind::word;
        v.text = n.string();
    } else if (n.is_type<ge::string_value>()) {
        v.kind = ast::RawValue::Kind::string;
        v.text = front::TreeReader::unescape(n);
    } else if (n.is_type<ge::empty_list_value>()) {
        v.kind = ast::RawValue::Kind::empty_list;
        v.text = "[]";
    } else {
        v.kind = ast::RawValue::Kind::record;
        for (const Tree* field : front::TreeReader::children<ge::record_field>(n)) {
            const Tree& name = *field->children.front();
            v.fields.push_back({name.string(), read.span(name), raw_value(read, *field->children.back())});
        }
    }
    return v;
}

bool is_value(const Tree& n) {
    return n.is_type<ge::number_value>() || n.is_type<ge::self_value>() || n.is_type<ge::word_value>() ||
           n.is_type<ge::string_value>() || n.is_type<ge::empty_list_value>() || n.is_type<ge::record_value>();
}

// Digits of a number as written, for the length limit.
std::size_t digit_count(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) n += std::isdigit(static_cast<unsigned char>(c)) != 0 ? 1 : 0;
    return n;
}

void check_numbers(front::TreeReader& read, const Tree& n) {
    const bool is_number = n.is_type<ge::number_value>() || n.is_type<ge::self_value>();
    if (is_number && digit_count(n.string_view()) > limits::max_number_digits)
        read.error(n, fmt::format("number has {} digits; the limit is {}", digit_count(n.string_view()),
                                  limits::max_number_digits));
    for (const auto& c : n.children) check_numbers(read, *c);
}

// `self 1.2`: node numbers as reports print them (sections 1, 2, ...; their children 1.1, 1.2, ...),
// so each part is a whole number from 1, written without leading zeros: "1.02" would never match.
void check_self_path(front::TreeReader& read, const Tree& path) {
    const std::string_view text = path.string_view();
    std::size_t parts = 0;
    for (std::size_t begin = 0; begin <= text.size(); ++parts) {
        const std::size_t end = std::min(text.find('.', begin), text.size());
        const std::string_view part = text.substr(begin, end - begin);
        if (part.size() > limits::max_node_number_digits) {
            read.error(path, fmt::format("node number part '{}' has more than {} digits", part,
                                         limits::max_node_number_digits));
            return;
        }
        if (part.find_first_not_of('0') == std::string_view::npos) {
            read.error(path, fmt::format("node numbers start at 1: '{}' has a part 0", text));
            return;
        }
        if (part.starts_with('0')) {
            read.error(path, fmt::format("write node numbers without leading zeros: '{}'", text));
            return;
        }
        begin = end + 1;
    }
    if (parts > limits::max_node_depth)
        read.error(path, fmt::format("node number '{}' has {} parts; nodes nest at most {} levels", text, parts,
                                     limits::max_node_depth));
}

// self 1.2: 4.5 [source "..."]: a fact with no name, for node number 1.2.
ast::Fact self_fact(front::TreeReader& read, const Tree& n) {
    ast::Fact fact;
    const Tree& path = *front::TreeReader::child<ge::self_path>(n);
    check_self_path(read, path);
    fact.self_path = path.string();
    fact.span = read.context().map->span(read.begin(n), read.end(path));
    for (const auto& part : n.children) {
        if (part->is_type<ge::source_string>()) fact.source = front::TreeReader::unescape(*part);
        else if (is_value(*part)) fact.value = raw_value(read, *part);
    }
    return fact;
}

ast::EvidenceFile build_evidence(front::TreeReader& read, const Tree& root, const std::string& file) {
    ast::EvidenceFile out;
    out.file = file;
    bool has_unit = false;
    bool has_group = false;
    for (const auto& c : root.children) {
        if (c->is_type<ge::unit_stmt>()) {
            const Tree& name = *c->children.front();
            if (has_unit) {
                read.error(*c, "'unit' is given twice: an evidence file holds the facts of one unit");
                continue;
            }
            has_unit = true;
            out.unit = front::TreeReader::unescape(name);
            out.unit_span = read.span(name);
        } else if (c->is_type<ge::group_stmt>()) {
            const Tree& name = *c->children.front();
            if (has_group) {
                read.error(*c, "'group' is given twice");
                continue;
            }
            has_group = true;
            out.group = name.string();
            out.group_span = read.span(name);
        } else if (c->is_type<ge::self_stmt>()) {
            out.facts.push_back(self_fact(read, *c));
        } else if (c->is_type<ge::fact>()) {
            ast::Fact fact;
            const Tree& name = *c->children.front();
            fact.name = name.string();
            fact.span = read.span(name);
            for (const auto& part : c->children) {
                if (part->is_type<ge::append_sign>()) fact.append = true;
                else if (part->is_type<ge::source_string>()) fact.source = front::TreeReader::unescape(*part);
                else if (is_value(*part)) fact.value = raw_value(read, *part);
            }
            if (fact.append && fact.value.kind != ast::RawValue::Kind::record)
                read.error(*c->children.back(), fmt::format("'{} +=' appends one record: write {} += {{ FIELD: VALUE, ... }}",
                                                            fact.name, fact.name));
            out.facts.push_back(std::move(fact));
        }
    }
    check_numbers(read, root);
    if (!has_unit)
        read.context().diags->error(file, {}, "the evidence file has no `unit \"...\"` line naming the unit assessed");
    return out;
}

}  // namespace

std::optional<ast::EvidenceFile> parse_evidence(std::string_view text, const std::string& source_name,
                                                Diagnostics& diags) {
    const auto prepared = front::prepare_text(text, source_name, "evidence", diags);
    if (!prepared) return std::nullopt;
    if (front::is_blank(*prepared)) {
        diags.error(source_name, {}, "empty evidence file: expected `unit \"...\"` and one fact a line");
        return std::nullopt;
    }
    const SourceMap map(*prepared);
    g::ParseContext ctx;
    const auto tree = front::parse_tree<ge::file, evidence_selector>(ctx, *prepared, map, source_name, diags);
    if (!tree || ctx.errors != 0) return std::nullopt;
    const std::size_t before = diags.error_count();
    front::TreeReader read(ctx);
    ast::EvidenceFile file = build_evidence(read, *tree, source_name);
    if (diags.error_count() != before) return std::nullopt;
    return file;
}

std::optional<ast::RawValue> parse_evidence_value(std::string_view cell, const std::string& source_name, Span at,
                                                  Diagnostics& diags) {
    // A cell is one line of its own; errors point at the cell, not inside it.
    Diagnostics local;
    const auto prepared = front::prepare_text(cell, source_name, "evidence", local);
    const auto fail = [&](const std::string& message) {
        diags.error(source_name, at, fmt::format("in the value \"{}\": {}", cell, message));
        return std::nullopt;
    };
    if (!prepared) return fail(local.all().front().message);
    if (cell.find_first_of("\r\n") != std::string_view::npos) return fail("a value must be on one line");
    const SourceMap map(*prepared);
    g::ParseContext ctx;
    const auto tree = front::parse_tree<ge::cell, evidence_selector>(ctx, *prepared, map, source_name, local);
    if (!tree || ctx.errors != 0 || local.has_errors()) return fail(local.all().front().message);
    front::TreeReader read(ctx);
    check_numbers(read, *tree);
    if (local.has_errors()) return fail(local.all().front().message);
    for (const auto& c : tree->children)
        if (is_value(*c)) {
            ast::RawValue v = raw_value(read, *c);
            v.span = at;
            return v;
        }
    return fail("expected a value");
}

}  // namespace kaohe
