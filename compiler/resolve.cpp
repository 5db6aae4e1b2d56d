#include "compiler/resolve.hpp"

#include <fmt/format.h>

#include <array>
#include <unordered_map>

namespace kaohe {
namespace {

// The stdlib modules embedded at build time (stdlib/*.kh -> stdlib.inc, see stdlib/embed.cmake).
struct StdlibFile {
    const char* name;
    const char* text;
};
const StdlibFile stdlib_files[] = {
#include "stdlib.inc"
    {nullptr, nullptr}};

// The words of round()'s third argument, in the order of kaohe::Rounding.
constexpr std::array<const char*, 4> rounding_names{"half_up", "half_even", "down", "up"};

using checked::Binding;

class Resolver {
public:
    Resolver(checked::Scheme& scheme, Diagnostics& diags) : s_(scheme), diags_(diags) {}

    void run() {
        const ast::Scheme& ast = *s_.ast;
        check_uses(ast.uses);
        for (const auto& t : ast.types) declare_type(t);
        for (const auto& c : ast.constants) declare_constant(c);
        for (const auto& e : ast.evidence) declare_evidence(e);
        bind_constants(ast.constants);
        bind_rules(ast.root);
    }

private:
    void error(Span at, std::string message, std::string suggestion = {}) {
        diags_.error(s_.file, at, std::move(message), std::move(suggestion));
    }

    // ---- declarations ------------------------------------------------------------------

    void check_uses(const std::vector<ast::Use>& uses) {
        std::vector<std::string> known;
        for (const auto* f = stdlib_files; f->name; ++f) known.emplace_back(f->name);
        for (const auto& use : uses) {
            bool found = false;
            for (const auto& name : known) found = found || name == use.module;
            if (!found)
                error(use.span, fmt::format("unknown stdlib module '{}'", use.module),
                      checked::did_you_mean(use.module, known));
            else  // Embedded modules are not compiled in yet: say so rather than ignore them.
                error(use.span, fmt::format("stdlib module '{}' cannot be used yet", use.module));
        }
    }

    // Types, constants and evidence share one namespace. Returns false (and reports) on a clash.
    bool claim(const std::string& name, Span at, const char* what) {
        auto [it, inserted] = declared_.try_emplace(name, Declared{what, at});
        if (inserted) return true;
        error(at, fmt::format("'{}' is already declared as {} on line {}", name, it->second.what,
                              it->second.span.begin.line));
        return false;
    }

    std::uint32_t add_choice_type(std::string name, const ast::TypeExpr& t) {
        bc::ChoiceType type{std::move(name), {}};
        for (std::size_t i = 0; i < t.choices.size(); ++i) {
            const auto& value = t.choices[i];
            bool repeated = false;
            for (const auto& v : type.values) repeated = repeated || v == value;
            Span at = i < t.choice_spans.size() ? t.choice_spans[i] : t.span;
            if (repeated) {
                error(at, fmt::format("'{}' appears twice in this choice", value));
                continue;
            }
            type.values.push_back(value);
        }
        if (type.values.empty()) error(t.span, "a choice needs at least one value");
        auto index = static_cast<std::uint32_t>(s_.choice_types.size());
        for (std::uint32_t v = 0; v < type.values.size(); ++v) choice_values_[type.values[v]].push_back(index);
        s_.choice_types.push_back(std::move(type));
        return index;
    }

    void declare_type(const ast::TypeDecl& t) {
        if (!claim(t.name, t.span, "a type")) return;
        if (t.type.kind != ast::TypeKind::choice) {
            error(t.type.span, fmt::format("type '{}' must be a choice: type {} = choice {{ ... }}", t.name, t.name));
            return;
        }
        type_index_[t.name] = add_choice_type(t.name, t.type);
    }

    void declare_constant(const ast::ConstDecl& c) {
        bool fresh = claim(c.name, c.span, "a constant");
        checked::Constant constant;
        constant.decl = &c;
        constant.is_table = c.value && std::holds_alternative<ast::TableLit>(c.value->node);
        if (fresh) constant_index_[c.name] = static_cast<std::uint32_t>(s_.constants.size());
        s_.constants.push_back(std::move(constant));
    }

    void declare_evidence(const ast::EvidenceDecl& e) {
        bool fresh = claim(e.name, e.span, "evidence");
        bc::FieldSpec spec = field_spec(e.name, e.name, e.type, e.span, /*in_record=*/false);
        spec.label = e.label;
        if (e.default_value) {
            spec.default_text = (e.default_value->negative ? "-" : "") + e.default_value->text;
            check_default(spec, *e.default_value);
        }
        if (fresh) evidence_index_[e.name] = static_cast<std::uint32_t>(s_.evidence.size());
        s_.evidence.push_back(std::move(spec));
        s_.evidence_decls.push_back(&e);
        s_.evidence_used.push_back(!fresh);  // a duplicate is reported once, not again as unused
    }

    // The schema of one evidence field (or record field). `path` names an inline choice type:
    // the evidence name, or "evidence.field" inside a record.
    bc::FieldSpec field_spec(const std::string& name, const std::string& path, const ast::TypeExpr& t, Span at,
                             bool in_record) {
        bc::FieldSpec spec;
        spec.name = name;
        spec.line = at.begin.line;
        spec.column = at.begin.column;
        switch (t.kind) {
        case ast::TypeKind::yes_no: spec.type = bc::FieldType::yes_no; break;
        case ast::TypeKind::count:
            spec.type = bc::FieldType::count;
            spec.unit = bc::Unit::count;
            spec.measure = t.measure;
            break;
        case ast::TypeKind::decimal: spec.type = bc::FieldType::decimal; break;
        case ast::TypeKind::points:
            spec.type = bc::FieldType::decimal;
            spec.unit = bc::Unit::points;
            break;
        case ast::TypeKind::money:
            spec.type = bc::FieldType::decimal;
            spec.unit = bc::Unit::money;
            break;
        case ast::TypeKind::percent:
            spec.type = bc::FieldType::decimal;
            spec.unit = bc::Unit::percent;
            break;
        case ast::TypeKind::choice:
            spec.type = bc::FieldType::choice;
            spec.choice_type = add_choice_type(path, t);
            break;
        case ast::TypeKind::named: {
            spec.type = bc::FieldType::choice;
            auto it = type_index_.find(t.type_name);
            if (it != type_index_.end()) {
                spec.choice_type = it->second;
            } else {
                std::vector<std::string> names;  // declaration order, so the suggestion is deterministic
                for (const auto& decl : s_.ast->types) names.push_back(decl.name);
                error(t.span, fmt::format("unknown type '{}'", t.type_name), checked::did_you_mean(t.type_name, names));
            }
            break;
        }
        case ast::TypeKind::list: {
            spec.type = bc::FieldType::list;
            for (const auto& f : t.fields) {
                bool repeated = false;
                for (const auto& g : spec.fields) repeated = repeated || g.name == f.name;
                if (repeated) error(f.span, fmt::format("field '{}' appears twice in this record", f.name));
                if (f.type) spec.fields.push_back(field_spec(f.name, path + "." + f.name, *f.type, f.span, true));
            }
            break;
        }
        case ast::TypeKind::text:
            spec.type = bc::FieldType::text;
            if (!in_record) error(t.span, "text can only be a record field (in a list of { ... })");
            break;
        }
        set_range(spec, t);
        return spec;
    }

    void set_range(bc::FieldSpec& spec, const ast::TypeExpr& t) {
        bool numeric = spec.type == bc::FieldType::count || spec.type == bc::FieldType::decimal;
        if (!numeric) {
            if (t.within) error(t.within->span, "only numbers can have a range (within)");
            if (t.step) error(t.span, "only numbers can have a step");
            return;
        }
        // Percent bounds and steps are written as percents (within 0..100) and stored as fractions.
        const Decimal scale = spec.unit == bc::Unit::percent ? Decimal(100) : Decimal(1);
        if (t.within) {
            auto lo = checked::range_lo(*t.within), hi = checked::range_hi(*t.within);
            if (!lo || !hi) {
                error(t.within->span, "a range needs two numbers: within LO..HI");
            } else if (*hi < *lo) {
                error(t.within->span, fmt::format("empty range: {} is above {}", lo->to_string(), hi->to_string()));
            } else if (spec.type == bc::FieldType::count && (!lo->is_integer() || !hi->is_integer() || lo->is_negative())) {
                error(t.within->span, "a count's range must be whole numbers from 0 up");
            } else {
                spec.lo = *lo / scale;
                spec.hi = *hi / scale;
            }
        }
        if (t.step) {
            auto step = checked::literal_value(*t.step);
            if (spec.type == bc::FieldType::count)
                error(t.span, "a count has no step: it is always a whole number");
            else if (!step || step->sign() <= 0)
                error(t.span, "a step must be a number above 0");
            else
                spec.step = *step / scale;
        }
    }

    void check_default(const bc::FieldSpec& spec, const ast::DefaultValue& d) {
        auto bad = [&](std::string what) {
            error(d.span, fmt::format("default {}{} is not {}", d.negative ? "-" : "", d.text, what));
        };
        switch (spec.type) {
        case bc::FieldType::yes_no: {
            static const std::array<const char*, 6> words{"yes", "no", "是", "否", "true", "false"};
            bool ok = false;
            for (const char* w : words) ok = ok || d.text == w;
            if (!ok || d.negative) bad("yes or no");
            break;
        }
        case bc::FieldType::count:
        case bc::FieldType::decimal: {
            std::string text = d.text;
            bool percent_sign = !text.empty() && text.back() == '%';
            if (percent_sign) text.pop_back();
            auto value = Decimal::parse(text);
            if (!value) {
                bad("a number");
                break;
            }
            if (d.negative) value = -*value;
            if (spec.unit == bc::Unit::percent) value = *value / Decimal(100);
            if (spec.type == bc::FieldType::count && (!value->is_integer() || value->is_negative()))
                bad("a whole number from 0 up");
            else if ((spec.lo && *value < *spec.lo) || (spec.hi && *spec.hi < *value))
                bad("within the declared range");
            break;
        }
        case bc::FieldType::choice: {
            if (spec.choice_type == bc::no_index) break;  // unknown type: already reported
            const auto& values = s_.choice_types[spec.choice_type].values;
            bool ok = false;
            for (const auto& v : values) ok = ok || v == d.text;
            if (!ok)
                error(d.span, fmt::format("'{}' is not a value of {}", d.text, s_.choice_types[spec.choice_type].name),
                      checked::did_you_mean(d.text, values));
            break;
        }
        case bc::FieldType::list:
            if (d.text != "[]") bad("[] (the only default a list can have)");
            break;
        case bc::FieldType::text: break;
        }
    }

    // ---- names in expressions ----------------------------------------------------------

    void bind_constants(const std::vector<ast::ConstDecl>& constants) {
        for (std::size_t i = 0; i < constants.size(); ++i) {
            constants_visible_ = i;  // a constant sees only the constants declared before it
            if (constants[i].value) bind(*constants[i].value);
        }
        constants_visible_ = no_limit;
    }

    void bind_rules(const ast::Node& node) {
        for (const auto& rule : node.rules) {
            checked::for_each_rule_expr(rule, [&](const ast::Expr& e) { bind(e); });
            for (std::size_t i = 0; i < rule.per_missing.size(); ++i)
                bind_per_missing(rule.per_missing[i], i < rule.per_missing_spans.size() ? rule.per_missing_spans[i] : rule.span);
        }
        for (const auto& child : node.children) bind_rules(child);
    }

    void bind_per_missing(const std::string& name, Span at) {
        auto it = evidence_index_.find(name);
        if (it == evidence_index_.end()) {
            error(at, fmt::format("unknown evidence '{}'", name), checked::did_you_mean(name, evidence_names()));
            if (auto close = evidence_index_.find(closest_name(name, evidence_names())); close != evidence_index_.end())
                s_.evidence_used[close->second] = true;
            return;
        }
        s_.evidence_used[it->second] = true;
        const auto& spec = s_.evidence[it->second];
        if (spec.type != bc::FieldType::yes_no)
            error(at, fmt::format("per missing counts yes/no evidence that is no, but '{}' is not yes/no", name));
    }

    void bind(const ast::Expr& e) {
        if (const auto* name = std::get_if<ast::NameRef>(&e.node)) {
            bind_name(e, *name);
            return;
        }
        if (const auto* lambda = std::get_if<ast::Lambda>(&e.node)) {
            scope_.push_back(lambda);
            if (lambda->body) bind(*lambda->body);
            scope_.pop_back();
            return;
        }
        if (const auto* call = std::get_if<ast::Call>(&e.node); call && call->callee == "round" && call->args.size() == 3) {
            bind(*call->args[0]);
            bind(*call->args[1]);
            bind_rounding(*call->args[2]);
            return;
        }
        checked::for_each_child(e, [&](const ast::Expr& child) { bind(child); });
    }

    void bind_rounding(const ast::Expr& e) {
        const auto* name = std::get_if<ast::NameRef>(&e.node);
        if (!name) {
            bind(e);  // types reports that it is not a rounding mode
            return;
        }
        for (std::uint32_t i = 0; i < rounding_names.size(); ++i) {
            if (name->name == rounding_names[i]) {
                s_.bindings[&e] = Binding{Binding::Kind::rounding, i, 0, nullptr};
                return;
            }
        }
        error(e.span, fmt::format("unknown rounding mode '{}': use half_up, half_even, down or up", name->name),
              checked::did_you_mean(name->name, {rounding_names.begin(), rounding_names.end()}));
    }

    void bind_name(const ast::Expr& e, const ast::NameRef& ref) {
        const std::string& name = ref.name;
        // Innermost lambda parameter first: `p` in `q => p => p.x` is the inner one.
        for (std::size_t i = scope_.size(); i-- > 0;) {
            if (scope_[i]->param == name) {
                s_.bindings[&e] = Binding{Binding::Kind::param, 0, static_cast<std::uint32_t>(scope_.size() - 1 - i), scope_[i]};
                return;
            }
        }
        if (auto it = evidence_index_.find(name); it != evidence_index_.end()) {
            if (constants_visible_ != no_limit) {
                error(e.span, fmt::format("a constant cannot read evidence ('{}')", name));
                return;
            }
            s_.bindings[&e] = Binding{Binding::Kind::evidence, it->second, 0, nullptr};
            s_.evidence_used[it->second] = true;
            return;
        }
        if (auto it = constant_index_.find(name); it != constant_index_.end()) {
            if (it->second >= constants_visible_) {
                error(e.span, fmt::format("constant '{}' is used before it is declared", name));
                return;
            }
            s_.bindings[&e] = Binding{Binding::Kind::constant, it->second, 0, nullptr};
            return;
        }
        if (name == "yes" || name == "no") {
            s_.bindings[&e] = Binding{Binding::Kind::boolean, name == "yes" ? 1u : 0u, 0, nullptr};
            return;
        }
        if (choice_values_.count(name)) {
            s_.bindings[&e] = Binding{Binding::Kind::choice_value, 0, 0, nullptr};
            return;
        }
        std::vector<std::string> candidates = evidence_names();
        for (const auto& c : s_.constants) candidates.push_back(c.decl->name);
        for (const auto& type : s_.choice_types) candidates.insert(candidates.end(), type.values.begin(), type.values.end());
        for (const auto* lambda : scope_) candidates.push_back(lambda->param);
        error(e.span, fmt::format("unknown name '{}'", name), checked::did_you_mean(name, candidates));
        // A misspelt read of evidence X is a read of X: no follow-on "X is never used".
        if (auto it = evidence_index_.find(closest_name(name, candidates)); it != evidence_index_.end())
            s_.evidence_used[it->second] = true;
    }

    std::vector<std::string> evidence_names() const {
        std::vector<std::string> names;
        for (const auto& spec : s_.evidence) names.push_back(spec.name);
        return names;
    }

    struct Declared {
        const char* what;
        Span span;
    };
    static constexpr std::size_t no_limit = static_cast<std::size_t>(-1);

    checked::Scheme& s_;
    Diagnostics& diags_;
    std::unordered_map<std::string, Declared> declared_;  // types, constants and evidence
    std::unordered_map<std::string, std::uint32_t> type_index_;
    std::unordered_map<std::string, std::uint32_t> evidence_index_;
    std::unordered_map<std::string, std::uint32_t> constant_index_;
    std::unordered_map<std::string, std::vector<std::uint32_t>> choice_values_;  // value -> types declaring it
    std::vector<const ast::Lambda*> scope_;  // open lambdas, innermost last
    std::size_t constants_visible_ = no_limit;  // while binding constant i: i (and no evidence)
};

}  // namespace

void resolve(checked::Scheme& scheme, Diagnostics& diags) { Resolver(scheme, diags).run(); }

}  // namespace kaohe
