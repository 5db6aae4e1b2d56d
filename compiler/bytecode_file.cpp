// The .khc file: header (magic, version, length, checksum) and a tagged little-endian payload.
// docs/bytecode.md describes the layout byte by byte; this file is its only implementation.
//
// The reader is written for hostile input: every read is bounds-checked, every count is bounded
// by the bytes that remain before anything is allocated for it, and the first problem stops the
// decoding with the byte offset where it was found. Nothing here throws on bad input.
#include "compiler/bytecode_file.hpp"

#include "runtime/sha256.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <type_traits>

namespace kaohe {
namespace {

using namespace bc;

// ---- the header -------------------------------------------------------------------------

constexpr std::string_view magic{"KAOHE\x1a" "BC", 8};
constexpr std::size_t header_bytes = 8 + 2 + 2 + 4 + 32;  // magic, version, reserved, length, checksum
constexpr std::size_t version_offset = 8;
constexpr std::size_t reserved_offset = 10;
constexpr std::size_t length_offset = 12;
constexpr std::size_t checksum_offset = 16;

// ---- payload limits, each with its reason -------------------------------------------------

// Record fields nest as lists of lists; the verifier never lets a loop nest deeper than
// max_loop_depth, so a schema nested deeper could not be read anyway. Bounding it here keeps
// the recursive decoder's stack small on hostile input.
constexpr unsigned max_field_nesting = 32;
// A Decimal is written as "num/den". Constants can be products of literals, so they may be far
// longer than one literal; Decimal::parse_fraction accepts up to 100 * max_parse_digits digits
// on each side, and a longer text is malformed before we spend time parsing it.
constexpr std::size_t max_decimal_text = 2 * (100 * Decimal::max_parse_digits + 1) + 1;

// Each section of the payload starts with its tag, so a misaligned decoder stops at the next
// section with a clear message rather than reading garbage as counts.
enum class Section : std::uint8_t {
    info = 1, choice_types, evidence, constants, tables, nodes, rules, code, lines,
    // format version 2
    population_inputs, aggregates, grading, money, forfeits,
    // flags and the stages of population inputs and aggregates (issue 3, flags)
    flags
};

const char* section_name(Section s) {
    switch (s) {
    case Section::info: return "scheme info";
    case Section::choice_types: return "choice types";
    case Section::evidence: return "evidence";
    case Section::constants: return "constants";
    case Section::tables: return "tables";
    case Section::nodes: return "nodes";
    case Section::rules: return "rules";
    case Section::code: return "code";
    case Section::lines: return "lines";
    case Section::population_inputs: return "population inputs";
    case Section::aggregates: return "aggregates";
    case Section::grading: return "grading";
    case Section::money: return "money";
    case Section::forfeits: return "forfeits";
    case Section::flags: return "flags";
    }
    return "?";
}

// One past the largest value of each enum stored as a byte: the reader rejects anything else.
template <typename E>
constexpr std::uint8_t enum_end();
template <> constexpr std::uint8_t enum_end<Unit>() { return static_cast<std::uint8_t>(Unit::percent) + 1; }
template <> constexpr std::uint8_t enum_end<FieldType>() { return static_cast<std::uint8_t>(FieldType::votes) + 1; }
template <> constexpr std::uint8_t enum_end<NodeKind>() { return static_cast<std::uint8_t>(NodeKind::clause) + 1; }
template <> constexpr std::uint8_t enum_end<RuleKind>() { return static_cast<std::uint8_t>(RuleKind::score) + 1; }
template <> constexpr std::uint8_t enum_end<AggregateKind>() { return static_cast<std::uint8_t>(AggregateKind::top) + 1; }
template <> constexpr std::uint8_t enum_end<Scope>() { return static_cast<std::uint8_t>(Scope::group) + 1; }
template <> constexpr std::uint8_t enum_end<Rounding>() { return static_cast<std::uint8_t>(Rounding::up) + 1; }

// ---- writing ----------------------------------------------------------------------------

class PayloadWriter {
public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u16(std::uint16_t v) { for (int i = 0; i < 2; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i))); }
    void u32(std::uint32_t v) { for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i))); }
    void flag(bool b) { u8(b ? 1 : 0); }
    void count(std::size_t n) { u32(static_cast<std::uint32_t>(n)); }
    void text(std::string_view s) { count(s.size()); out_.append(s); }
    void decimal(const Decimal& d) { text(d.to_fraction_string()); }
    template <typename E> void enumeration(E e) { u8(static_cast<std::uint8_t>(e)); }
    void section(Section s) { enumeration(s); }

    void optional_decimal(const std::optional<Decimal>& d) {
        flag(d.has_value());
        if (d) decimal(*d);
    }
    void optional_text(const std::optional<std::string>& s) {
        flag(s.has_value());
        if (s) text(*s);
    }

    void info(const SchemeInfo& i) {
        text(i.title); text(i.issuer); text(i.document); text(i.assesses); text(i.year);
        count(i.groups.size());
        for (const auto& g : i.groups) text(g);
        flag(i.display_places.has_value());
        if (i.display_places) u32(*i.display_places);
        enumeration(i.display_mode);
        text(i.source_name);
        for (auto b : i.source_sha256) u8(b);
    }
    void choice_type(const ChoiceType& c) {
        text(c.name);
        count(c.values.size());
        for (const auto& v : c.values) text(v);
    }
    void field(const FieldSpec& f) {
        text(f.name); text(f.label);
        enumeration(f.type); enumeration(f.unit);
        text(f.measure);
        u32(f.choice_type);
        optional_decimal(f.lo); optional_decimal(f.hi); optional_decimal(f.step);
        optional_text(f.default_text);
        count(f.fields.size());
        for (const auto& sub : f.fields) field(sub);
        u32(f.line); u32(f.column);
    }
    void table(const Table& t) {
        text(t.name);
        u32(t.choice_type);
        enumeration(t.unit);
        count(t.values.size());
        for (const auto& v : t.values) decimal(v);
    }
    void node(const NodeInfo& n) {
        text(n.name); text(n.label); text(n.goal); text(n.text);
        enumeration(n.kind);
        u32(n.parent);
        flag(n.bonus); flag(n.extra); flag(n.computed);
        u8(n.phase);
        decimal(n.full); decimal(n.held);
        flag(n.has_children);
        u32(n.line); u32(n.column);
        text(n.parts_reason);
    }
    void rule(const RuleInfo& r) {
        u32(r.node);
        enumeration(r.kind);
        optional_decimal(r.cap);
        text(r.says); text(r.source_text);
        u32(r.line); u32(r.column);
    }
    void population_input(const PopulationInput& i) {
        text(i.source_text);
        u32(i.line);
        u8(i.stage);
    }
    void aggregate(const Aggregate& a) {
        enumeration(a.kind); enumeration(a.scope);
        flag(a.ascending);
        u32(a.value); u32(a.where);
        decimal(a.n);
        text(a.source_text);
        u32(a.line);
        u8(a.stage);
    }
    void grading(const Grading& g) {
        u32(g.choice_type); u32(g.node);
        enumeration(g.scope);
        count(g.bands.size());
        for (const auto& b : g.bands) {
            optional_decimal(b.at_least);
            optional_decimal(b.quota);
        }
        count(g.vetoes.size());
        for (const auto& v : g.vetoes) {
            u32(v.grade);
            text(v.says); text(v.source_text);
            u32(v.line);
        }
        u32(g.line);
    }
    void money(const Money& m) {
        text(m.name); text(m.says); text(m.source_text);
        u32(m.line);
    }
    void forfeit(const Forfeit& f) {
        u32(f.money);
        text(f.says); text(f.source_text);
        u32(f.line);
    }
    void flag_decl(const Flag& f) {
        text(f.name); text(f.says); text(f.source_text);
        u32(f.line);
    }

    void program(const Program& p) {
        section(Section::info);
        info(p.info);
        section(Section::choice_types);
        count(p.choice_types.size());
        for (const auto& c : p.choice_types) choice_type(c);
        section(Section::evidence);
        count(p.evidence.size());
        for (const auto& f : p.evidence) field(f);
        section(Section::constants);
        count(p.constants.size());
        for (const auto& c : p.constants) decimal(c);
        section(Section::tables);
        count(p.tables.size());
        for (const auto& t : p.tables) table(t);
        section(Section::nodes);
        count(p.nodes.size());
        for (const auto& n : p.nodes) node(n);
        section(Section::rules);
        count(p.rules.size());
        for (const auto& r : p.rules) rule(r);
        section(Section::population_inputs);
        count(p.population_inputs.size());
        for (const auto& i : p.population_inputs) population_input(i);
        section(Section::aggregates);
        count(p.aggregates.size());
        for (const auto& a : p.aggregates) aggregate(a);
        section(Section::grading);
        grading(p.grading);
        section(Section::money);
        count(p.money.size());
        for (const auto& m : p.money) money(m);
        section(Section::forfeits);
        count(p.forfeits.size());
        for (const auto& f : p.forfeits) forfeit(f);
        section(Section::flags);
        count(p.flags.size());
        for (const auto& f : p.flags) flag_decl(f);
        section(Section::code);
        count(p.code.size());
        for (auto w : p.code) u32(w);
        section(Section::lines);
        count(p.lines.size());
        for (auto l : p.lines) u32(l);
    }

    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// ---- reading ----------------------------------------------------------------------------

std::uint32_t load_u16(std::string_view bytes, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8;
}
std::uint32_t load_u32(std::string_view bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    return v;
}

// Decodes the payload. After the first failure every read returns a zero value and consumes
// nothing, and every loop stops: the caller checks failed() once at the end.
class PayloadReader {
public:
    explicit PayloadReader(std::string_view payload) : in_(payload) {}

    bool failed() const { return failed_; }
    std::size_t error_offset() const { return error_at_; }
    const std::string& error() const { return error_; }
    bool at_end() const { return pos_ == in_.size(); }
    std::size_t remaining() const { return in_.size() - pos_; }

    void fail(std::string what) { fail_at(pos_, std::move(what)); }
    void fail_at(std::size_t at, std::string what) {
        if (failed_) return;
        failed_ = true;
        error_at_ = at;
        error_ = std::move(what);
    }

    std::uint8_t u8(const char* what) {
        if (!need(1, what)) return 0;
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    std::uint32_t u32(const char* what) {
        if (!need(4, what)) return 0;
        auto v = load_u32(in_, pos_);
        pos_ += 4;
        return v;
    }
    bool flag(const char* what) {
        auto at = pos_;
        auto b = u8(what);
        if (b > 1) fail_at(at, fmt::format("{} flag is {}, expected 0 or 1", what, b));
        return b == 1;
    }
    // A count of items that each take at least `min_item_bytes` bytes: bounded by what is left,
    // so a hostile count never drives an allocation or a long loop.
    std::size_t count(const char* what, std::size_t min_item_bytes) {
        if (failed_) return 0;
        auto at = pos_;
        if (remaining() < 4) {
            fail(fmt::format("{} count needs 4 bytes, only {} remain", what, remaining()));
            return 0;
        }
        std::size_t n = u32(what);
        if (n > remaining() / min_item_bytes) {
            fail_at(at, fmt::format("{} count {} needs at least {} bytes, only {} remain", what, n,
                                    n * min_item_bytes, remaining()));
            return 0;
        }
        return n;
    }
    std::string text(const char* what) {
        auto n = count(what, 1);
        if (failed_) return {};
        std::string s(in_.substr(pos_, n));
        pos_ += n;
        return s;
    }
    Decimal decimal(const char* what) {
        auto at = pos_;
        auto n = count(what, 1);
        if (failed_) return {};
        if (n > max_decimal_text) {
            fail_at(at, fmt::format("{} is {} characters long, more than any number kaohe writes", what, n));
            return {};
        }
        auto s = in_.substr(pos_, n);
        pos_ += n;
        auto d = Decimal::parse_fraction(s);
        if (!d) {
            fail_at(at, fmt::format("{} '{}' is not a number", what, s));
            return {};
        }
        return *d;
    }
    template <typename E> E enumeration(const char* what) {
        auto at = pos_;
        auto v = u8(what);
        if (!failed_ && v >= enum_end<E>()) fail_at(at, fmt::format("{} {} is not one of the {} known values", what, v, enum_end<E>()));
        return failed_ ? E{} : static_cast<E>(v);
    }
    void section(Section expected) {
        auto at = pos_;
        auto tag = u8("section tag");
        if (!failed_ && tag != static_cast<std::uint8_t>(expected))
            fail_at(at, fmt::format("expected the {} section (tag {}), found tag {}", section_name(expected),
                                    static_cast<unsigned>(expected), tag));
    }

    std::optional<Decimal> optional_decimal(const char* what) {
        if (!flag(what)) return std::nullopt;
        return decimal(what);
    }
    std::optional<std::string> optional_text(const char* what) {
        if (!flag(what)) return std::nullopt;
        return text(what);
    }

    SchemeInfo info() {
        SchemeInfo i;
        i.title = text("title");
        i.issuer = text("issuer");
        i.document = text("document");
        i.assesses = text("assesses");
        i.year = text("year");
        auto groups = count("group", 4);
        for (std::size_t k = 0; k < groups && !failed_; ++k) i.groups.push_back(text("group name"));
        if (flag("display places")) i.display_places = u32("display places");
        i.display_mode = enumeration<Rounding>("display rounding mode");
        i.source_name = text("source name");
        for (auto& b : i.source_sha256) b = u8("source digest");
        return i;
    }
    ChoiceType choice_type() {
        ChoiceType c;
        c.name = text("choice type name");
        auto n = count("choice value", 4);
        for (std::size_t k = 0; k < n && !failed_; ++k) c.values.push_back(text("choice value"));
        return c;
    }
    FieldSpec field(unsigned nesting) {
        FieldSpec f;
        if (nesting > max_field_nesting) {
            fail(fmt::format("record fields nest deeper than {} levels", max_field_nesting));
            return f;
        }
        f.name = text("field name");
        f.label = text("field label");
        f.type = enumeration<FieldType>("field type");
        f.unit = enumeration<Unit>("field unit");
        f.measure = text("field measure");
        f.choice_type = u32("field choice type");
        f.lo = optional_decimal("field lower bound");
        f.hi = optional_decimal("field upper bound");
        f.step = optional_decimal("field step");
        f.default_text = optional_text("field default");
        auto n = count("record field", min_field_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) f.fields.push_back(field(nesting + 1));
        f.line = u32("field line");
        f.column = u32("field column");
        return f;
    }
    Table table() {
        Table t;
        t.name = text("table name");
        t.choice_type = u32("table choice type");
        t.unit = enumeration<Unit>("table unit");
        auto n = count("table value", 4);
        for (std::size_t k = 0; k < n && !failed_; ++k) t.values.push_back(decimal("table value"));
        return t;
    }
    NodeInfo node() {
        NodeInfo n;
        n.name = text("node name");
        n.label = text("node label");
        n.goal = text("node goal");
        n.text = text("node text");
        n.kind = enumeration<NodeKind>("node kind");
        n.parent = u32("node parent");
        n.bonus = flag("node bonus");
        n.extra = flag("node extra");
        n.computed = flag("node computed");
        n.phase = u8("node phase");  // the verifier checks it is 1 or 2
        n.full = decimal("node points");
        n.held = decimal("node held points");
        n.has_children = flag("node has-children");
        n.line = u32("node line");
        n.column = u32("node column");
        n.parts_reason = text("node parts reason");
        return n;
    }
    RuleInfo rule() {
        RuleInfo r;
        r.node = u32("rule node");
        r.kind = enumeration<RuleKind>("rule kind");
        r.cap = optional_decimal("rule cap");
        r.says = text("rule says");
        r.source_text = text("rule source text");
        r.line = u32("rule line");
        r.column = u32("rule column");
        return r;
    }
    PopulationInput population_input() {
        PopulationInput i;
        i.source_text = text("population input source text");
        i.line = u32("population input line");
        i.stage = u8("population input stage");  // the verifier checks it is 0 or 1
        return i;
    }
    Aggregate aggregate() {
        Aggregate a;
        a.kind = enumeration<AggregateKind>("aggregate kind");
        a.scope = enumeration<Scope>("aggregate scope");
        a.ascending = flag("aggregate ascending");
        a.value = u32("aggregate value input");
        a.where = u32("aggregate where input");
        a.n = decimal("aggregate count");
        a.source_text = text("aggregate source text");
        a.line = u32("aggregate line");
        a.stage = u8("aggregate stage");  // the verifier checks it is 0 or 1
        return a;
    }
    Grading grading() {
        Grading g;
        g.choice_type = u32("grading choice type");
        g.node = u32("grading node");
        g.scope = enumeration<Scope>("grading scope");
        auto n = count("grade band", min_band_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) {
            GradeBand b;
            b.at_least = optional_decimal("grade threshold");
            b.quota = optional_decimal("grade quota");
            g.bands.push_back(std::move(b));
        }
        n = count("veto", min_veto_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) {
            Veto v;
            v.grade = u32("veto grade");
            v.says = text("veto says");
            v.source_text = text("veto source text");
            v.line = u32("veto line");
            g.vetoes.push_back(std::move(v));
        }
        g.line = u32("grading line");
        return g;
    }
    Money money() {
        Money m;
        m.name = text("money name");
        m.says = text("money says");
        m.source_text = text("money source text");
        m.line = u32("money line");
        return m;
    }
    Forfeit forfeit() {
        Forfeit f;
        f.money = u32("forfeit money");
        f.says = text("forfeit says");
        f.source_text = text("forfeit source text");
        f.line = u32("forfeit line");
        return f;
    }
    Flag flag_decl() {
        Flag f;
        f.name = text("flag name");
        f.says = text("flag says");
        f.source_text = text("flag source text");
        f.line = u32("flag line");
        return f;
    }

    Program program() {
        Program p;
        section(Section::info);
        p.info = info();
        section(Section::choice_types);
        auto n = count("choice type", min_choice_type_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.choice_types.push_back(choice_type());
        section(Section::evidence);
        n = count("evidence slot", min_field_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.evidence.push_back(field(0));
        section(Section::constants);
        n = count("constant", 4);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.constants.push_back(decimal("constant"));
        section(Section::tables);
        n = count("table", min_table_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.tables.push_back(table());
        section(Section::nodes);
        n = count("node", min_node_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.nodes.push_back(node());
        section(Section::rules);
        n = count("rule", min_rule_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.rules.push_back(rule());
        section(Section::population_inputs);
        n = count("population input", min_population_input_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.population_inputs.push_back(population_input());
        section(Section::aggregates);
        n = count("aggregate", min_aggregate_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.aggregates.push_back(aggregate());
        section(Section::grading);
        p.grading = grading();
        section(Section::money);
        n = count("money", min_money_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.money.push_back(money());
        section(Section::forfeits);
        n = count("forfeit", min_forfeit_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.forfeits.push_back(forfeit());
        section(Section::flags);
        n = count("flag", min_flag_bytes);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.flags.push_back(flag_decl());
        section(Section::code);
        n = count("instruction", 4);
        if (!failed_) p.code.reserve(n);  // bounded by the bytes that remain
        for (std::size_t k = 0; k < n && !failed_; ++k) p.code.push_back(u32("instruction"));
        section(Section::lines);
        n = count("line", 4);
        if (!failed_) p.lines.reserve(n);
        for (std::size_t k = 0; k < n && !failed_; ++k) p.lines.push_back(u32("line"));
        if (!failed_ && !at_end()) fail(fmt::format("{} bytes after the end of the program", remaining()));
        return p;
    }

private:
    // The fewest bytes each kind of item can take (empty strings, absent optionals), so counts
    // are bounded tightly: a count that could not fit is rejected before the first item.
    static constexpr std::size_t min_choice_type_bytes = 4 + 4;
    static constexpr std::size_t min_field_bytes = 4 + 4 + 1 + 1 + 4 + 4 + 1 + 1 + 1 + 1 + 4 + 4 + 4;
    static constexpr std::size_t min_table_bytes = 4 + 4 + 1 + 4;
    static constexpr std::size_t min_node_bytes = 4 + 4 + 4 + 4 + 1 + 4 + 1 + 1 + 1 + 1 + 5 + 5 + 1 + 4 + 4;
    static constexpr std::size_t min_rule_bytes = 4 + 1 + 1 + 4 + 4 + 4 + 4;
    static constexpr std::size_t min_population_input_bytes = 4 + 4 + 1;
    static constexpr std::size_t min_aggregate_bytes = 1 + 1 + 1 + 4 + 4 + 5 + 4 + 4 + 1;
    static constexpr std::size_t min_band_bytes = 1 + 1;
    static constexpr std::size_t min_veto_bytes = 4 + 4 + 4 + 4;
    static constexpr std::size_t min_money_bytes = 4 + 4 + 4 + 4;
    static constexpr std::size_t min_forfeit_bytes = 4 + 4 + 4 + 4;
    static constexpr std::size_t min_flag_bytes = 4 + 4 + 4 + 4;

    bool need(std::size_t n, const char* what) {
        if (failed_) return false;
        if (remaining() < n) {
            fail(fmt::format("{} needs {} bytes, only {} remain", what, n, remaining()));
            return false;
        }
        return true;
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    bool failed_ = false;
    std::size_t error_at_ = 0;
    std::string error_;
};

// Checks the header the way Lua's checkHeader does: each field fails with its own message.
// Returns the payload when the header is sound.
std::optional<std::string_view> check_header(std::string_view bytes, const std::string& source_name,
                                             Diagnostics& diags) {
    auto error = [&](std::string message) {
        diags.error(source_name, Span{}, std::move(message));
        return std::nullopt;
    };
    auto magic_prefix = bytes.substr(0, magic.size());
    if (magic_prefix != magic.substr(0, magic_prefix.size())) return error("not a kaohe bytecode file (bad magic)");
    if (bytes.size() < header_bytes)
        return error(fmt::format("truncated bytecode file: the header needs {} bytes, file has {}", header_bytes,
                                 bytes.size()));
    if (auto version = load_u16(bytes, version_offset); version != format_version)
        return error(fmt::format("bytecode format version {}, this kaohe reads version {}: recompile the scheme",
                                 version, format_version));
    if (auto reserved = load_u16(bytes, reserved_offset); reserved != 0)
        return error(fmt::format("bytecode header reserved field is {}, expected 0: the file is corrupted", reserved));
    std::size_t length = load_u32(bytes, length_offset);
    auto actual = bytes.size() - header_bytes;
    if (length > max_khc_bytes)
        return error(fmt::format("bytecode file too large: header says {} payload bytes, the limit is {}", length,
                                 max_khc_bytes));
    if (actual < length)
        return error(fmt::format("truncated bytecode file: header says {} payload bytes, file has {}", length, actual));
    if (actual > length)
        return error(fmt::format("trailing bytes in bytecode file: header says {} payload bytes, file has {}", length,
                                 actual));
    auto payload = bytes.substr(header_bytes);
    auto digest = sha256(payload);
    if (std::memcmp(digest.data(), bytes.data() + checksum_offset, digest.size()) != 0)
        return error("bytecode checksum mismatch: the file is corrupted");
    return payload;
}

}  // namespace

std::string serialize(const bc::Program& program) {
    PayloadWriter writer;
    writer.program(program);
    auto payload = writer.take();
    auto digest = sha256(payload);

    std::string out;
    out.reserve(header_bytes + payload.size());
    out.append(magic);
    auto put = [&](std::uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i))));
    };
    put(format_version, 2);
    put(0, 2);  // reserved
    put(static_cast<std::uint32_t>(payload.size()), 4);
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    out.append(payload);
    return out;
}

std::optional<bc::Program> deserialize(std::string_view bytes, const std::string& source_name, Diagnostics& diags) {
    if (bytes.size() > header_bytes + max_khc_bytes) {
        diags.error(source_name, Span{},
                    fmt::format("bytecode file too large: {} bytes, the limit is {}", bytes.size(), max_khc_bytes));
        return std::nullopt;
    }
    auto payload = check_header(bytes, source_name, diags);
    if (!payload) return std::nullopt;
    PayloadReader reader(*payload);
    auto program = reader.program();
    if (reader.failed()) {
        diags.error(source_name, Span{},
                    fmt::format("malformed bytecode payload at byte {}: {}", reader.error_offset(), reader.error()));
        return std::nullopt;
    }
    return program;
}

}  // namespace kaohe
