#include "compiler/resolve.hpp"

#include "lang/parse.hpp"

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
        use_modules(ast.uses);
        for (const auto& t : ast.types) declare_type(t);
        for (const auto& c : ast.constants) declare_constant(c);
        for (const auto& e : ast.evidence) declare_evidence(e);
        declare_nodes(ast.root);
        if (ast.grading) declare_grading(*ast.grading);
        for (const auto& m : ast.money) declare_money(m);
        for (const auto& f : ast.flags) claim(f.name, f.name_span, "a flag");
        bind_constants();
        bind_rules(ast.root, 0);
        bind_after_totals(ast);
    }

private:
    void error(Span at, std::string message, std::string suggestion = {}) {
        diags_.error(s_.file, at, std::move(message), std::move(suggestion));
    }
    void warning(Span at, std::string message, std::string suggestion = {}) {
        diags_.warning(s_.file, at, std::move(message), std::move(suggestion));
    }

    // ---- declarations ------------------------------------------------------------------

    // `use levels`: the module's types and constants are declared as if written before the
    // scheme's own (a scheme name that clashes with one of them is an error naming both).
    void use_modules(const std::vector<ast::Use>& uses) {
        std::vector<std::string> known;
        for (const auto* f = stdlib_files; f->name; ++f) known.emplace_back(f->name);
        std::unordered_map<std::string, Span> used;
        for (const auto& use : uses) {
            const StdlibFile* file = nullptr;
            for (const auto* f = stdlib_files; f->name; ++f)
                if (use.module == f->name) file = f;
            if (!file) {
                error(use.span, fmt::format("unknown stdlib module '{}' (the stdlib has: {})", use.module,
                                            fmt::join(known, ", ")),
                      checked::did_you_mean(use.module, known));
                continue;
            }
            if (auto [it, fresh] = used.try_emplace(use.module, use.span); !fresh) {
                warning(use.span, fmt::format("stdlib module '{}' is already used on line {}", use.module,
                                              it->second.begin.line));
                continue;
            }
            load_module(use, *file);
        }
    }

    void load_module(const ast::Use& use, const StdlibFile& file) {
        const std::string name = fmt::format("stdlib/{}.kh", file.name);
        auto module = parse_scheme(file.text, name, diags_);
        if (!module) {  // a stdlib bug, not the scheme's: say where
            error(use.span, fmt::format("stdlib module '{}' does not parse (see {})", file.name, name));
            return;
        }
        if (!module->evidence.empty() || !module->root.children.empty() || !module->uses.empty() ||
            module->grading || !module->money.empty() || !module->forfeits.empty() || !module->flags.empty()) {
            error(use.span, fmt::format("stdlib module '{}' may hold only type and const declarations", file.name));
            return;
        }
        module_ = file.name;
        module_use_ = use.span;
        for (const auto& t : module->types) declare_type(t);
        for (const auto& c : module->constants) declare_constant(c);
        module_.clear();
        s_.modules.push_back(std::make_unique<ast::Scheme>(std::move(*module)));
    }

    // Types, constants, evidence, named nodes, the grades and money share one namespace.
    // Returns false (and reports) on a clash. While a module is declared, `module_` names it.
    bool claim(const std::string& name, Span at, const char* what) {
        Span where = module_.empty() ? at : module_use_;
        auto [it, inserted] = declared_.try_emplace(name, Declared{what, where, module_});
        if (inserted) return true;
        const Declared& first = it->second;
        if (!first.module.empty() && module_.empty())
            error(at, fmt::format("'{}' is already declared as {} by stdlib module '{}' (use {}, line {})", name,
                                  first.what, first.module, first.module, first.span.begin.line),
                  "rename this one, or drop the use");
        else if (!module_.empty())
            error(where, fmt::format("stdlib module '{}' declares '{}', already declared as {}{} on line {}", module_,
                                     name, first.what,
                                     first.module.empty() ? "" : fmt::format(" by stdlib module '{}'", first.module),
                                     first.span.begin.line));
        else
            error(at, fmt::format("'{}' is already declared as {} on line {}", name, first.what, first.span.begin.line));
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
            if (it != type_index_.end())
                spec.choice_type = it->second;
            else
                error(t.span, fmt::format("unknown type '{}'", t.type_name), checked::did_you_mean(t.type_name, type_names()));
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
        case ast::TypeKind::votes:
            spec.type = bc::FieldType::votes;
            spec.measure = std::string(checked::votes_measure);
            if (in_record) error(t.span, "votes cannot be a record field: declare the tally as evidence of its own");
            if (t.type_name.empty()) {
                spec.choice_type = add_choice_type(path, t);  // votes { 好, 较好, ... }: named after the evidence
            } else if (auto it = type_index_.find(t.type_name); it != type_index_.end()) {
                spec.choice_type = it->second;
            } else {
                error(t.span, fmt::format("unknown type '{}'", t.type_name), checked::did_you_mean(t.type_name, type_names()));
            }
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
        case bc::FieldType::votes:
            error(d.span, "a votes tally has no default: every unit's evidence gives its counts");
            break;
        }
    }

    // ---- names in expressions ----------------------------------------------------------

    // ---- named nodes, the grades, money ------------------------------------------------

    // Numbers the nodes in pre-order (as check and lower do) and declares their names.
    void declare_nodes(const ast::Node& node) {
        auto index = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back(NodePlace{&node, index, 0});
        if (!node.name.empty() && claim(node.name, node.name_span, "a node")) node_index_[node.name] = index;
        for (const auto& child : node.children) declare_nodes(child);
        nodes_[index].end = static_cast<std::uint32_t>(nodes_.size());
    }

    // `grades 等次 ...` declares the choice type 等次 whose values are the bands, best first; or,
    // when 等次 is already a choice type (e.g. from `use grades`), uses it: the bands must then
    // be its values, in its order.
    void declare_grading(const ast::Grading& g) {
        checked::Grading& out = s_.grading;
        if (auto existing = type_index_.find(g.name); existing != type_index_.end()) {
            grades_name_ = g.name;  // even when the bands are wrong: no "unknown name" follow-ons
            const auto& values = s_.choice_types[existing->second].values;
            std::vector<std::string> bands;
            for (const auto& band : g.bands) bands.push_back(band.name);
            if (bands != values) {
                error(g.span, fmt::format("the grades of type {} must be its values in order: {} (here: {})", g.name,
                                          fmt::join(values, ", "), fmt::join(bands, ", ")));
                return;
            }
            out.choice_type = existing->second;
        } else if (claim(g.name, g.span, "the grades")) {
            ast::TypeExpr bands;
            bands.kind = ast::TypeKind::choice;
            bands.span = g.span;
            for (const auto& band : g.bands) {
                bands.choices.push_back(band.name);
                bands.choice_spans.push_back(band.span);
            }
            out.choice_type = add_choice_type(g.name, bands);
            type_index_[g.name] = out.choice_type;
            grades_name_ = g.name;
        }
        if (g.by != "total") {
            if (auto it = node_index_.find(g.by); it != node_index_.end()) {
                out.node = it->second;
            } else {
                std::vector<std::string> names{"total"};
                for (const auto& place : nodes_)
                    if (!place.node->name.empty()) names.push_back(place.node->name);
                error(g.by_span, fmt::format("grades by '{}': no node has that name (grade by total, or by a named node)",
                                             g.by),
                      checked::did_you_mean(g.by, names));
            }
        }
        for (const auto& veto : g.vetoes) out.veto_grades.push_back(find_grade(veto.grade, veto.grade_span));
    }

    std::uint32_t find_grade(const std::string& name, Span at) {
        if (s_.grading.choice_type == bc::no_index) return bc::no_index;  // reported
        const auto& values = s_.choice_types[s_.grading.choice_type].values;
        for (std::uint32_t i = 0; i < values.size(); ++i)
            if (values[i] == name) return i;
        error(at, fmt::format("veto names '{}', which is not a grade of {} ({})", name,
                              s_.choice_types[s_.grading.choice_type].name, fmt::join(values, ", ")),
              checked::did_you_mean(name, values));
        return bc::no_index;
    }

    void declare_money(const ast::MoneyDecl& m) {
        if (!claim(m.name, m.span, "money")) return;
        money_index_[m.name] = static_cast<std::uint32_t>(money_names_.size());
        money_names_.push_back(m.name);
    }

    // ---- names in expressions ----------------------------------------------------------

    void bind_constants() {
        for (std::size_t i = 0; i < s_.constants.size(); ++i) {
            constants_visible_ = i;  // a constant sees only the constants declared before it
            if (s_.constants[i].decl->value) bind(*s_.constants[i].decl->value);
        }
        constants_visible_ = no_limit;
    }

    void bind_rules(const ast::Node& node, std::uint32_t index) {
        reader_ = index;
        for (const auto& rule : node.rules) {
            checked::for_each_rule_expr(rule, [&](const ast::Expr& e) { bind(e); });
            for (std::size_t i = 0; i < rule.per_missing.size(); ++i)
                bind_per_missing(rule.per_missing[i], i < rule.per_missing_spans.size() ? rule.per_missing_spans[i] : rule.span);
        }
        std::uint32_t child_index = index + 1;
        for (const auto& child : node.children) {
            bind_rules(child, child_index);
            child_index = nodes_[child_index].end;
        }
        reader_ = no_reader;
    }

    // Vetoes, money, forfeits and flags run after every node is scored: they may read any node,
    // and the total (`total`, node 0). Only money, forfeit and flag lines run after grading, so
    // only they may read the grade.
    void bind_after_totals(const ast::Scheme& ast) {
        total_readable_ = true;
        if (ast.grading)
            for (const auto& veto : ast.grading->vetoes)
                if (veto.condition) bind(*veto.condition);
        grade_readable_ = true;
        for (const auto& money : ast.money)
            if (money.amount) bind(*money.amount);
        for (const auto& forfeit : ast.forfeits) {
            if (forfeit.condition) bind(*forfeit.condition);
            auto it = money_index_.find(forfeit.money);
            if (it != money_index_.end()) {
                s_.forfeit_money.push_back(it->second);
                continue;
            }
            s_.forfeit_money.push_back(bc::no_index);
            std::string declared = money_names_.empty() ? "the scheme declares no money"
                                                        : fmt::format("declared: {}", fmt::join(money_names_, ", "));
            error(forfeit.money_span, fmt::format("forfeit of unknown money '{}' ({})", forfeit.money, declared),
                  checked::did_you_mean(forfeit.money, money_names_));
        }
        for (const auto& flag : ast.flags)
            if (flag.condition) bind(*flag.condition);
        grade_readable_ = false;
        total_readable_ = false;
    }

    // `total`: the whole scheme's score (node 0), final only after every node is scored.
    void bind_total(const ast::Expr& e) {
        if (total_readable_) {
            s_.bindings[&e] = Binding{Binding::Kind::node, 0, 0, nullptr};
            return;
        }
        error(e.span, "'total' is the whole scheme's score, known only after every node is scored: it can be read in "
                      "veto, money, forfeit and flag lines, not here",
              reader_ != no_reader ? "to use a node's score in a rule, name the node (item 党建 \"...\") and read "
                                     "it from a node scored after it"
                                   : "");
    }

    // A node's name reads its score, so its NODE must have run before the reading rule runs:
    // the reader's descendants, or nodes wholly before it in the document (post-order).
    void bind_node(const ast::Expr& e, const std::string& name, std::uint32_t n) {
        if (constants_visible_ != no_limit) {
            error(e.span, fmt::format("a constant cannot read a node's score ('{}')", name));
            return;
        }
        if (reader_ != no_reader) {
            const NodePlace &target = nodes_[n], &reader = nodes_[reader_];
            const char* word = checked::node_word(reader.node->kind);
            bool descendant = reader_ < n && n < reader.end;
            bool before = target.end <= reader_;
            if (n == reader_) {
                error(e.span, fmt::format("'{}' is this {}'s own score: its rules cannot read the score they compute",
                                          name, word));
                return;
            }
            if (!descendant && !before) {
                bool ancestor = n < reader_ && reader_ < target.end;
                error(e.span,
                      ancestor ? fmt::format("'{}' is scored later: it contains this {}, so its score is not known here",
                                             name, word)
                               : fmt::format("'{}' is scored later: it comes after this {} (line {}); a node can read "
                                             "only nodes scored before it (its descendants, or nodes earlier in the "
                                             "document)",
                                             name, word, target.node->span.begin.line));
                return;
            }
        }
        s_.bindings[&e] = Binding{Binding::Kind::node, n, 0, nullptr};
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
        if (name == "total") {  // a keyword: only the grammar's `total` (not a call) gets here
            bind_total(e);
            return;
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
        if (auto it = node_index_.find(name); it != node_index_.end()) {
            bind_node(e, name, it->second);
            return;
        }
        if (!grades_name_.empty() && name == grades_name_) {
            if (grade_readable_)
                s_.bindings[&e] = Binding{Binding::Kind::grade, 0, 0, nullptr};
            else
                error(e.span, fmt::format("'{}' is the unit's grade, known only after grading: it can be read in "
                                          "money and forfeit lines, not here",
                                          name));
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
        for (const auto& place : nodes_)
            if (!place.node->name.empty()) candidates.push_back(place.node->name);
        for (const auto& type : s_.choice_types) candidates.insert(candidates.end(), type.values.begin(), type.values.end());
        for (const auto* lambda : scope_) candidates.push_back(lambda->param);
        error(e.span, fmt::format("unknown name '{}'", name), checked::did_you_mean(name, candidates));
        // A misspelt read of evidence X is a read of X: no follow-on "X is never used".
        if (auto it = evidence_index_.find(closest_name(name, candidates)); it != evidence_index_.end())
            s_.evidence_used[it->second] = true;
    }

    std::vector<std::string> type_names() const {
        std::vector<std::string> names;  // declaration order, so the suggestion is deterministic
        for (const auto& type : s_.choice_types) names.push_back(type.name);
        return names;
    }

    std::vector<std::string> evidence_names() const {
        std::vector<std::string> names;
        for (const auto& spec : s_.evidence) names.push_back(spec.name);
        return names;
    }

    struct Declared {
        const char* what;
        Span span;           // in the scheme (for a module's name: its `use`)
        std::string module;  // the stdlib module declaring it, or empty
    };
    struct NodePlace {
        const ast::Node* node;
        std::uint32_t index;
        std::uint32_t end;  // one past its last descendant
    };
    static constexpr std::size_t no_limit = static_cast<std::size_t>(-1);
    static constexpr std::uint32_t no_reader = bc::no_index;

    checked::Scheme& s_;
    Diagnostics& diags_;
    std::unordered_map<std::string, Declared> declared_;  // types, constants and evidence
    std::unordered_map<std::string, std::uint32_t> type_index_;
    std::unordered_map<std::string, std::uint32_t> evidence_index_;
    std::unordered_map<std::string, std::uint32_t> constant_index_;
    std::unordered_map<std::string, std::vector<std::uint32_t>> choice_values_;  // value -> types declaring it
    std::unordered_map<std::string, std::uint32_t> node_index_;   // named nodes, pre-order number
    std::unordered_map<std::string, std::uint32_t> money_index_;
    std::vector<std::string> money_names_;   // declaration order
    std::vector<NodePlace> nodes_;           // pre-order
    std::string grades_name_;                // the grades NAME, once declared
    std::string module_;                     // the stdlib module being declared, or empty
    Span module_use_;                        // its `use`
    std::uint32_t reader_ = no_reader;       // the node whose rules are being bound
    bool grade_readable_ = false;            // binding money, forfeit or flag lines
    bool total_readable_ = false;            // binding veto, money, forfeit or flag lines
    std::vector<const ast::Lambda*> scope_;  // open lambdas, innermost last
    std::size_t constants_visible_ = no_limit;  // while binding constant i: i (and no evidence)
};

}  // namespace

void resolve(checked::Scheme& scheme, Diagnostics& diags) { Resolver(scheme, diags).run(); }

}  // namespace kaohe
