// Decimal: the one number type for points, money, counts and percentages.
//
// Semantics: an exact rational. No operation rounds; 1/3 + 1/3 + 1/3 == 1 exactly.
// Rounding happens only through round(), which the scheme asks for explicitly.
//
// Representation: a reduced fraction num/den with den > 0.
//  - Small (the common case): num and den in int64_t. No heap allocation, ever.
//  - Big: a boost::multiprecision::cpp_rational behind a shared immutable pointer.
// Every small operation checks for overflow (__builtin_*_overflow) and, when it would
// overflow, redoes the operation in cpp_rational: it promotes, it never wraps.
// A big result that fits back into int64_t is demoted, so values return to the fast path.
//
// No binary floating point is used anywhere in this type, including parsing and printing.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kaohe {

enum class Rounding : std::uint8_t {
    half_up,    // 四舍五入: ties away from zero
    half_even,  // banker's rounding: ties to the even neighbour
    down,       // towards zero (truncate)
    up,         // away from zero
};

// Thrown by operator/ on a zero divisor. The VM turns it into a diagnostic naming the rule.
struct DivisionByZero : std::domain_error {
    DivisionByZero() : std::domain_error("division by zero") {}
};

class Decimal {
public:
    // Most digits accepted by parse(): a number with more is an input error, not a slow path.
    static constexpr std::size_t max_parse_digits = 1000;  // far beyond any real score or amount

    Decimal() = default;  // zero
    Decimal(std::int64_t whole) : num_(whole) {}  // NOLINT: integers convert implicitly

    // Exact parse of "-12.345", "0.2", "7", "85%" is NOT accepted here (percent is the caller's
    // business). Returns nullopt for anything that is not [-]digits[.digits]. Never uses double.
    static std::optional<Decimal> parse(std::string_view text);
    // num/den from decimal digit strings, as written by to_fraction_string(); den != 0.
    static std::optional<Decimal> parse_fraction(std::string_view text);

    Decimal operator-() const;
    friend Decimal operator+(const Decimal& a, const Decimal& b);
    friend Decimal operator-(const Decimal& a, const Decimal& b);
    friend Decimal operator*(const Decimal& a, const Decimal& b);
    friend Decimal operator/(const Decimal& a, const Decimal& b);  // throws DivisionByZero
    Decimal& operator+=(const Decimal& b) { return *this = *this + b; }
    Decimal& operator-=(const Decimal& b) { return *this = *this - b; }

    friend bool operator==(const Decimal& a, const Decimal& b);
    friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);

    bool is_zero() const;
    bool is_negative() const;
    bool is_integer() const;
    bool is_small() const { return !big_; }  // for tests and benchmarks: is it on the fast path?
    int sign() const;

    static Decimal min(const Decimal& a, const Decimal& b) { return b < a ? b : a; }
    static Decimal max(const Decimal& a, const Decimal& b) { return a < b ? b : a; }

    // Round to `places` digits after the point (0..max_round_places) with the given mode.
    static constexpr unsigned max_round_places = 18;
    Decimal round(unsigned places, Rounding mode) const;

    // True when the value is a terminating decimal with at most `places` digits after the point.
    bool fits_places(unsigned places) const;
    // Exact decimal text ("2.4", "-3", "0.125"), or nullopt when the value does not terminate
    // (1/3). Never rounds. No trailing zeros, no exponent.
    std::optional<std::string> to_exact_string() const;
    // Exactly `places` digits after the point ("2.40"); the value must fit_places(places).
    std::string to_fixed_string(unsigned places) const;
    // "num/den" (or "num" when den == 1), exact, for the bytecode file and for explanations.
    std::string to_fraction_string() const;
    // Best human form: the exact decimal when it terminates, else the fraction.
    std::string to_string() const;

private:
    struct Big;
    explicit Decimal(std::shared_ptr<const Big> big);
    static Decimal from_parts(std::int64_t num, std::int64_t den);  // reduces; den != 0
    static Decimal from_big(Big value);                             // demotes when it fits

    std::int64_t num_ = 0;
    std::int64_t den_ = 1;
    std::shared_ptr<const Big> big_;  // non-null only when the value does not fit the small form
};

}  // namespace kaohe
