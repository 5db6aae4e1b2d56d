// Evidence loading: read -> parse (lang/) -> type every fact against the Program's FieldSpecs.
// A unit with any error is reported and never returned, so nothing is computed from it.
#include "runtime/evidence.hpp"
#include "runtime/input_file.hpp"

#include "lang/parse.hpp"
#include "runtime/bytes.hpp"
#include "runtime/csv.hpp"
#include "runtime/encoding.hpp"
#include "runtime/report.hpp"
#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace kaohe {
namespace {

// The yes/no words (docs/evidence.md): yes, no, 是, 否, true, false. The batch path types one in
// nearly every cell, and which word a cell holds varies from unit to unit, so a branch on the
// length or on each word mispredicts often; instead one key of the length and the first two and
// last two bytes (which hold every byte of a word of 2 to 4 bytes) is compared with all six
// words at once. Only `false` has a byte the key misses (its 'l'), checked on its own.
[[gnu::always_inline]] inline std::optional<bool> yes_no_word(std::string_view text) {
    const std::size_t n = text.size();
    if (n < 2 || n > 5) return std::nullopt;
    const auto byte = [&](std::size_t at) { return static_cast<std::uint64_t>(static_cast<unsigned char>(text[at])); };
    const std::uint64_t key = n << 32 | byte(0) | byte(1) << 8 | byte(n - 2) << 16 | byte(n - 1) << 24;
    constexpr auto key_of = [](std::string_view word) {
        const std::size_t m = word.size();
        const auto at = [&](std::size_t k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(word[k])); };
        return std::uint64_t{m} << 32 | at(0) | at(1) << 8 | at(m - 2) << 16 | at(m - 1) << 24;
    };
    constexpr std::uint64_t shi = key_of("是"), yes_ = key_of("yes"), true_ = key_of("true"), fou = key_of("否"),
                            no_ = key_of("no"), false_ = key_of("false");
    // Bitwise, not ||: each comparison is made, with no branch between them.
    const auto is = [&](std::uint64_t word) { return static_cast<unsigned>(key == word); };
    const unsigned yes = is(shi) | is(yes_) | is(true_);
    const unsigned no = is(fou) | is(no_) | (is(false_) & static_cast<unsigned>(n != 5 || text[2] == 'l'));
    if ((yes | no) == 0) return std::nullopt;
    return yes != 0;
}

namespace fs = std::filesystem;

// Limits, each with its reason. Inputs are read whole into memory.
constexpr std::uintmax_t max_evidence_text_bytes = 16u << 20;  // a unit's facts are a few KB; 16 MiB is not an evidence file
constexpr std::uintmax_t max_evidence_csv_bytes = 1u << 30;    // 1 GiB: a million units with a hundred facts each
constexpr std::uint32_t max_csv_list_records = 10'000;         // NAME[i].FIELD columns per list: wider than any sheet
constexpr std::size_t max_list_records = 10'000;               // `NAME += {...}` lines per list: a unit's practices are tens

// Where each unit was read, for the duplicate-unit check across all inputs.
struct UnitPlace {
    std::string file;
    std::uint32_t line = 0;
};

std::string trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
    const std::string close = closest_name(name, candidates);
    return close.empty() ? std::string() : fmt::format("did you mean '{}'?", close);
}

// The percent fields' values, bounds and steps are fractions (85% is 0.85); people read them as
// percents.
std::string show_number(const Decimal& d, const bc::FieldSpec& spec) {
    if (spec.type == bc::FieldType::decimal && spec.unit == bc::Unit::percent)
        return (d * Decimal(100)).to_string() + "%";
    return d.to_string();
}

std::string show_raw(const ast::RawValue& raw) {
    switch (raw.kind) {
    case ast::RawValue::Kind::number: return raw.text + (raw.percent ? "%" : "");
    case ast::RawValue::Kind::word: return raw.text;
    case ast::RawValue::Kind::string: return fmt::format("\"{}\"", raw.text);
    case ast::RawValue::Kind::empty_list: return "[]";
    case ast::RawValue::Kind::record: return "{ ... }";
    }
    return raw.text;
}

std::string unit_word(const bc::FieldSpec& spec) {
    switch (spec.unit) {
    case bc::Unit::points: return "a number of points (分)";
    case bc::Unit::money: return "an amount of money (元)";
    case bc::Unit::percent: return "a percentage such as 85%";
    default: return "a decimal number";
    }
}

class Typer {
public:
    Typer(const bc::Program& program, std::string file, Diagnostics& diags)
        : program_(program), file_(std::move(file)), diags_(diags) {}

    const std::string& file() const { return file_; }

    // What a value of this field must look like, for "expected ..." messages.
    std::string describe(const bc::FieldSpec& spec) const {
        switch (spec.type) {
        case bc::FieldType::yes_no: return "yes or no (是/否)";
        case bc::FieldType::count:
            return fmt::format("a count of {} (a whole number >= 0)", spec.measure.empty() ? "items" : spec.measure);
        case bc::FieldType::decimal: return unit_word(spec);
        case bc::FieldType::choice: return "one of " + join(choices(spec), ", ");
        case bc::FieldType::text: return "text";
        case bc::FieldType::list: return "a list: `[]`, or records added with `+= { ... }`";
        case bc::FieldType::votes:
            return fmt::format("a tally {{ {} }} (a count of votes for every value)", join(tally_example(spec), ", "));
        }
        return "a value";
    }

    // Types one written value. `name` names it in messages ("住夜未落实", "创新做法[2].推广").
    std::optional<Value> type_value(const bc::FieldSpec& spec, const ast::RawValue& raw, const std::string& name,
                                    Span where) {
        switch (spec.type) {
        case bc::FieldType::yes_no: return type_yes_no(spec, raw, name, where);
        case bc::FieldType::count:
        case bc::FieldType::decimal: return type_number(spec, raw, name, where);
        case bc::FieldType::choice: return type_choice(spec, raw, name, where);
        case bc::FieldType::text:
            if (raw.kind == ast::RawValue::Kind::empty_list || raw.kind == ast::RawValue::Kind::record)
                return mismatch(spec, raw, name, where);
            return Value::of_text(raw.kind == ast::RawValue::Kind::number ? show_raw(raw) : raw.text);
        case bc::FieldType::list:
            if (raw.kind == ast::RawValue::Kind::empty_list) return Value::of_list({});
            if (raw.kind == ast::RawValue::Kind::record) {
                diags_.error(file_, where, fmt::format("'{}' is a list: add a record with `{} += {{ ... }}`", name, name));
                return std::nullopt;
            }
            return mismatch(spec, raw, name, where);
        case bc::FieldType::votes: return type_votes(spec, raw, name, where);
        }
        diags_.internal(fmt::format("evidence '{}' has an unknown field type", name));
        return std::nullopt;
    }

    // Types `{ field: value, ... }` against a list's record fields.
    std::optional<Record> type_record(const bc::FieldSpec& list, const ast::RawValue& raw, const std::string& name) {
        if (raw.kind != ast::RawValue::Kind::record) {
            diags_.error(file_, raw.span, fmt::format("expected a record {{ field: value, ... }} for '{}', got '{}'",
                                                      name, show_raw(raw)));
            return std::nullopt;
        }
        std::vector<std::string> field_names;
        for (const auto& f : list.fields) field_names.push_back(f.name);
        Record record(list.fields.size());
        std::vector<bool> given(list.fields.size(), false);
        bool ok = true;
        for (const auto& fv : raw.fields) {
            const auto it = std::find(field_names.begin(), field_names.end(), fv.name);
            if (it == field_names.end()) {
                diags_.error(file_, fv.name_span,
                             fmt::format("unknown field '{}' in a record of '{}' (its fields: {})", fv.name, name,
                                         join(field_names, ", ")),
                             did_you_mean(fv.name, field_names));
                ok = false;
                continue;
            }
            const std::size_t i = static_cast<std::size_t>(it - field_names.begin());
            if (given[i]) {
                diags_.error(file_, fv.name_span, fmt::format("field '{}' is given twice in this record", fv.name));
                ok = false;
                continue;
            }
            given[i] = true;
            auto v = type_value(list.fields[i], fv.value, name + "." + fv.name, fv.value.span);
            if (v) record[i] = std::move(*v);
            else ok = false;
        }
        for (std::size_t i = 0; i < list.fields.size(); ++i) {
            if (given[i]) continue;
            if (auto v = type_default(list.fields[i])) {
                record[i] = std::move(*v);
                continue;
            }
            diags_.error(file_, raw.span,
                         fmt::format("missing field '{}' in this record of '{}' (the scheme declares no default)",
                                     list.fields[i].name, name));
            ok = false;
        }
        if (!ok) return std::nullopt;
        return record;
    }

    // The field's `default`, typed like evidence; nullopt when it has none (or it is malformed,
    // which is the scheme's fault and reported at the scheme's declaration).
    std::optional<Value> type_default(const bc::FieldSpec& spec) {
        if (!spec.default_text) return std::nullopt;
        Diagnostics local;
        Typer inner(program_, program_.info.source_name, local);
        const Span at{SourcePos{spec.line, spec.column}, 1};
        auto v = inner.type_value(spec, raw_of_default(*spec.default_text, at), spec.name, at);
        if (!v) {
            for (const auto& d : local.all())
                diags_.error(program_.info.source_name, at,
                             fmt::format("the scheme's default for '{}' is not valid: {}", spec.name, d.message));
        }
        return v;
    }

    std::vector<std::string> choices(const bc::FieldSpec& spec) const {
        if (spec.choice_type >= program_.choice_types.size()) return {};
        return program_.choice_types[spec.choice_type].values;
    }

    // One count of a tally (`民主测评.好`): a whole number of votes >= 0.
    std::optional<Decimal> type_vote_count(const ast::RawValue& raw, const std::string& name, Span where) {
        auto v = type_number(vote_count_spec(), raw, name, where);
        if (!v) return std::nullopt;
        return v->number;
    }

    // A tally's Value: one Record of counts in the choice type's order (runtime/value.hpp).
    static Value tally_of(Record counts) {
        Value v;
        v.tag = Value::Tag::votes;
        v.list = std::make_shared<const List>(List{std::move(counts)});
        return v;
    }

    // What a vote count is typed as: a count whose measure word is 票 (docs/language.md).
    static const bc::FieldSpec& vote_count_spec() {
        static const bc::FieldSpec spec = [] {
            bc::FieldSpec s;
            s.type = bc::FieldType::count;
            s.unit = bc::Unit::count;
            s.measure = "票";
            return s;
        }();
        return spec;
    }

private:
    // "好: N, 较好: N, ..." for messages.
    std::vector<std::string> tally_example(const bc::FieldSpec& spec) const {
        std::vector<std::string> parts;
        for (const auto& value : choices(spec)) parts.push_back(value + ": N");
        return parts;
    }

    // `{ 好: 20, 较好: 8, 一般: 2, 较差: 0 }`: a whole number >= 0 for every value of the
    // tally's choice type, each once. A missing value is an error, never read as 0 votes.
    std::optional<Value> type_votes(const bc::FieldSpec& spec, const ast::RawValue& raw, const std::string& name,
                                    Span where) {
        if (raw.kind != ast::RawValue::Kind::record) return mismatch(spec, raw, name, where);
        const std::vector<std::string> values = choices(spec);
        Record counts(values.size());
        std::vector<bool> given(values.size(), false);
        bool ok = true;
        for (const auto& fv : raw.fields) {
            const auto it = std::find(values.begin(), values.end(), fv.name);
            if (it == values.end()) {
                diags_.error(file_, fv.name_span,
                             fmt::format("unknown value '{}' in the tally '{}' (its values: {})", fv.name, name,
                                         join(values, ", ")),
                             did_you_mean(fv.name, values));
                ok = false;
                continue;
            }
            const std::size_t i = static_cast<std::size_t>(it - values.begin());
            if (given[i]) {
                diags_.error(file_, fv.name_span, fmt::format("'{}' is counted twice in the tally '{}'", fv.name, name));
                ok = false;
                continue;
            }
            given[i] = true;
            if (auto count = type_vote_count(fv.value, name + "." + fv.name, fv.value.span))
                counts[i] = Value::of_number(std::move(*count));
            else
                ok = false;
        }
        std::vector<std::string> missing;
        for (std::size_t i = 0; i < values.size(); ++i)
            if (!given[i]) missing.push_back(values[i]);
        if (!missing.empty()) {
            diags_.error(file_, raw.span,
                         fmt::format("the tally '{}' has no count for {}: every value needs one, 0 included",
                                     name, join(missing, ", ")),
                         fmt::format("write {{ {} }}", join(tally_example(spec), ", ")));
            ok = false;
        }
        if (!ok) return std::nullopt;
        return tally_of(std::move(counts));
    }

    // `default` text as written in the scheme: `[]`, a number (perhaps with %), or a word.
    static ast::RawValue raw_of_default(const std::string& text, Span at) {
        ast::RawValue raw;
        raw.span = at;
        if (text == "[]") {
            raw.kind = ast::RawValue::Kind::empty_list;
            return raw;
        }
        std::string_view digits = text;
        const bool percent = !digits.empty() && digits.back() == '%';
        if (percent) digits.remove_suffix(1);
        if (Decimal::parse(digits)) {
            raw.kind = ast::RawValue::Kind::number;
            raw.text = std::string(digits);
            raw.percent = percent;
            return raw;
        }
        raw.kind = ast::RawValue::Kind::word;
        raw.text = text;
        return raw;
    }

    std::nullopt_t mismatch(const bc::FieldSpec& spec, const ast::RawValue& raw, const std::string& name, Span where) {
        diags_.error(file_, where, fmt::format("'{}': expected {}, got '{}'", name, describe(spec), show_raw(raw)));
        return std::nullopt;
    }

    std::optional<Value> type_yes_no(const bc::FieldSpec& spec, const ast::RawValue& raw, const std::string& name,
                                     Span where) {
        if (raw.kind == ast::RawValue::Kind::word)
            if (const auto yes = yes_no_word(raw.text)) return Value::of_yes_no(*yes);
        return mismatch(spec, raw, name, where);
    }

    std::optional<Value> type_number(const bc::FieldSpec& spec, const ast::RawValue& raw, const std::string& name,
                                     Span where) {
        if (raw.kind != ast::RawValue::Kind::number) return mismatch(spec, raw, name, where);
        std::optional<Decimal> d = Decimal::parse(raw.text);
        if (!d) return mismatch(spec, raw, name, where);
        const bool is_percent = spec.type == bc::FieldType::decimal && spec.unit == bc::Unit::percent;
        if (spec.type == bc::FieldType::count) {
            if (raw.percent || !d->is_integer() || d->is_negative()) return mismatch(spec, raw, name, where);
        } else if (is_percent) {
            *d = *d / Decimal(100);  // 85% and 85 both mean 0.85
        } else if (raw.percent) {
            diags_.error(file_, where,
                         fmt::format("'{}': expected {}, got the percentage '{}'", name, describe(spec), show_raw(raw)),
                         fmt::format("write it without '%' ({})", raw.text));
            return std::nullopt;
        }
        if (!within_declared_range(spec, *d, name, where)) return std::nullopt;
        return Value::of_number(std::move(*d));
    }

    bool within_declared_range(const bc::FieldSpec& spec, const Decimal& v, const std::string& name, Span where) {
        if ((spec.lo && v < *spec.lo) || (spec.hi && v > *spec.hi)) {
            diags_.error(file_, where,
                         fmt::format("'{}' is {}, outside the declared range {}..{}", name, show_number(v, spec),
                                     spec.lo ? show_number(*spec.lo, spec) : std::string(),
                                     spec.hi ? show_number(*spec.hi, spec) : std::string()));
            return false;
        }
        if (spec.step && !spec.step->is_zero()) {
            const Decimal base = spec.lo.value_or(Decimal());
            if (!(v - base).is_multiple_of(*spec.step)) {
                diags_.error(file_, where,
                             fmt::format("'{}' is {}, not a multiple of the declared step {} (counting from {})", name,
                                         show_number(v, spec), show_number(*spec.step, spec), show_number(base, spec)));
                return false;
            }
        }
        return true;
    }

    std::optional<Value> type_choice(const bc::FieldSpec& spec, const ast::RawValue& raw, const std::string& name,
                                     Span where) {
        if (spec.choice_type >= program_.choice_types.size()) {
            diags_.internal(fmt::format("evidence '{}' names choice type {} which does not exist", name, spec.choice_type));
            return std::nullopt;
        }
        const auto& values = program_.choice_types[spec.choice_type].values;
        if (raw.kind == ast::RawValue::Kind::word || raw.kind == ast::RawValue::Kind::string) {
            const auto it = std::find(values.begin(), values.end(), raw.text);
            if (it != values.end()) return Value::of_choice(static_cast<std::uint32_t>(it - values.begin()));
            diags_.error(file_, where,
                         fmt::format("unknown value '{}' for '{}': expected one of {}", raw.text, name, join(values, ", ")),
                         did_you_mean(raw.text, values));
            return std::nullopt;
        }
        return mismatch(spec, raw, name, where);
    }

    const bc::Program& program_;
    std::string file_;
    Diagnostics& diags_;
};

// Evidence names to slots, and the names for "did you mean".
struct SlotIndex {
    std::unordered_map<std::string, std::uint32_t> slots;
    std::vector<std::string> names;

    explicit SlotIndex(const bc::Program& program) {
        for (std::uint32_t i = 0; i < program.evidence.size(); ++i) {
            slots.emplace(program.evidence[i].name, i);
            names.push_back(program.evidence[i].name);
        }
    }
    std::optional<std::uint32_t> find(const std::string& name) const {
        const auto it = slots.find(name);
        if (it == slots.end()) return std::nullopt;
        return it->second;
    }
};

// The nodes a self-assessed score (自查分) may be given for, by the numbers the reports print
// (report::node_numbers: sections 1, 2, ...; their children 1.1, 1.2, ...; the scheme itself has
// none), and the most each may score: its points plus its `extra` children's caps.
class SelfTargets {
public:
    explicit SelfTargets(const bc::Program& program)
        : program_(program), numbers_(report::node_numbers(program)), most_(report::full_with_extras(program)) {
        for (std::uint32_t n = 1; n < numbers_.size(); ++n) {
            index_.emplace(numbers_[n], n);
            valid_.push_back(numbers_[n]);
        }
    }

    std::size_t node_count() const { return numbers_.size(); }
    const Decimal& most(std::uint32_t node) const { return most_[node]; }

    // The node numbered `path`, or an error naming the closest valid numbers.
    std::optional<std::uint32_t> find(const std::string& path, const std::string& file, Span at,
                                      Diagnostics& diags) const {
        const auto it = index_.find(path);
        if (it != index_.end()) return it->second;
        std::vector<std::string> hints;
        if (const std::string close = closest_name(path, valid_); !close.empty())
            hints.push_back(fmt::format("did you mean '{}'?", close));
        if (const std::string range = siblings_of(path); !range.empty()) hints.push_back(range);
        diags.error(file, at, fmt::format("no node is numbered {} in the scheme: a self-assessed score needs the "
                                          "number of a section, item or clause as the reports print it",
                                          path),
                    join(hints, " "));
        return std::nullopt;
    }

    // Types the score: a decimal within 0..most. nullopt after reporting.
    std::optional<Decimal> type_score(std::uint32_t node, const ast::RawValue& raw, const std::string& path,
                                      const std::string& file, Span at, Diagnostics& diags) const {
        std::optional<Decimal> d;
        if (raw.kind == ast::RawValue::Kind::number && !raw.percent) d = Decimal::parse(raw.text);
        if (!d) {
            diags.error(file, at, fmt::format("self-assessed score of {}: expected a number of points, got '{}'", path,
                                              show_raw(raw)));
            return std::nullopt;
        }
        if (d->is_negative() || *d > most_[node]) {
            const Decimal& full = program_.nodes[node].full;
            const std::string points = most_[node] == full
                                           ? std::string("the node's points")
                                           : fmt::format("the node's {} points and {} extra", full.to_string(),
                                                         (most_[node] - full).to_string());
            diags.error(file, at, fmt::format("self-assessed score of {} is {}, outside 0..{} ({})", path,
                                              d->to_string(), most_[node].to_string(), points));
            return std::nullopt;
        }
        return d;
    }

private:
    // "(1.3 has 1.3.1 to 1.3.4)" for the numbers beside an unknown one, so a typo in the last part
    // shows the valid range.
    std::string siblings_of(const std::string& path) const {
        const auto dot = path.rfind('.');
        const std::string parent = dot == std::string::npos ? std::string() : path.substr(0, dot);
        if (!parent.empty() && index_.count(parent) == 0) return siblings_of(parent);
        std::vector<std::string> children;
        for (std::uint32_t n = 1; n < numbers_.size(); ++n) {
            const auto d = numbers_[n].rfind('.');
            const std::string p = d == std::string::npos ? std::string() : numbers_[n].substr(0, d);
            if (p == parent) children.push_back(numbers_[n]);
        }
        if (children.empty()) return parent.empty() ? std::string() : fmt::format("({} has no parts)", parent);
        const std::string span = children.size() == 1 ? children.front()
                                                      : fmt::format("{} to {}", children.front(), children.back());
        return parent.empty() ? fmt::format("(the top level has {})", span) : fmt::format("({} has {})", parent, span);
    }

    const bc::Program& program_;
    std::vector<std::string> numbers_;
    std::vector<Decimal> most_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::vector<std::string> valid_;
};

std::string missing_evidence_message(const bc::FieldSpec& spec) {
    return fmt::format("missing evidence '{}' (the scheme declares no default): {}", spec.name, spec.label);
}

bool check_group(const bc::Program& program, const std::string& group, const std::string& file, Span at,
                 Diagnostics& diags) {
    const auto& groups = program.info.groups;
    if (group.empty() || groups.empty() || std::find(groups.begin(), groups.end(), group) != groups.end()) return true;
    diags.error(file, at, fmt::format("unknown group '{}': the scheme's groups are {}", group, join(groups, ", ")),
                did_you_mean(group, groups));
    return false;
}

// ---- reading files --------------------------------------------------------------------------

std::optional<std::string> read_input(const std::string& path, std::uintmax_t limit, EvidenceSet& out,
                                      Diagnostics& diags) {
    auto text = read_input_file(path, limit, "an evidence input", diags);
    if (text) out.inputs.push_back(EvidenceInput{path, sha256(*text)});
    return text;
}

// ---- evidence text files --------------------------------------------------------------------

// `self 1.2: 4.5 [source "..."]`: the unit's own score for node 1.2, given at most once.
void read_self_score(const SelfTargets& targets, const ast::Fact& fact, const std::string& path, UnitEvidence& unit,
                     Diagnostics& diags) {
    const auto node = targets.find(fact.self_path, path, fact.span, diags);
    if (!node) return;
    if (unit.self_scores[*node] || unit.self_origins[*node].line != 0) {
        diags.error(path, fact.span,
                    fmt::format("duplicate self-assessed score for {} (first given at line {})", fact.self_path,
                                unit.self_origins[*node].line));
        return;
    }
    unit.self_origins[*node] = FactOrigin{path, fact.span.begin.line, fact.source};
    unit.self_scores[*node] = targets.type_score(*node, fact.value, fact.self_path, path, fact.value.span, diags);
}

bool load_text(const bc::Program& program, const std::string& path, std::string_view text, EvidenceSet& out,
               std::vector<UnitPlace>& places, Diagnostics& diags) {
    const std::size_t errors_before = diags.error_count();
    auto parsed = parse_evidence(text, path, diags);
    if (!parsed || diags.error_count() != errors_before) return false;

    Typer typer(program, path, diags);
    const SlotIndex index(program);
    const std::size_t n = program.evidence.size();
    UnitEvidence unit;
    unit.name = parsed->unit;
    unit.group = parsed->group;
    unit.file = path;
    if (unit.name.empty()) diags.error(path, Span{}, "missing `unit \"...\"`: every evidence file names its unit");
    check_group(program, unit.group, path, parsed->group_span, diags);

    enum class State : std::uint8_t { absent, set, appended };
    std::vector<State> state(n, State::absent);
    std::vector<std::uint32_t> first_line(n, 0);
    std::vector<std::optional<Value>> values(n);
    std::vector<List> appended(n);
    std::vector<std::vector<FactOrigin>> record_origins(n);  // parallel to appended
    std::vector<bool> too_long(n, false);
    std::vector<std::vector<std::string>> sources(n);
    unit.origins.resize(n);
    const SelfTargets targets(program);
    unit.self_scores.resize(targets.node_count());
    unit.self_origins.resize(targets.node_count());

    for (const ast::Fact& fact : parsed->facts) {
        if (!fact.self_path.empty()) {
            read_self_score(targets, fact, path, unit, diags);
            continue;
        }
        const auto slot = index.find(fact.name);
        if (!slot) {
            diags.error(path, fact.span, fmt::format("unknown evidence '{}'", fact.name),
                        did_you_mean(fact.name, index.names));
            continue;
        }
        const bc::FieldSpec& spec = program.evidence[*slot];
        if (fact.append && spec.type != bc::FieldType::list) {
            if (state[*slot] == State::absent) first_line[*slot] = fact.span.begin.line;
            state[*slot] = State::set;  // given, if wrongly: no follow-on "missing evidence"
            diags.error(path, fact.span,
                        fmt::format("`+=` adds a record to a list, but '{}' is {}", fact.name, typer.describe(spec)),
                        fmt::format("write `{}: VALUE`", fact.name));
            continue;
        }
        const bool repeats = state[*slot] == State::set || (state[*slot] == State::appended && !fact.append);
        if (repeats) {
            diags.error(path, fact.span,
                        fmt::format("duplicate evidence '{}' (first given at line {})", fact.name, first_line[*slot]));
            continue;
        }
        if (state[*slot] == State::absent) first_line[*slot] = fact.span.begin.line;
        if (!fact.source.empty() &&
            std::find(sources[*slot].begin(), sources[*slot].end(), fact.source) == sources[*slot].end())
            sources[*slot].push_back(fact.source);
        if (fact.append && appended[*slot].size() >= max_list_records) {
            if (!too_long[*slot])  // once per list, not once per record past the limit
                diags.error(path, fact.span, fmt::format("more than {} records in the list '{}'", max_list_records, fact.name));
            too_long[*slot] = true;
            continue;
        }
        if (fact.append) {
            state[*slot] = State::appended;
            const std::string name = fmt::format("{}[{}]", fact.name, appended[*slot].size() + 1);
            if (auto record = typer.type_record(spec, fact.value, name)) {
                appended[*slot].push_back(std::move(*record));
                record_origins[*slot].push_back(FactOrigin{path, fact.span.begin.line, fact.source});
            }
        } else {
            state[*slot] = State::set;
            values[*slot] = typer.type_value(spec, fact.value, fact.name, fact.value.span);
        }
    }

    for (std::size_t i = 0; i < n; ++i) {
        const bc::FieldSpec& spec = program.evidence[i];
        unit.origins[i] = FactOrigin{path, first_line[i], join(sources[i], "; ")};
        if (state[i] == State::appended) {
            values[i] = Value::of_list(std::move(appended[i]));
            if (unit.record_origins.empty()) unit.record_origins.resize(n);
            unit.record_origins[i] = std::move(record_origins[i]);
        } else if (state[i] == State::absent) {
            values[i] = typer.type_default(spec);
            if (!values[i] && !spec.default_text) diags.error(path, parsed->unit_span, missing_evidence_message(spec));
        }
    }
    if (diags.error_count() != errors_before) return false;

    for (auto& v : values) unit.values.push_back(std::move(*v));
    places.push_back(UnitPlace{path, parsed->unit_span.begin.line});
    out.units.push_back(std::move(unit));
    return true;
}

// ---- CSV tables -----------------------------------------------------------------------------

// A list's columns: record number -> field -> column index.
using ListColumns = std::map<std::uint32_t, std::map<std::uint32_t, std::size_t>>;

// A tally's columns (`民主测评.好`): value index -> column index.
using VoteColumns = std::map<std::uint32_t, std::size_t>;

// A `self 1.2` column: the node's self-assessed score.
struct SelfColumn {
    std::uint32_t node = 0;
    std::size_t column = 0;
    std::string path;  // "1.2"
};

struct CsvLayout {
    std::optional<std::size_t> unit_column, group_column;
    std::vector<std::optional<std::size_t>> scalar_columns;  // per slot
    std::vector<ListColumns> list_columns;                   // per slot
    std::vector<VoteColumns> vote_columns;                   // per slot
    std::vector<SelfColumn> self_columns;                    // in header order
};

// The header names a self-assessed score column `self 1.2` (any spaces after `self`).
std::optional<std::string> self_column_path(const std::string& header) {
    constexpr std::string_view prefix = "self ";
    if (header.rfind(prefix, 0) != 0) return std::nullopt;
    return trim(std::string_view(header).substr(prefix.size()));
}

// Parses `NAME[3].FIELD` into its parts.
bool split_list_column(const std::string& header, std::string& name, std::uint32_t& record, std::string& field) {
    const auto open = header.find('[');
    const auto close = header.find("].", open);
    if (open == std::string::npos || close == std::string::npos || close == open + 1) return false;
    const std::string digits = header.substr(open + 1, close - open - 1);
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    name = header.substr(0, open);
    record = static_cast<std::uint32_t>(std::stoul(digits));
    field = header.substr(close + 2);
    return true;
}

std::vector<std::string> vote_column_names(const bc::FieldSpec& spec, const Typer& typer) {
    std::vector<std::string> names;
    for (const auto& value : typer.choices(spec)) names.push_back(spec.name + "." + value);
    return names;
}

// `民主测评.好`: one count of a tally. False when `name` is not of that form (then it is an
// unknown name, reported by the caller); true when it is, reported or recorded.
bool read_vote_column(const bc::Program& program, const SlotIndex& index, const std::string& name, std::size_t c,
                      Span at, CsvLayout& layout, const std::string& path, const Typer& typer, Diagnostics& diags) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) return false;
    const std::string base = name.substr(0, dot), value = name.substr(dot + 1);
    const auto slot = index.find(base);
    if (!slot) return false;
    const bc::FieldSpec& spec = program.evidence[*slot];
    if (spec.type != bc::FieldType::votes) {
        diags.error(path, at,
                    fmt::format("'{}' is not a tally, so it has no column '{}'; its column is '{}'", base, name, base));
        return true;
    }
    const auto values = typer.choices(spec);
    const auto it = std::find(values.begin(), values.end(), value);
    if (it == values.end()) {
        diags.error(path, at,
                    fmt::format("unknown value '{}' of the tally '{}' (its values: {})", value, base, join(values, ", ")),
                    did_you_mean(value, values));
        return true;
    }
    layout.vote_columns[*slot][static_cast<std::uint32_t>(it - values.begin())] = c;
    return true;
}

std::optional<CsvLayout> read_header(const bc::Program& program, const CsvRow& header, const std::string& path,
                                     Typer& typer, Diagnostics& diags) {
    const std::size_t errors_before = diags.error_count();
    const SlotIndex index(program);
    const std::size_t n = program.evidence.size();
    const SelfTargets targets(program);
    CsvLayout layout;
    layout.scalar_columns.resize(n);
    layout.list_columns.resize(n);
    layout.vote_columns.resize(n);
    std::map<std::uint32_t, std::size_t> self_seen;  // node -> column
    std::vector<std::string> known = index.names;
    known.insert(known.end(), {"unit", "group"});
    std::map<std::string, std::size_t> seen;

    for (std::size_t c = 0; c < header.cells.size(); ++c) {
        const std::string name = trim(header.cells[c].value());
        const Span at{header.cells[c].pos, 1};
        if (name.empty()) {
            diags.error(path, at, fmt::format("column {} has no name", c + 1));
            continue;
        }
        if (auto [it, fresh] = seen.emplace(name, c); !fresh) {
            diags.error(path, at, fmt::format("column '{}' appears twice (first as column {})", name, it->second + 1));
            continue;
        }
        if (name == "unit" || name == "单位") {
            if (layout.unit_column) diags.error(path, at, "two unit columns (`unit` and `单位`)");
            layout.unit_column = c;
            continue;
        }
        if (name == "group" || name == "组别") {
            if (layout.group_column) diags.error(path, at, "two group columns (`group` and `组别`)");
            layout.group_column = c;
            continue;
        }
        if (const auto self_path = self_column_path(name)) {
            const auto node = targets.find(*self_path, path, at, diags);
            if (!node) continue;
            if (auto [it, fresh] = self_seen.emplace(*node, c); !fresh) {
                diags.error(path, at, fmt::format("two columns give the self-assessed score of {} (first column {})",
                                                  *self_path, it->second + 1));
                continue;
            }
            layout.self_columns.push_back(SelfColumn{*node, c, *self_path});
            continue;
        }
        std::string list_name, field_name;
        std::uint32_t record = 0;
        if (split_list_column(name, list_name, record, field_name)) {
            const auto slot = index.find(list_name);
            if (!slot || program.evidence[*slot].type != bc::FieldType::list) {
                diags.error(path, at, fmt::format("'{}' is not a list of the scheme's evidence", list_name),
                            did_you_mean(list_name, index.names));
                continue;
            }
            const auto& fields = program.evidence[*slot].fields;
            std::vector<std::string> field_names;
            for (const auto& f : fields) field_names.push_back(f.name);
            const auto it = std::find(field_names.begin(), field_names.end(), field_name);
            if (it == field_names.end()) {
                diags.error(path, at,
                            fmt::format("unknown field '{}' of '{}' (its fields: {})", field_name, list_name,
                                        join(field_names, ", ")),
                            did_you_mean(field_name, field_names));
                continue;
            }
            if (record < 1 || record > max_csv_list_records) {
                diags.error(path, at, fmt::format("record number {} is outside 1..{}", record, max_csv_list_records));
                continue;
            }
            layout.list_columns[*slot][record][static_cast<std::uint32_t>(it - field_names.begin())] = c;
            continue;
        }
        const auto slot = index.find(name);
        if (!slot && read_vote_column(program, index, name, c, at, layout, path, typer, diags)) continue;
        if (!slot) {
            diags.error(path, at, fmt::format("unknown evidence '{}' in the header", name), did_you_mean(name, known));
            continue;
        }
        if (program.evidence[*slot].type == bc::FieldType::votes) {
            diags.error(path, at,
                        fmt::format("'{}' is a tally; write its counts as columns {}", name,
                                    join(vote_column_names(program.evidence[*slot], typer), ", ")));
            continue;
        }
        if (program.evidence[*slot].type == bc::FieldType::list) {
            diags.error(path, at,
                        fmt::format("'{}' is a list; write its records as columns {}[1].FIELD, {}[2].FIELD, ...", name,
                                    name, name));
            continue;
        }
        layout.scalar_columns[*slot] = c;
    }

    const Span header_at{SourcePos{header.line, 1}, 1};
    if (!layout.unit_column) diags.error(path, header_at, "the header has no `unit` (单位) column");
    for (std::uint32_t s = 0; s < n; ++s) {
        const bc::FieldSpec& spec = program.evidence[s];
        const bool has_columns = spec.type == bc::FieldType::list    ? !layout.list_columns[s].empty()
                                 : spec.type == bc::FieldType::votes ? !layout.vote_columns[s].empty()
                                                                     : layout.scalar_columns[s].has_value();
        if (!has_columns && !spec.default_text) {
            diags.error(path, header_at, fmt::format("no column for evidence '{}' (the scheme declares no default): {}",
                                                     spec.name, spec.label));
            continue;
        }
        // Every record that has columns needs every field without a default.
        for (const auto& [record, fields] : layout.list_columns[s]) {
            for (std::uint32_t f = 0; f < spec.fields.size(); ++f) {
                if (fields.count(f) == 0 && !spec.fields[f].default_text)
                    diags.error(path, header_at,
                                fmt::format("no column {}[{}].{} (the field has no default)", spec.name, record,
                                            spec.fields[f].name));
            }
        }
        // A tally that has columns needs one for every value: a missing column is not 0 votes.
        if (spec.type == bc::FieldType::votes && has_columns) {
            const auto values = typer.choices(spec);
            for (std::uint32_t v = 0; v < values.size(); ++v)
                if (layout.vote_columns[s].count(v) == 0)
                    diags.error(path, header_at,
                                fmt::format("no column {}.{}: the tally '{}' needs a count for every value", spec.name,
                                            values[v], spec.name));
        }
        if (!has_columns) typer.type_default(spec);  // a malformed default is reported once, here
    }
    if (diags.error_count() != errors_before) return std::nullopt;
    return layout;
}

struct CsvRowTyper {
    const bc::Program& program;
    const std::string& path;
    Typer& typer;
    const SelfTargets& targets;
    Diagnostics& diags;

    static bool blank(const CsvCell& cell) { return trim(cell.value()).empty(); }

    // Types one cell; an empty cell takes the field's default, if it has one.
    std::optional<Value> type_cell(const bc::FieldSpec& spec, const CsvCell& cell, const std::string& name) {
        const std::string text = trim(cell.value());
        const Span at{cell.pos, 1};
        if (text.empty()) {
            if (auto v = typer.type_default(spec)) return v;
            if (!spec.default_text)
                diags.error(path, at,
                            spec.label.empty()
                                ? fmt::format("missing evidence '{}' (the scheme declares no default)", name)
                                : fmt::format("missing evidence '{}' (the scheme declares no default): {}", name,
                                              spec.label));
            return std::nullopt;
        }
        if (spec.type == bc::FieldType::text) return Value::of_text(text);  // a cell is text as it stands
        auto raw = parse_evidence_value(text, path, at, diags);
        if (!raw) return std::nullopt;
        return typer.type_value(spec, *raw, name, at);
    }

    std::optional<Value> type_list(const bc::FieldSpec& spec, const ListColumns& columns, const CsvRow& row) {
        List records;
        bool ok = true;
        for (const auto& [number, fields] : columns) {
            const bool present = std::any_of(fields.begin(), fields.end(),
                                             [&](const auto& fc) { return !blank(row.cells[fc.second]); });
            if (!present) continue;
            Record record(spec.fields.size());
            for (std::uint32_t f = 0; f < spec.fields.size(); ++f) {
                const std::string name = fmt::format("{}[{}].{}", spec.name, number, spec.fields[f].name);
                const auto column = fields.find(f);
                std::optional<Value> v = column == fields.end() ? typer.type_default(spec.fields[f])
                                                                : type_cell(spec.fields[f], row.cells[column->second], name);
                if (v) record[f] = std::move(*v);
                else ok = false;
            }
            records.push_back(std::move(record));
        }
        if (!ok) return std::nullopt;
        return Value::of_list(std::move(records));
    }

    // A tally from its columns; every count must be written (an empty cell is not 0 votes).
    std::optional<Value> type_tally(const bc::FieldSpec& spec, const VoteColumns& columns, const CsvRow& row) {
        const auto values = typer.choices(spec);
        Record counts(values.size());
        bool ok = true;
        for (const auto& [value, column] : columns) {
            const std::string name = fmt::format("{}.{}", spec.name, values[value]);
            const CsvCell& cell = row.cells[column];
            const Span at{cell.pos, 1};
            const std::string text = trim(cell.value());
            std::optional<Decimal> count;
            if (text.empty()) {
                diags.error(path, at, fmt::format("missing count '{}': every value of a tally needs one, 0 included",
                                                  name));
            } else if (auto raw = parse_evidence_value(text, path, at, diags)) {
                count = typer.type_vote_count(*raw, name, at);
            }
            if (count) counts[value] = Value::of_number(std::move(*count));
            else ok = false;
        }
        if (!ok) return std::nullopt;
        return Typer::tally_of(std::move(counts));
    }

    // `self 1.2` columns: an empty cell means the unit gave no self-assessed score there.
    void type_self_scores(const CsvLayout& layout, const CsvRow& row, UnitEvidence& unit) {
        unit.self_scores.resize(targets.node_count());
        unit.self_origins.resize(targets.node_count());
        for (const SelfColumn& column : layout.self_columns) {
            const CsvCell& cell = row.cells[column.column];
            const std::string text = trim(cell.value());
            if (text.empty()) continue;
            const Span at{cell.pos, 1};
            unit.self_origins[column.node] = FactOrigin{path, row.line, {}};
            if (auto raw = parse_evidence_value(text, path, at, diags))
                unit.self_scores[column.node] = targets.type_score(column.node, *raw, column.path, path, at, diags);
        }
    }

    std::optional<UnitEvidence> type_row(const CsvLayout& layout, const CsvRow& row) {
        const std::size_t errors_before = diags.error_count();
        UnitEvidence unit;
        unit.file = path;
        const CsvCell& name_cell = row.cells[*layout.unit_column];
        unit.name = trim(name_cell.value());
        if (unit.name.empty()) diags.error(path, Span{name_cell.pos, 1}, "empty unit name");
        if (layout.group_column) {
            const CsvCell& group_cell = row.cells[*layout.group_column];
            unit.group = trim(group_cell.value());
            check_group(program, unit.group, path, Span{group_cell.pos, 1}, diags);
        }
        const std::size_t n = program.evidence.size();
        std::vector<std::optional<Value>> values(n);
        for (std::uint32_t s = 0; s < n; ++s) {
            const bc::FieldSpec& spec = program.evidence[s];
            const bool has_part_columns = !layout.list_columns[s].empty() || !layout.vote_columns[s].empty();
            if (spec.type == bc::FieldType::list && has_part_columns)
                values[s] = type_list(spec, layout.list_columns[s], row);
            else if (spec.type == bc::FieldType::votes && has_part_columns)
                values[s] = type_tally(spec, layout.vote_columns[s], row);
            else if (layout.scalar_columns[s])
                values[s] = type_cell(spec, row.cells[*layout.scalar_columns[s]], spec.name);
            else
                values[s] = typer.type_default(spec);
            const bool from_default = !layout.scalar_columns[s] && !has_part_columns;
            unit.origins.push_back(FactOrigin{path, from_default ? 0 : row.line, {}});
        }
        type_self_scores(layout, row, unit);
        if (diags.error_count() != errors_before) return std::nullopt;
        for (auto& v : values) unit.values.push_back(std::move(*v));
        return unit;
    }
};

bool load_csv_text(const bc::Program& program, const std::string& path, std::string_view bytes,
                   TextEncoding encoding, EvidenceSet& out, std::vector<UnitPlace>& places, Diagnostics& diags) {
    const std::size_t errors_before = diags.error_count();
    std::string transcoded;
    const auto text = table_text(bytes, encoding, path, transcoded, diags);
    if (!text) return false;
    if (text->data() != bytes.data()) out.inputs.back().encoding = TextEncoding::gbk;  // transcoded: GBK
    CsvTable table;
    read_csv(*text, path, table, diags);
    if (table.rows.empty()) {
        if (diags.error_count() == errors_before) diags.error(path, Span{}, "the table is empty: expected a header row");
        return false;
    }
    Typer typer(program, path, diags);
    const auto layout = read_header(program, table.rows.front(), path, typer, diags);
    if (!layout) return false;
    const SelfTargets targets(program);
    CsvRowTyper rows{program, path, typer, targets, diags};
    for (std::size_t r = 1; r < table.rows.size(); ++r) {
        if (out.units.size() >= max_units_per_run) {
            diags.error(path, Span{SourcePos{table.rows[r].line, 1}, 1},
                        fmt::format("more than {} units in one run", max_units_per_run));
            return false;
        }
        if (auto unit = rows.type_row(*layout, table.rows[r])) {
            places.push_back(UnitPlace{path, table.rows[r].line});
            out.units.push_back(std::move(*unit));
        }
    }
    return diags.error_count() == errors_before;
}

bool load_one(const bc::Program& program, const std::string& path, bool csv, TextEncoding encoding, EvidenceSet& out,
              std::vector<UnitPlace>& places, Diagnostics& diags) {
    const auto text = read_input(path, csv ? max_evidence_csv_bytes : max_evidence_text_bytes, out, diags);
    if (!text) return false;
    return csv ? load_csv_text(program, path, *text, encoding, out, places, diags)
               : load_text(program, path, *text, out, places, diags);
}

// Every *.txt directly in `dir`, sorted by file name (byte order, so the same on every machine).
std::optional<std::vector<std::string>> evidence_files_in(const std::string& dir, Diagnostics& diags) {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() == ".txt" && it->is_regular_file(ec)) names.push_back(p.filename().string());
    }
    if (ec) {
        diags.error(dir, Span{}, fmt::format("cannot read directory: {}", ec.message()));
        return std::nullopt;
    }
    if (names.empty()) {
        diags.error(dir, Span{}, "no evidence files (*.txt) in this directory");
        return std::nullopt;
    }
    std::sort(names.begin(), names.end());
    std::vector<std::string> paths;
    for (const auto& name : names) paths.push_back((fs::path(dir) / name).string());
    return paths;
}

// Reports each unit name seen before (both places named) and keeps only its first occurrence.
void drop_duplicate_units(EvidenceSet& set, std::vector<UnitPlace>& places, Diagnostics& diags) {
    std::unordered_map<std::string, std::size_t> first;
    std::vector<UnitEvidence> kept;
    for (std::size_t i = 0; i < set.units.size(); ++i) {
        auto [it, fresh] = first.emplace(set.units[i].name, i);
        if (fresh) {
            kept.push_back(std::move(set.units[i]));
            continue;
        }
        const UnitPlace& a = places[it->second];
        const UnitPlace& b = places[i];
        diags.error(b.file, Span{SourcePos{b.line, 1}, 1},
                    fmt::format("duplicate unit '{}' (also at {}:{})", set.units[i].name, a.file, a.line));
        diags.note(a.file, Span{SourcePos{a.line, 1}, 1}, fmt::format("unit '{}' first given here", set.units[i].name));
    }
    set.units = std::move(kept);
}

}  // namespace

bool load_evidence_file(const bc::Program& program, const std::string& path, EvidenceSet& out, Diagnostics& diags) {
    std::vector<UnitPlace> places;
    return load_one(program, path, false, TextEncoding::utf8, out, places, diags);
}

bool load_evidence_csv(const bc::Program& program, const std::string& path, EvidenceSet& out, Diagnostics& diags,
                       TextEncoding encoding) {
    std::vector<UnitPlace> places;
    return load_one(program, path, true, encoding, out, places, diags);
}

bool is_csv_path(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".csv";
}

bool load_evidence(const bc::Program& program, const std::vector<std::string>& paths, EvidenceSet& out,
                   Diagnostics& diags, TextEncoding csv_encoding) {
    const std::size_t errors_before = diags.error_count();
    std::vector<UnitPlace> places(out.units.size());  // units already in `out` came from elsewhere
    for (const std::string& path : paths) {
        std::error_code ec;
        std::vector<std::string> files{path};
        if (fs::is_directory(path, ec)) {
            auto listed = evidence_files_in(path, diags);
            if (!listed) continue;
            files = std::move(*listed);
        }
        for (const std::string& file : files) {
            load_one(program, file, is_csv_path(file), csv_encoding, out, places, diags);
            if (out.units.size() > max_units_per_run) {
                diags.error(file, Span{}, fmt::format("more than {} units in one run", max_units_per_run));
                return false;
            }
        }
    }
    drop_duplicate_units(out, places, diags);
    return diags.error_count() == errors_before;
}

// ---- streaming ------------------------------------------------------------------------------

namespace {

// How a slot's cell is typed on the fast path; anything the fast path does not accept (and
// every error) goes the ordinary way, so values and messages are the loader's own.
enum class FastKind : std::uint8_t { yes_no, number, choice, list, tally, other, by_default };

// Inline, and one test for the common cell with nothing to trim: it runs for every cell.
[[gnu::always_inline]] inline std::string_view trim_view(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t'; };
    if (s.empty() || (!space(s.front()) && !space(s.back()))) return s;
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// Most digits the fast path reads: far below the parser's limit, so it never decides a limit.
constexpr std::size_t max_fast_digits = 18;

// `-?digits(.digits)?%?` as the evidence grammar's number_value has it, of at most
// max_fast_digits digits, read in one pass into mantissa / 10^places; false for anything else.
bool scan_number(std::string_view text, std::int64_t& mantissa, unsigned& places, bool& percent) {
    percent = !text.empty() && text.back() == '%';
    if (percent) text.remove_suffix(1);
    const bool negative = text.starts_with('-');
    std::size_t i = negative ? 1 : 0;
    std::uint64_t m = 0;
    std::size_t digits = 0;
    const auto digit_run = [&] {
        const std::size_t begin = i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) m = m * 10 + static_cast<unsigned>(text[i] - '0');
        digits += i - begin;
        return i - begin;
    };
    // Up to 18 digits: m < 10^18 never overflows, and the check below comes before any use.
    if (text.size() - i > max_fast_digits + 1) return false;
    if (digit_run() == 0) return false;
    places = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        places = static_cast<unsigned>(digit_run());
        if (places == 0) return false;
    }
    if (i != text.size() || digits > max_fast_digits) return false;
    mantissa = negative ? -static_cast<std::int64_t>(m) : static_cast<std::int64_t>(m);
    return true;
}

void set_number(Value& v, const Decimal& d) {
    v.tag = Value::Tag::number;
    v.number = d;
    if (v.text) v.text.reset();  // tested first: reset() on an empty pointer still swaps
    if (v.list) v.list.reset();
}

}  // namespace

// A list's columns as the fast path walks them: for each record the header has columns for (in
// record-number order), the column of each of the list's fields, or no_column.
struct ListPlan {
    static constexpr std::size_t no_column = static_cast<std::size_t>(-1);
    std::vector<std::vector<std::size_t>> records;

    ListPlan(const bc::FieldSpec& spec, const ListColumns& columns) {
        for (const auto& [number, fields] : columns) {
            auto& record = records.emplace_back(spec.fields.size(), no_column);
            for (const auto& [field, column] : fields) record[field] = column;
        }
    }
};

struct CsvUnitTyper::Impl {
    const bc::Program& program;
    std::string path;
    std::shared_ptr<const CsvLayout> layout;
    // Per slot, how its cell is typed and, for a scalar, which column holds it: the row loop
    // reads one small entry a slot.
    struct SlotPlan {
        FastKind kind = FastKind::other;
        std::uint32_t column = 0;
    };
    std::vector<SlotPlan> slots;
    std::vector<std::optional<Value>> defaults; // per slot: the typed `default`, typed once
    std::vector<ListPlan> list_plans;           // per slot (empty but for lists with columns)
    // Per slot, a tally's column for each value of its choice type (fast path: every value has a
    // column; otherwise the slot is FastKind::other).
    std::vector<std::vector<std::size_t>> tally_columns;
    // Per slot, the list or tally storage this typer made for the previous row: reused for the
    // next when nothing else holds it any more (see reusable_list), so a row of numbers and
    // choices allocates nothing for its lists either. Records beyond a shorter row's count wait
    // in the slot's spare_records, storage kept.
    std::vector<std::shared_ptr<List>> own_lists;
    std::vector<std::vector<Record>> spare_records;
    SelfTargets targets;

    Impl(const bc::Program& p, std::string file, std::shared_ptr<const CsvLayout> l)
        : program(p), path(std::move(file)), layout(std::move(l)), targets(p) {
        Diagnostics ignored;  // a malformed default was reported when the header was read
        Typer typer(program, path, ignored);
        const std::size_t n = program.evidence.size();
        slots.resize(n);
        defaults.resize(n);
        list_plans.reserve(n);
        tally_columns.resize(n);
        own_lists.resize(n);
        spare_records.resize(n);
        for (std::uint32_t s = 0; s < n; ++s) {
            const bc::FieldSpec& spec = program.evidence[s];
            defaults[s] = typer.type_default(spec);
            list_plans.emplace_back(spec, layout->list_columns[s]);
            const bool parts = !layout->list_columns[s].empty() || !layout->vote_columns[s].empty();
            if (spec.type == bc::FieldType::list && parts) slots[s].kind = FastKind::list;
            else if (spec.type == bc::FieldType::votes && parts && every_value_has_column(spec, s, typer))
                slots[s].kind = FastKind::tally;
            else if (parts) slots[s].kind = FastKind::other;
            else if (!layout->scalar_columns[s]) slots[s].kind = FastKind::by_default;
            else if (spec.type == bc::FieldType::yes_no) slots[s].kind = FastKind::yes_no;
            else if (spec.type == bc::FieldType::count || spec.type == bc::FieldType::decimal) slots[s].kind = FastKind::number;
            else if (spec.type == bc::FieldType::choice && spec.choice_type < program.choice_types.size())
                slots[s].kind = FastKind::choice;
            if (layout->scalar_columns[s]) slots[s].column = static_cast<std::uint32_t>(*layout->scalar_columns[s]);
        }
    }

    // A tally whose header has a column for every value of its choice type is typed on the fast
    // path, its counts in the choice type's order; `tally_columns[s]` is then set.
    bool every_value_has_column(const bc::FieldSpec& spec, std::uint32_t s, const Typer& typer) {
        const std::size_t values = typer.choices(spec).size();
        const VoteColumns& columns = layout->vote_columns[s];
        if (values == 0 || columns.size() != values) return false;
        for (const auto& [value, column] : columns) {
            if (value >= values) return false;
            tally_columns[s].resize(values);
            tally_columns[s][value] = column;
        }
        return true;
    }

    // The fast path for one scalar cell of slot `s`, typed as `kind`; false when the cell must be
    // typed the ordinary way.
    bool fast_cell(std::uint32_t s, FastKind kind, std::string_view text, Value& v) const {
        if (text.empty()) {
            if (!defaults[s]) return false;
            v = *defaults[s];
            return true;
        }
        return fast_value(program.evidence[s], kind, text, v);
    }

    static FastKind kind_of(const bc::FieldSpec& spec) {
        switch (spec.type) {
        case bc::FieldType::yes_no: return FastKind::yes_no;
        case bc::FieldType::count:
        case bc::FieldType::decimal: return FastKind::number;
        case bc::FieldType::choice: return FastKind::choice;
        default: return FastKind::other;
        }
    }

    // A non-empty cell of a field of kind `kind`.
    bool fast_value(const bc::FieldSpec& spec, FastKind kind, std::string_view text, Value& v) const {
        switch (kind) {
        case FastKind::yes_no: {
            const auto yes = yes_no_word(text);
            if (!yes) return false;
            v.tag = Value::Tag::yes_no;
            v.yes = *yes;
            return true;
        }
        case FastKind::choice: {
            if (spec.choice_type >= program.choice_types.size()) return false;
            const auto& values = program.choice_types[spec.choice_type].values;
            for (std::size_t c = 0; c < values.size(); ++c)  // the length first: most differ in it
                if (values[c].size() == text.size() && same_bytes(values[c].data(), text.data(), text.size())) {
                    v.tag = Value::Tag::choice;
                    v.choice = static_cast<std::uint32_t>(c);
                    return true;
                }
            return false;
        }
        case FastKind::number: return fast_number(spec, text, v);
        default: return false;
        }
    }

    // The checks of Typer::type_number, on the fast path: any failure goes the ordinary way.
    static bool fast_number(const bc::FieldSpec& spec, std::string_view text, Value& v) {
        std::int64_t mantissa = 0;
        unsigned places = 0;
        bool percent = false;
        if (!scan_number(text, mantissa, places, percent)) return false;
        if (spec.unit == bc::Unit::percent && spec.type != bc::FieldType::count) places += 2;  // 85% = 85 = 0.85
        if (places > Decimal::max_round_places) return false;
        const Decimal d = places == 0 ? Decimal(mantissa) : Decimal::from_scaled(mantissa, places);
        if (spec.type == bc::FieldType::count) {
            if (percent || !d.is_integer() || d.is_negative()) return false;
        } else if (spec.unit != bc::Unit::percent && percent) {
            return false;
        }
        if ((spec.lo && d < *spec.lo) || (spec.hi && d > *spec.hi)) return false;
        if (spec.step && !spec.step->is_zero() && !(d - spec.lo.value_or(Decimal())).is_multiple_of(*spec.step))
            return false;
        set_number(v, d);
        return true;
    }

    // The list storage of slot `s` for this row, with `count` records: the previous row's when
    // only this typer and `v` (the previous row's value) still hold it. The VM keeps no reference
    // to a list once a unit is scored (its loops read through plain pointers), so after the
    // first row this allocates nothing; anything else still holding it gets a fresh list.
    List& reusable_list(std::uint32_t s, const Value& v, std::size_t count) {
        auto& own = own_lists[s];
        if (!own || v.list.get() != own.get() || own.use_count() != 2) own = std::make_shared<List>();
        List& list = *own;
        auto& spare = spare_records[s];
        while (list.size() > count) {
            spare.push_back(std::move(list.back()));
            list.pop_back();
        }
        while (list.size() < count) {
            if (spare.empty()) {
                list.emplace_back();
            } else {
                list.push_back(std::move(spare.back()));
                spare.pop_back();
            }
        }
        return list;
    }

    void set_own_list(std::uint32_t s, Value& v, Value::Tag tag) {
        v.tag = tag;
        if (v.list.get() != own_lists[s].get()) v.list = own_lists[s];
        v.text.reset();
    }

    // A list's records on the fast path (CsvRowTyper::type_list's rules: a record is present when
    // any of its cells is non-empty; its empty cells take the field's default), into `v`. False
    // when any cell must be typed the ordinary way (`v` is then to be replaced).
    bool fast_list(std::uint32_t s, const CsvRow& row, Value& v) {
        const bc::FieldSpec& spec = program.evidence[s];
        const auto& plan = list_plans[s].records;
        const auto present = [&](const std::vector<std::size_t>& columns) {
            for (const std::size_t column : columns)
                if (column != ListPlan::no_column && !trim_view(row.cells[column].value()).empty()) return true;
            return false;
        };
        std::size_t count = 0;
        for (const auto& columns : plan) count += present(columns);
        List& records = reusable_list(s, v, count);
        std::size_t r = 0;
        for (const auto& columns : plan) {
            if (!present(columns)) continue;
            Record& record = records[r++];
            record.resize(spec.fields.size());
            for (std::uint32_t f = 0; f < spec.fields.size(); ++f) {
                const bc::FieldSpec& field = spec.fields[f];
                const std::string_view text =
                    columns[f] == ListPlan::no_column ? std::string_view() : trim_view(row.cells[columns[f]].value());
                if (text.empty()) return false;  // defaults and missing fields: the ordinary way
                if (field.type == bc::FieldType::text) record[f] = Value::of_text(std::string(text));
                else if (!fast_value(field, kind_of(field), text, record[f])) return false;
            }
        }
        set_own_list(s, v, Value::Tag::list);
        return true;
    }

    // A tally's counts on the fast path (CsvRowTyper::type_tally's rules: every count written, a
    // whole number of votes), into `v`; false when any must be typed the ordinary way.
    bool fast_tally(std::uint32_t s, const CsvRow& row, Value& v) {
        const auto& columns = tally_columns[s];
        Record& counts = reusable_list(s, v, 1).front();
        counts.resize(columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const std::string_view text = trim_view(row.cells[columns[c]].value());
            if (text.empty() || !fast_number(Typer::vote_count_spec(), text, counts[c])) return false;
        }
        set_own_list(s, v, Value::Tag::votes);
        return true;
    }

    bool type_row(const CsvRow& row, UnitEvidence& unit, Diagnostics& diags) {
        const std::size_t errors_before = diags.error_count();
        const CsvLayout& l = *layout;
        const std::size_t n = program.evidence.size();
        // Every row this typer types names `path` in the unit and in each origin: when the unit
        // already does (it was this file's previous row), the origins do too.
        const bool same_file = unit.file == path && unit.origins.size() == n;
        if (!same_file) unit.file = path;
        const CsvCell& name_cell = row.cells[*l.unit_column];
        unit.name.assign(trim_view(name_cell.value()));
        if (unit.name.empty()) diags.error(path, Span{name_cell.pos, 1}, "empty unit name");
        unit.group.clear();
        if (l.group_column) {
            const CsvCell& group_cell = row.cells[*l.group_column];
            unit.group.assign(trim_view(group_cell.value()));
            check_group(program, unit.group, path, Span{group_cell.pos, 1}, diags);
        }
        unit.values.resize(n);
        unit.origins.resize(n);
        std::optional<Typer> typer;  // the ordinary way, made only when needed
        const auto slow = [&]() -> CsvRowTyper {
            if (!typer) typer.emplace(program, path, diags);
            return CsvRowTyper{program, path, *typer, targets, diags};
        };
        for (std::uint32_t s = 0; s < n; ++s) {
            Value& v = unit.values[s];
            FactOrigin& origin = unit.origins[s];
            if (!same_file) origin.file = path;
            const SlotPlan plan = slots[s];
            origin.line = plan.kind == FastKind::by_default ? 0 : row.line;
            // The ordinary way's value, when it gives one (else it has reported why, and the
            // row fails on the error count below).
            const auto take = [&v](std::optional<Value> typed) {
                if (typed) v = std::move(*typed);
            };
            switch (plan.kind) {
            case FastKind::by_default:
                if (defaults[s]) v = *defaults[s];
                else take(slow().typer.type_default(program.evidence[s]));
                break;
            case FastKind::list:
                if (!fast_list(s, row, v)) take(slow().type_list(program.evidence[s], l.list_columns[s], row));
                break;
            case FastKind::tally:
                if (!fast_tally(s, row, v)) take(slow().type_tally(program.evidence[s], l.vote_columns[s], row));
                break;
            case FastKind::other:
                if (!l.list_columns[s].empty() || !l.vote_columns[s].empty())
                    take(program.evidence[s].type == bc::FieldType::list
                             ? slow().type_list(program.evidence[s], l.list_columns[s], row)
                             : slow().type_tally(program.evidence[s], l.vote_columns[s], row));
                else
                    take(slow().type_cell(program.evidence[s], row.cells[*l.scalar_columns[s]],
                                          program.evidence[s].name));
                break;
            default: {
                const CsvCell& cell = row.cells[plan.column];
                if (!fast_cell(s, plan.kind, trim_view(cell.value()), v))
                    take(slow().type_cell(program.evidence[s], cell, program.evidence[s].name));
                break;
            }
            }
        }
        if (l.self_columns.empty()) {
            unit.self_scores.resize(targets.node_count());
            unit.self_origins.resize(targets.node_count());
        } else {
            unit.self_scores.assign(targets.node_count(), std::nullopt);
            unit.self_origins.assign(targets.node_count(), FactOrigin{});
            slow().type_self_scores(l, row, unit);
        }
        return diags.error_count() == errors_before;
    }
};

CsvUnitTyper::CsvUnitTyper(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvUnitTyper::~CsvUnitTyper() = default;

std::unique_ptr<CsvUnitTyper> CsvUnitTyper::from_header(const bc::Program& program, const std::string& path,
                                                        const CsvRow& header, Diagnostics& diags) {
    Typer typer(program, path, diags);
    auto layout = read_header(program, header, path, typer, diags);
    if (!layout) return nullptr;
    auto shared = std::make_shared<const CsvLayout>(std::move(*layout));
    return std::unique_ptr<CsvUnitTyper>(new CsvUnitTyper(std::make_unique<Impl>(program, path, std::move(shared))));
}

std::unique_ptr<CsvUnitTyper> CsvUnitTyper::clone() const {
    return std::unique_ptr<CsvUnitTyper>(
        new CsvUnitTyper(std::make_unique<Impl>(impl_->program, impl_->path, impl_->layout)));
}

bool CsvUnitTyper::type_row(const CsvRow& row, UnitEvidence& unit, Diagnostics& diags) {
    return impl_->type_row(row, unit, diags);
}

std::size_t CsvUnitTyper::unit_column() const { return *impl_->layout->unit_column; }

}  // namespace kaohe
