#include "compiler/types.hpp"

#include <fmt/format.h>

#include <unordered_map>

namespace kaohe {

using checked::Type;
using Kind = checked::Type::Kind;
using bc::Unit;

std::string describe(const Type& t, const checked::Scheme& s) {
    switch (t.kind) {
    case Kind::error: return "an erroneous expression";
    case Kind::number:
        if (t.literal) return "a plain number";
        switch (t.unit) {
        case Unit::points: return "points (分)";
        case Unit::money: return "money (元)";
        case Unit::count: return t.measure.empty() ? "a count" : fmt::format("a count ({})", t.measure);
        case Unit::percent: return "a percentage";
        case Unit::none: return "a plain number";
        }
        return "a number";
    case Kind::yes_no: return "yes/no";
    case Kind::choice:
        return t.choice_type < s.choice_types.size() ? fmt::format("a choice of {}", s.choice_types[t.choice_type].name)
                                                     : "a choice";
    case Kind::choice_value: return "a choice value";
    case Kind::list: return "a list";
    case Kind::record: return "a record";
    case Kind::text: return "text";
    case Kind::table: return "a table";
    case Kind::rounding: return "a rounding mode";
    case Kind::votes:
        return t.choice_type < s.choice_types.size()
                   ? fmt::format("a tally of votes over {}", s.choice_types[t.choice_type].name)
                   : "a tally of votes";
    }
    return "a value";
}

std::optional<Decimal> fold_constant(const ast::Expr& e, const checked::Scheme& s) {
    if (const auto* lit = std::get_if<ast::NumberLit>(&e.node)) return checked::literal_value(*lit);
    if (const auto* name = std::get_if<ast::NameRef>(&e.node)) {
        (void)name;
        auto it = s.bindings.find(&e);
        if (it == s.bindings.end() || it->second.kind != checked::Binding::Kind::constant) return std::nullopt;
        return s.constants[it->second.index].value;
    }
    if (const auto* unary = std::get_if<ast::Unary>(&e.node)) {
        if (unary->op != ast::UnaryOp::negate || !unary->operand) return std::nullopt;
        auto v = fold_constant(*unary->operand, s);
        return v ? std::optional<Decimal>(-*v) : std::nullopt;
    }
    if (const auto* bin = std::get_if<ast::Binary>(&e.node)) {
        if (!bin->lhs || !bin->rhs) return std::nullopt;
        auto a = fold_constant(*bin->lhs, s), b = fold_constant(*bin->rhs, s);
        if (!a || !b) return std::nullopt;
        switch (bin->op) {
        case ast::BinaryOp::add: return *a + *b;
        case ast::BinaryOp::sub: return *a - *b;
        case ast::BinaryOp::mul: return *a * *b;
        case ast::BinaryOp::div:
            if (b->is_zero()) return std::nullopt;
            return *a / *b;
        default: return std::nullopt;
        }
    }
    return std::nullopt;
}

namespace {

bool dimensional(Unit u) { return u == Unit::points || u == Unit::money; }

// The type of an evidence field (or record field) from its schema.
Type type_of_field(const bc::FieldSpec& spec) {
    switch (spec.type) {
    case bc::FieldType::yes_no: return Type::of(Kind::yes_no);
    case bc::FieldType::count: return Type::number(Unit::count, spec.measure);
    case bc::FieldType::decimal: return Type::number(spec.unit);
    case bc::FieldType::choice: {
        if (spec.choice_type == bc::no_index) return Type::error();  // unknown type: reported
        Type t = Type::of(Kind::choice);
        t.choice_type = spec.choice_type;
        return t;
    }
    case bc::FieldType::list: {
        Type t = Type::of(Kind::list);
        t.record = &spec;
        return t;
    }
    case bc::FieldType::text: return Type::of(Kind::text);
    case bc::FieldType::votes: {
        if (spec.choice_type == bc::no_index) return Type::error();  // unknown type: reported
        Type t = Type::of(Kind::votes);
        t.choice_type = spec.choice_type;
        return t;
    }
    }
    return Type::error();
}

class Typer {
public:
    Typer(checked::Scheme& scheme, Diagnostics& diags) : s_(scheme), diags_(diags) {}

    void run() {
        for (auto& constant : s_.constants) type_constant(constant);
        type_rules(s_.ast->root);
        type_after_totals(*s_.ast);
    }

private:
    void error(Span at, std::string message, std::string suggestion = {}) {
        diags_.error(s_.file, at, std::move(message), std::move(suggestion));
    }
    std::string describe(const Type& t) const { return kaohe::describe(t, s_); }

    // ---- constants and tables ----------------------------------------------------------

    void type_constant(checked::Constant& c) {
        const ast::ConstDecl& decl = *c.decl;
        if (!decl.value) return;
        if (const auto* table = std::get_if<ast::TableLit>(&decl.value->node)) {
            c.table = build_table(*table, decl.name, decl.value->span, bc::no_index);
            c.type = Type::of(c.table == bc::no_index ? Kind::error : Kind::table);
            return;
        }
        Type t = type_of(*decl.value);
        if (t.is_error()) return;
        if (!t.is_number()) {
            error(decl.value->span, fmt::format("a constant must be a number or a table, but this is {}", describe(t)));
            return;
        }
        c.value = fold_constant(*decl.value, s_);
        if (!c.value) {
            error(decl.value->span, "a constant must be computed from numbers and earlier constants (and not divide by 0)");
            return;
        }
        c.type = t;
    }

    std::optional<std::uint32_t> find_choice_type(const std::string& name) const {
        for (std::uint32_t i = 0; i < s_.choice_types.size(); ++i)
            if (s_.choice_types[i].name == name) return i;
        return std::nullopt;
    }

    // The choice type of a table's keys: the one it names, or the one holding its keys (`hint`,
    // the type of the key it is indexed with, breaks ties for an inline table).
    std::optional<std::uint32_t> table_key_type(const ast::TableLit& table, Span at, std::uint32_t hint) {
        if (!table.key_type.empty()) {
            if (auto t = find_choice_type(table.key_type)) return t;
            std::vector<std::string> names;
            for (const auto& type : s_.choice_types) names.push_back(type.name);
            error(at, fmt::format("unknown choice type '{}'", table.key_type), checked::did_you_mean(table.key_type, names));
            return std::nullopt;
        }
        if (table.entries.empty()) {
            error(at, "an empty table needs its choice type: table TYPE { ... }");
            return std::nullopt;
        }
        std::vector<std::uint32_t> candidates;
        for (std::uint32_t i = 0; i < s_.choice_types.size(); ++i) {
            bool all = true;
            for (const auto& entry : table.entries) {
                bool found = false;
                for (const auto& v : s_.choice_types[i].values) found = found || v == entry.key;
                all = all && found;
            }
            if (all) candidates.push_back(i);
        }
        for (auto c : candidates)
            if (c == hint) return c;
        if (candidates.size() == 1) return candidates[0];
        if (candidates.empty()) {
            error(at, "no choice type has all of this table's keys: name it, as in table TYPE { ... }");
            return std::nullopt;
        }
        error(at, fmt::format("this table's keys are values of both {} and {}: name one, as in table {} {{ ... }}",
                              s_.choice_types[candidates[0]].name, s_.choice_types[candidates[1]].name,
                              s_.choice_types[candidates[0]].name));
        return std::nullopt;
    }

    // Checks a table literal and adds it to the Program's tables. Returns its index, or no_index
    // after reporting why it is not a table.
    std::uint32_t build_table(const ast::TableLit& lit, const std::string& name, Span at, std::uint32_t hint) {
        auto key_type = table_key_type(lit, at, hint);
        if (!key_type) return bc::no_index;
        const auto& type = s_.choice_types[*key_type];
        std::vector<std::optional<Decimal>> values(type.values.size());
        std::optional<Type> unit;  // the values' common unit
        bool ok = true;
        for (const auto& entry : lit.entries) {
            std::uint32_t k = 0;
            while (k < type.values.size() && type.values[k] != entry.key) ++k;
            if (k == type.values.size()) {
                error(entry.key_span, fmt::format("'{}' is not a value of {}", entry.key, type.name),
                      checked::did_you_mean(entry.key, type.values));
                ok = false;
                continue;
            }
            if (values[k]) {
                error(entry.key_span, fmt::format("'{}' appears twice in this table", entry.key));
                ok = false;
                continue;
            }
            if (!entry.value) continue;
            Type t = type_of(*entry.value);
            auto v = fold_constant(*entry.value, s_);
            if (t.is_error()) {
                ok = false;
                continue;
            }
            if (!t.is_number() || !v) {
                error(entry.value->span, "a table value must be a constant number");
                ok = false;
                continue;
            }
            if (!unit) {
                unit = t;
            } else if (auto same = same_unit(*unit, t)) {
                unit = same;
            } else {
                error(entry.value->span, fmt::format("this table mixes {} and {}", describe(*unit), describe(t)));
                ok = false;
            }
            values[k] = v;
        }
        std::vector<std::string> missing;
        for (std::size_t k = 0; k < values.size(); ++k)
            if (!values[k] && ok) missing.push_back(type.values[k]);
        if (!missing.empty()) {
            error(at, fmt::format("{} does not cover every value of {}: missing {}",
                                  name.empty() ? "this table" : fmt::format("table {}", name), type.name,
                                  fmt::join(missing, ", ")));
            ok = false;
        }
        if (!ok) return bc::no_index;
        bc::Table table;
        table.name = name;
        table.choice_type = *key_type;
        table.unit = unit && !unit->literal ? unit->unit : Unit::none;
        for (auto& v : values) table.values.push_back(*v);
        auto index = static_cast<std::uint32_t>(s_.tables.size());
        s_.tables.push_back(std::move(table));
        s_.table_of_literal[&lit] = index;
        table_literal_.push_back(!unit || unit->literal);
        return index;
    }

    // ---- units -------------------------------------------------------------------------

    // The common unit of two numbers for + - min_of max_of comparisons and when arms, or nullopt.
    // A bare literal takes the other side's unit.
    static std::optional<Type> same_unit(const Type& a, const Type& b) {
        if (a.literal) return b;
        if (b.literal) return a;
        if (a.unit != b.unit) return std::nullopt;
        Type t = a;
        if (a.measure != b.measure) t.measure.clear();  // 次 and 例 are both counts
        return t;
    }

    static std::optional<Type> product(const Type& a, const Type& b) {
        if (a.literal) return b;
        if (b.literal) return a;
        if (dimensional(a.unit) && dimensional(b.unit)) return std::nullopt;
        if (dimensional(a.unit)) return Type::number(a.unit);
        if (dimensional(b.unit)) return Type::number(b.unit);
        if (a.unit == Unit::none) return b;
        if (b.unit == Unit::none) return a;
        if (a.unit == Unit::count) return a;  // count × count, count × percent: a count
        if (b.unit == Unit::count) return b;
        return a;  // percent × percent
    }

    static std::optional<Type> quotient(const Type& a, const Type& b) {
        if (b.literal) return a;
        if (a.literal || a.unit == b.unit) return Type::number(Unit::none);
        if (!dimensional(b.unit)) return a;  // X / none, X / count, X / percent: X
        return std::nullopt;
    }

    // ---- expressions -------------------------------------------------------------------

    Type type_of(const ast::Expr& e) {
        Type t = std::visit([&](const auto& n) { return type_node(e, n); }, e.node);
        s_.facts[&e].type = t;
        return t;
    }

    // Types e and reports (unless already in error) when it is not yes/no.
    void require_yes_no(const ast::Expr& e, std::string_view what) {
        Type t = type_of(e);
        if (!t.is_error() && t.kind != Kind::yes_no)
            error(e.span, fmt::format("{} must be yes/no, but this is {}", what, describe(t)));
    }

    // Types e and reports (unless already in error) when it is not a number.
    std::optional<Type> require_number(const ast::Expr& e, std::string_view what) {
        Type t = type_of(e);
        if (t.is_error()) return std::nullopt;
        if (!t.is_number()) {
            error(e.span, fmt::format("{} must be a number, but this is {}", what, describe(t)));
            return std::nullopt;
        }
        return t;
    }

    Type type_node(const ast::Expr&, const ast::NumberLit& lit) {
        switch (lit.unit) {
        case ast::LiteralUnit::none: return Type::literal_number();
        case ast::LiteralUnit::points: return Type::number(Unit::points);
        case ast::LiteralUnit::money: return Type::number(Unit::money);
        case ast::LiteralUnit::percent: return Type::number(Unit::percent);
        }
        return Type::error();
    }

    Type type_node(const ast::Expr& e, const ast::NameRef&) {
        auto it = s_.bindings.find(&e);
        if (it == s_.bindings.end()) return Type::error();  // unknown name: reported by resolve
        const checked::Binding& b = it->second;
        switch (b.kind) {
        case checked::Binding::Kind::evidence: return type_of_field(s_.evidence[b.index]);
        case checked::Binding::Kind::constant: {
            const auto& c = s_.constants[b.index];
            if (c.is_table) s_.facts[&e].index = c.table;
            return c.type;
        }
        case checked::Binding::Kind::param: {
            auto p = param_types_.find(b.binder);
            return p == param_types_.end() ? Type::error() : p->second;
        }
        case checked::Binding::Kind::choice_value: return Type::of(Kind::choice_value);
        case checked::Binding::Kind::boolean: return Type::of(Kind::yes_no);
        case checked::Binding::Kind::rounding: return Type::of(Kind::rounding);
        case checked::Binding::Kind::node: return Type::number(Unit::points);
        case checked::Binding::Kind::grade: {
            if (s_.grading.choice_type == bc::no_index) return Type::error();
            Type t = Type::of(Kind::choice);
            t.choice_type = s_.grading.choice_type;
            return t;
        }
        }
        return Type::error();
    }

    Type type_node(const ast::Expr& e, const ast::Member& m) {
        if (!m.object) return Type::error();
        Type object = type_of(*m.object);
        if (object.is_error()) return object;
        if (object.kind == Kind::votes) return type_tally(e, m, object);
        if (object.kind != Kind::record || !std::holds_alternative<ast::NameRef>(m.object->node)) {
            std::string hint = object.kind == Kind::list ? ": use sum, count, max, min, any or all with p => p.field" : "";
            error(m.object->span, fmt::format("only a record (the p of p => ...) has fields, but this is {}{}",
                                              describe(object), hint));
            return Type::error();
        }
        const auto& fields = object.record->fields;
        for (std::uint32_t i = 0; i < fields.size(); ++i) {
            if (fields[i].name == m.field) {
                s_.facts[&e].index = i;
                return type_of_field(fields[i]);
            }
        }
        std::vector<std::string> names;
        for (const auto& f : fields) names.push_back(f.name);
        error(m.field_span, fmt::format("the records of {} have no field '{}'", object.record->name, m.field),
              checked::did_you_mean(m.field, names));
        return Type::error();
    }

    // 民主测评.好: the count of one value of a tally.
    Type type_tally(const ast::Expr& e, const ast::Member& m, const Type& votes) {
        const auto& type = s_.choice_types[votes.choice_type];
        for (std::uint32_t i = 0; i < type.values.size(); ++i) {
            if (type.values[i] == m.field) {
                s_.facts[&e].index = i;
                return Type::number(Unit::count, std::string(checked::votes_measure));
            }
        }
        error(m.field_span, fmt::format("'{}' is not a value of {} ({})", m.field, type.name, fmt::join(type.values, ", ")),
              checked::did_you_mean(m.field, type.values));
        return Type::error();
    }

    Type type_node(const ast::Expr& e, const ast::Index& ix) {
        if (!ix.table || !ix.key) return Type::error();
        Type key = type_of(*ix.key);
        std::uint32_t table = bc::no_index;
        if (const auto* lit = std::get_if<ast::TableLit>(&ix.table->node)) {
            std::uint32_t hint = key.kind == Kind::choice ? key.choice_type : bc::no_index;
            table = build_table(*lit, "", ix.table->span, hint);
            s_.facts[ix.table.get()].index = table;
            s_.facts[ix.table.get()].type = Type::of(table == bc::no_index ? Kind::error : Kind::table);
        } else {
            Type t = type_of(*ix.table);
            if (t.is_error()) return t;
            if (t.kind != Kind::table) {
                error(ix.table->span, fmt::format("only a table can be indexed with [ ], but this is {}", describe(t)));
                return Type::error();
            }
            table = s_.facts[ix.table.get()].index;
        }
        if (table == bc::no_index || key.is_error()) return Type::error();
        const bc::Table& def = s_.tables[table];
        s_.facts[&e].index = table;
        if (key.kind != Kind::choice || key.choice_type != def.choice_type) {
            error(ix.key->span, fmt::format("{} is indexed by a choice of {}, but this is {}",
                                            def.name.empty() ? "this table" : fmt::format("table {}", def.name),
                                            s_.choice_types[def.choice_type].name, describe(key)));
            return Type::error();
        }
        if (table_literal_[table]) return Type::literal_number();
        return Type::number(def.unit);
    }

    Type type_node(const ast::Expr&, const ast::Unary& u) {
        if (!u.operand) return Type::error();
        if (u.op == ast::UnaryOp::logical_not) {
            require_yes_no(*u.operand, "the operand of not");
            return Type::of(Kind::yes_no);
        }
        auto t = require_number(*u.operand, "the operand of -");
        return t ? *t : Type::error();
    }

    static const char* op_text(ast::BinaryOp op) {
        switch (op) {
        case ast::BinaryOp::add: return "+";
        case ast::BinaryOp::sub: return "-";
        case ast::BinaryOp::mul: return "*";
        case ast::BinaryOp::div: return "/";
        case ast::BinaryOp::eq: return "==";
        case ast::BinaryOp::ne: return "!=";
        case ast::BinaryOp::lt: return "<";
        case ast::BinaryOp::le: return "<=";
        case ast::BinaryOp::gt: return ">";
        case ast::BinaryOp::ge: return ">=";
        case ast::BinaryOp::logical_and: return "and";
        case ast::BinaryOp::logical_or: return "or";
        }
        return "?";
    }

    Type type_node(const ast::Expr& e, const ast::Binary& b) {
        if (!b.lhs || !b.rhs) return Type::error();
        if (b.op == ast::BinaryOp::logical_and || b.op == ast::BinaryOp::logical_or) {
            std::string what = fmt::format("each side of {}", op_text(b.op));
            require_yes_no(*b.lhs, what);
            require_yes_no(*b.rhs, what);
            return Type::of(Kind::yes_no);
        }
        Type lhs = type_of(*b.lhs), rhs = type_of(*b.rhs);
        if (lhs.is_error() || rhs.is_error()) return Type::error();
        if (b.op == ast::BinaryOp::eq || b.op == ast::BinaryOp::ne) {
            if (auto same = comparable(*b.lhs, lhs, *b.rhs, rhs)) return *same;
        }
        bool comparison = b.op != ast::BinaryOp::add && b.op != ast::BinaryOp::sub && b.op != ast::BinaryOp::mul &&
                          b.op != ast::BinaryOp::div;
        for (const auto* side : {&lhs, &rhs}) {
            if (!side->is_number()) {
                const ast::Expr& at = side == &lhs ? *b.lhs : *b.rhs;
                error(at.span, fmt::format("{} needs numbers, but this is {}", op_text(b.op), describe(*side)));
                return Type::error();
            }
        }
        (void)e;
        switch (b.op) {
        case ast::BinaryOp::add:
            if (auto t = same_unit(lhs, rhs)) return *t;
            error(b.rhs->span, fmt::format("cannot add {} to {}", describe(rhs), describe(lhs)));
            return Type::error();
        case ast::BinaryOp::sub:
            if (auto t = same_unit(lhs, rhs)) return *t;
            error(b.rhs->span, fmt::format("cannot subtract {} from {}", describe(rhs), describe(lhs)));
            return Type::error();
        case ast::BinaryOp::mul:
            if (auto t = product(lhs, rhs)) return *t;
            error(b.rhs->span, fmt::format("cannot multiply {} by {}", describe(lhs), describe(rhs)));
            return Type::error();
        case ast::BinaryOp::div:
            if (auto t = quotient(lhs, rhs)) return *t;
            error(b.rhs->span, fmt::format("cannot divide {} by {}", describe(lhs), describe(rhs)));
            return Type::error();
        default: break;
        }
        if (comparison && !same_unit(lhs, rhs)) {
            error(b.rhs->span, fmt::format("cannot compare {} with {}", describe(lhs), describe(rhs)));
            return Type::error();
        }
        return Type::of(Kind::yes_no);
    }

    // == and != on yes/no, on choices, and on a choice against a bare choice value. Returns
    // nullopt when the operands are numbers (the caller checks them) or not comparable here.
    std::optional<Type> comparable(const ast::Expr& l, const Type& lhs, const ast::Expr& r, const Type& rhs) {
        if (lhs.is_number() && rhs.is_number()) return std::nullopt;
        Type yes_no = Type::of(Kind::yes_no);
        if (lhs.kind == Kind::yes_no && rhs.kind == Kind::yes_no) return yes_no;
        if (lhs.kind == Kind::choice && rhs.kind == Kind::choice && lhs.choice_type == rhs.choice_type) return yes_no;
        if (lhs.kind == Kind::choice && rhs.kind == Kind::choice_value) return match_value(lhs, r) ? yes_no : Type::error();
        if (rhs.kind == Kind::choice && lhs.kind == Kind::choice_value) return match_value(rhs, l) ? yes_no : Type::error();
        error(r.span, fmt::format("cannot compare {} with {}", describe(lhs), describe(rhs)));
        return Type::error();
    }

    // Is the bare name `value` one of the values of `choice`? Records its index for lowering.
    bool match_value(const Type& choice, const ast::Expr& value) {
        const auto& name = std::get<ast::NameRef>(value.node).name;
        auto index = value_index(choice.choice_type, name, value.span);
        if (index) s_.facts[&value].index = *index;
        return index.has_value();
    }

    std::optional<std::uint32_t> value_index(std::uint32_t type, const std::string& name, Span at) {
        const auto& ct = s_.choice_types[type];
        for (std::uint32_t i = 0; i < ct.values.size(); ++i)
            if (ct.values[i] == name) return i;
        error(at, fmt::format("'{}' is not a value of {} ({})", name, ct.name, fmt::join(ct.values, ", ")),
              checked::did_you_mean(name, ct.values));
        return std::nullopt;
    }

    Type type_node(const ast::Expr& e, const ast::IsChoice& is) {
        if (!is.subject) return Type::error();
        Type subject = type_of(*is.subject);
        if (subject.is_error()) return subject;
        if (subject.kind != Kind::choice) {
            error(is.subject->span, fmt::format("`is` needs a choice, but this is {}", describe(subject)));
            return Type::error();
        }
        std::vector<std::uint32_t> indices;
        bool ok = true;
        for (std::size_t i = 0; i < is.choices.size(); ++i) {
            Span at = i < is.choice_spans.size() ? is.choice_spans[i] : e.span;
            auto index = value_index(subject.choice_type, is.choices[i], at);
            ok = ok && index.has_value();
            if (index) indices.push_back(*index);
        }
        if (!ok) return Type::error();
        s_.facts[&e].choices = std::move(indices);
        return Type::of(Kind::yes_no);
    }

    Type type_node(const ast::Expr& e, const ast::Lambda&) {
        error(e.span, "a lambda (p => ...) can only be an argument of sum, count, max, min, any or all");
        return Type::error();
    }

    // rank and count are counts; mean, max, min and sum keep X's unit; bottom and top are
    // yes/no (is this unit among them). Whether X and C are phase-1 values is checked by phases.
    Type type_node(const ast::Expr& e, const ast::Population& p) {
        const char* word = checked::population_word(p.kind);
        bool ok = true;
        if (p.where) {
            Type c = type_of(*p.where);
            if (!c.is_error() && c.kind != Kind::yes_no) {
                error(p.where->span, fmt::format("the where condition of {} must be yes/no, but this is {}", word,
                                                 describe(c)));
                ok = false;
            }
            ok = ok && !c.is_error();
        }
        std::optional<Type> x;
        if (p.kind != ast::PopulationKind::count) {
            if (!p.value) return Type::error();
            x = require_number(*p.value, fmt::format("what {} ... among compares", word));
            ok = ok && x.has_value();
        }
        if (p.kind == ast::PopulationKind::bottom || p.kind == ast::PopulationKind::top) ok = check_population_n(p, word) && ok;
        (void)e;
        if (!ok) return Type::error();
        switch (p.kind) {
        case ast::PopulationKind::rank: return Type::number(Unit::count, std::string(checked::rank_measure));
        case ast::PopulationKind::count: return Type::number(Unit::count, std::string(checked::units_measure));
        case ast::PopulationKind::bottom:
        case ast::PopulationKind::top: return Type::of(Kind::yes_no);
        default: return *x;
        }
    }

    // bottom N / top N: N is a constant whole number, 1 or more.
    bool check_population_n(const ast::Population& p, const char* word) {
        if (!p.n) return false;
        Type t = type_of(*p.n);
        if (t.is_error()) return false;
        auto n = fold_constant(*p.n, s_);
        bool quantity = t.is_number() && (t.literal || t.unit == Unit::count || t.unit == Unit::none);
        if (quantity && n && n->is_integer() && Decimal(1) <= *n) return true;
        error(p.n->span, fmt::format("{} N needs N to be a constant whole number, 1 or more (as in {} 5 by X among all)",
                                     word, word));
        return false;
    }
    Type type_node(const ast::Expr& e, const ast::TableLit&) {
        error(e.span, "a table can only be a constant or indexed with [ ]");
        return Type::error();
    }

    Type type_node(const ast::Expr& e, const ast::When& w) {
        std::optional<Type> result;
        bool ok = true;
        auto arm_value = [&](const ast::Expr& value) {
            Type t = type_of(value);
            if (t.is_error()) {
                ok = false;
                return;
            }
            if (!result) {
                result = t;
                return;
            }
            std::optional<Type> common;
            if (t.is_number() && result->is_number()) common = same_unit(*result, t);
            else if (t.kind == result->kind && t.kind == Kind::yes_no) common = t;
            else if (t.kind == result->kind && t.kind == Kind::choice && t.choice_type == result->choice_type) common = t;
            if (!common) {
                error(value.span, fmt::format("every arm of when must give the same kind of value, but this is {} "
                                              "and an earlier arm is {}", describe(t), describe(*result)));
                ok = false;
                return;
            }
            result = common;
        };
        for (const auto& arm : w.arms) {
            if (arm.condition) require_yes_no(*arm.condition, "a when condition");
            if (arm.value) arm_value(*arm.value);
        }
        if (w.otherwise) arm_value(*w.otherwise);
        (void)e;
        return ok && result ? *result : Type::error();
    }

    Type type_node(const ast::Expr& e, const ast::Call& call) {
        auto builtin = find_builtin(call.callee);
        if (!builtin) {
            error(call.callee_span, fmt::format("unknown function '{}'", call.callee),
                  checked::did_you_mean(call.callee, builtin_names()));
            return Type::error();
        }
        s_.facts[&e].builtin = builtin;
        const BuiltinInfo& info = builtin_info(*builtin);
        std::size_t n = call.args.size();
        if (n < info.min_args || (info.max_args != 0 && n > info.max_args)) {
            std::string expected = info.max_args == 0 ? fmt::format("at least {}", info.min_args)
                                   : info.min_args == info.max_args
                                       ? fmt::format("{}", info.min_args)
                                       : fmt::format("{} or {}", info.min_args, info.max_args);
            error(call.callee_span, fmt::format("{} takes {} argument{}, but is given {}: {}", info.name, expected,
                                                expected == "1" ? "" : "s", n, info.meaning));
            return Type::error();
        }
        for (const auto& arg : call.args)
            if (!arg) return Type::error();
        if (info.over_list) return type_list_builtin(e, *builtin, call);
        if (*builtin == Builtin::round) return type_round(e, call);
        if (*builtin == Builtin::total || *builtin == Builtin::weighted) return type_votes_builtin(e, *builtin, call);
        // max_of, min_of: numbers of one unit
        std::optional<Type> result;
        bool ok = true;
        for (const auto& arg : call.args) {
            auto t = require_number(*arg, fmt::format("an argument of {}", info.name));
            if (!t) {
                ok = false;
                continue;
            }
            if (!result) {
                result = t;
            } else if (auto same = same_unit(*result, *t)) {
                result = same;
            } else if (ok) {
                error(arg->span, fmt::format("the arguments of {} must have one unit, but this is {} and an earlier "
                                             "one is {}", info.name, describe(*t), describe(*result)));
                ok = false;
            }
        }
        return ok ? *result : Type::error();
    }

    Type type_round(const ast::Expr& e, const ast::Call& call) {
        auto x = require_number(*call.args[0], "the value round() rounds");
        const auto* places = std::get_if<ast::NumberLit>(&call.args[1]->node);
        auto value = places && places->unit == ast::LiteralUnit::none ? checked::literal_value(*places) : std::nullopt;
        bool ok = x.has_value();
        if (!value || !value->is_integer() || value->is_negative() || Decimal(Decimal::max_round_places) < *value) {
            error(call.args[1]->span, fmt::format("round's places must be a whole number from 0 to {}",
                                                  Decimal::max_round_places));
            ok = false;
        } else {
            s_.facts[&e].places = static_cast<std::uint32_t>(std::stoul(value->to_string()));
        }
        Type mode = type_of(*call.args[2]);
        if (mode.kind != Kind::rounding) {
            if (!mode.is_error())
                error(call.args[2]->span, "round's mode must be half_up, half_even, down or up");
            ok = false;
        }
        return ok ? *x : Type::error();
    }

    // total(V): the votes in a tally; weighted(V, T): the tally's mean of T over its votes, with
    // T a table over the tally's choice type (its unit is the table's).
    Type type_votes_builtin(const ast::Expr& e, Builtin builtin, const ast::Call& call) {
        const char* name = builtin_info(builtin).name;
        Type votes = type_of(*call.args[0]);
        if (votes.is_error()) return votes;
        if (votes.kind != Kind::votes) {
            error(call.args[0]->span, fmt::format("{} needs a votes tally as its first argument, but this is {}", name,
                                                  describe(votes)));
            return Type::error();
        }
        if (builtin == Builtin::total) return Type::number(Unit::count, std::string(checked::votes_measure));
        const ast::Expr& arg = *call.args[1];
        std::uint32_t table = bc::no_index;
        if (const auto* lit = std::get_if<ast::TableLit>(&arg.node)) {
            table = build_table(*lit, "", arg.span, votes.choice_type);
            s_.facts[&arg].index = table;
            s_.facts[&arg].type = Type::of(table == bc::no_index ? Kind::error : Kind::table);
        } else {
            Type t = type_of(arg);
            if (t.is_error()) return t;
            if (t.kind != Kind::table) {
                error(arg.span, fmt::format("weighted needs a table as its second argument, but this is {}", describe(t)));
                return Type::error();
            }
            table = s_.facts[&arg].index;
        }
        if (table == bc::no_index) return Type::error();
        const bc::Table& def = s_.tables[table];
        if (def.choice_type != votes.choice_type) {
            error(arg.span, fmt::format("weighted needs a table over {} (the tally's values), but {} is over {}",
                                        s_.choice_types[votes.choice_type].name,
                                        def.name.empty() ? "this table" : def.name, s_.choice_types[def.choice_type].name));
            return Type::error();
        }
        s_.facts[&e].index = table;
        if (table_literal_[table]) return Type::literal_number();
        return Type::number(def.unit);
    }

    Type type_list_builtin(const ast::Expr& e, Builtin builtin, const ast::Call& call) {
        const char* name = builtin_info(builtin).name;
        Type list = type_of(*call.args[0]);
        if (!list.is_error() && list.kind != Kind::list) {
            error(call.args[0]->span, fmt::format("{} needs a list as its first argument, but this is {}", name,
                                                  describe(list)));
            list = Type::error();
        }
        (void)e;
        if (call.args.size() == 1) return list.is_error() ? list : Type::number(Unit::count);  // count(L)
        const ast::Expr& arg = *call.args[1];
        const auto* lambda = std::get_if<ast::Lambda>(&arg.node);
        if (!lambda) {
            error(arg.span, fmt::format("{} needs a lambda as its second argument: {}(L, p => ...)", name, name));
            return Type::error();
        }
        Type record = Type::of(Kind::record);
        record.record = list.record;
        param_types_[lambda] = list.is_error() ? Type::error() : record;
        s_.facts[&arg].type = record;
        if (!lambda->body) return Type::error();
        const ast::Expr& body = *lambda->body;
        switch (builtin) {
        case Builtin::count:
            require_yes_no(body, "the condition of count");
            return list.is_error() ? list : Type::number(Unit::count);
        case Builtin::any:
        case Builtin::all:
            require_yes_no(body, fmt::format("the condition of {}", name));
            return Type::of(Kind::yes_no);
        default: {  // sum, max, min, mean
            auto t = require_number(body, fmt::format("what {} {}", name,
                                                       builtin == Builtin::sum    ? "adds up"
                                                       : builtin == Builtin::mean ? "averages"
                                                                                  : "compares"));
            return t && !list.is_error() ? *t : Type::error();
        }
        }
    }

    // ---- rules -------------------------------------------------------------------------

    void type_rules(const ast::Node& node) {
        for (const auto& rule : node.rules) type_rule(rule);
        for (const auto& child : node.children) type_rules(child);
    }

    void type_rule(const ast::Rule& rule) {
        if (rule.amount) {
            Type t = type_of(*rule.amount);
            bool points_like = t.is_number() && (t.literal || t.unit == Unit::points || t.unit == Unit::none ||
                                                 t.unit == Unit::count);
            const char* what = rule.kind == ast::RuleKind::score ? "a score" : "a rule's amount";
            if (!t.is_error() && !points_like)
                error(rule.amount->span, fmt::format("{} must be points (分), but this is {}", what, describe(t)));
        }
        if (rule.per) {
            Type t = type_of(*rule.per);
            bool quantity = t.is_number() && (t.literal || t.unit == Unit::count || t.unit == Unit::none);
            if (!t.is_error() && !quantity)
                error(rule.per->span, fmt::format("per needs a count, but this is {}", describe(t)));
        }
        if (rule.condition) require_yes_no(*rule.condition, rule.unless ? "an unless condition" : "an if condition");
        if (rule.cap) {
            Type t = type_of(*rule.cap);
            if (t.is_error()) return;
            auto value = fold_constant(*rule.cap, s_);
            bool points = t.is_number() && (t.literal || t.unit == Unit::points);
            if (!points || !value || value->is_negative())
                error(rule.cap->span, "cap must be a constant number of points, 0 or more");
        }
    }

    // ---- after the totals --------------------------------------------------------------

    void type_after_totals(const ast::Scheme& ast) {
        if (ast.grading)
            for (const auto& veto : ast.grading->vetoes)
                if (veto.condition) require_yes_no(*veto.condition, "a veto's condition");
        for (const auto& money : ast.money) {
            if (!money.amount) continue;
            Type t = type_of(*money.amount);
            if (t.is_error() || (t.is_number() && !t.literal && t.unit == Unit::money)) continue;
            error(money.amount->span, fmt::format("money {} must be an amount in 元, but this is {}", money.name,
                                                  describe(t)),
                  t.is_number() && t.literal ? "write the unit: 3600元" : "");
        }
        for (const auto& forfeit : ast.forfeits)
            if (forfeit.condition) require_yes_no(*forfeit.condition, "a forfeit's condition");
        for (const auto& flag : ast.flags)
            if (flag.condition) require_yes_no(*flag.condition, fmt::format("the condition of flag {}", flag.name));
    }

    checked::Scheme& s_;
    Diagnostics& diags_;
    std::unordered_map<const ast::Lambda*, Type> param_types_;  // the record each lambda's p stands for
    std::vector<bool> table_literal_;                           // per table: its values are bare numbers
};

}  // namespace

void check_types(checked::Scheme& scheme, Diagnostics& diags) { Typer(scheme, diags).run(); }

}  // namespace kaohe
