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
#include <numeric>
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
    // Copies and moves as the defaults would, except that assigning small to small touches no
    // reference count (the VM assigns Decimals on every instruction).
    Decimal(const Decimal&) = default;
    Decimal(Decimal&&) noexcept = default;
    [[gnu::always_inline]] Decimal& operator=(const Decimal& other) {
        num_ = other.num_;
        den_ = other.den_;
        if (big_ || other.big_) big_ = other.big_;
        return *this;
    }
    [[gnu::always_inline]] Decimal& operator=(Decimal&& other) noexcept {
        num_ = other.num_;
        den_ = other.den_;
        if (big_ || other.big_) big_ = std::move(other.big_);
        return *this;
    }
    ~Decimal() = default;

    // Exact parse of "-12.345", "0.2", "7", "85%" is NOT accepted here (percent is the caller's
    // business). Returns nullopt for anything that is not [-]digits[.digits]. Never uses double.
    static std::optional<Decimal> parse(std::string_view text);
    // mantissa / 10^places (places <= max_round_places), reduced without a general gcd: the
    // fast path for numbers read from evidence ("85.5" is 855 scaled by 1).
    static Decimal from_scaled(std::int64_t mantissa, unsigned places);
    // num/den from decimal digit strings, as written by to_fraction_string(); den != 0.
    static std::optional<Decimal> parse_fraction(std::string_view text);

    // The arithmetic is inline for the cases a score sheet is made of (integers; a fraction with
    // an integer: 100 - 3.5, 0.5 x 7; two fractions over one denominator), which need one gcd at
    // most; everything else goes out of line (the *_general functions), and to cpp_rational only
    // on overflow.
    Decimal operator-() const;
    friend Decimal operator+(const Decimal& a, const Decimal& b);
    friend Decimal operator-(const Decimal& a, const Decimal& b);
    friend Decimal operator*(const Decimal& a, const Decimal& b);
    friend Decimal operator/(const Decimal& a, const Decimal& b);  // throws DivisionByZero
    Decimal& operator+=(const Decimal& b);
    Decimal& operator-=(const Decimal& b);

    friend bool operator==(const Decimal& a, const Decimal& b);
    friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);

    // Sets the value to zero; a small value's reference count is not touched (the batch VM
    // clears every node of the score sheet between units).
    [[gnu::always_inline]] void clear() {
        num_ = 0;
        den_ = 1;
        if (big_) big_.reset();
    }

    bool is_zero() const { return !big_ && num_ == 0; }  // zero is always small
    bool is_negative() const { return sign() < 0; }
    bool is_integer() const { return big_ ? big_is_integer() : den_ == 1; }
    // (*this / step) is a whole number (a `step` declaration); step must not be zero. Small
    // values decide it with one remainder of two 64-bit cross products, without dividing two
    // Decimals.
    bool is_multiple_of(const Decimal& step) const;
    bool is_small() const { return !big_; }  // for tests and benchmarks: is it on the fast path?
    // For compact storage of many values (a streamed population run keeps some per unit): the
    // small form's reduced numerator and denominator, or false for a value that has no small
    // form. from_small_parts gives the value back from parts small_parts gave, exactly.
    bool small_parts(std::int64_t& num, std::int64_t& den) const {
        if (big_) return false;
        num = num_;
        den = den_;
        return true;
    }
    static Decimal from_small_parts(std::int64_t num, std::int64_t den) { return reduced(num, den); }
    int sign() const { return big_ ? big_sign() : (num_ > 0) - (num_ < 0); }

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

    // The printers above, appending to `out` instead of returning a new string: with `out`'s
    // capacity reused, printing a small value allocates nothing (batch results, one row a unit).
    // append_exact returns false (appending nothing) when the value does not terminate.
    bool append_exact(std::string& out) const;
    void append_fixed(std::string& out, unsigned places) const;  // the value must fit_places(places)
    // round(places, mode).append_fixed(out, places), without making the rounded Decimal.
    void append_rounded(std::string& out, unsigned places, Rounding mode) const;

    // append_exact and append_rounded for a small value, into a buffer with room for
    // max_small_text bytes instead of a string (a batch run prints each row into one buffer):
    // the end of what was written, or nullptr (nothing written) when the value is big or, for
    // write_exact, does not terminate, which the append_* printers handle.
    static constexpr std::size_t max_small_text = 22;  // '-', 20 digits (zeros of "0.000…" included), '.'
    char* write_exact(char* at) const;
    char* write_rounded(char* at, unsigned places, Rounding mode) const;

private:
    struct Big;
    explicit Decimal(std::shared_ptr<const Big> big);
    static Decimal from_parts(std::int64_t num, std::int64_t den);  // reduces; den != 0
    static Decimal from_big(Big value);                             // demotes when it fits
    // From parts already reduced, den > 0.
    static Decimal reduced(std::int64_t num, std::int64_t den) {
        Decimal d;
        d.num_ = num;
        d.den_ = den;
        return d;
    }
    // The operations the inline fast paths do not cover (decimal.cpp).
    static Decimal add_general(const Decimal& a, const Decimal& b);
    static Decimal sub_general(const Decimal& a, const Decimal& b);
    static Decimal mul_general(const Decimal& a, const Decimal& b);
    static std::strong_ordering compare_general(const Decimal& a, const Decimal& b);
    static bool equal_big(const Decimal& a, const Decimal& b);
    bool big_is_integer() const;
    int big_sign() const;
    // The small fast paths: true with the reduced result's parts in `num`/`den` (no Decimal is
    // made, so no temporary's destructor runs either); false when the case is not one they
    // cover or an intermediate would overflow.
    static bool add_fast(const Decimal& a, const Decimal& b, std::int64_t& num, std::int64_t& den);
    static void reduce_over(std::int64_t& num, std::int64_t& den, std::int64_t common_den);
    static bool sub_fast(const Decimal& a, const Decimal& b, std::int64_t& num, std::int64_t& den);
    static bool mul_fast(const Decimal& a, const Decimal& b, std::int64_t& num, std::int64_t& den);

    std::int64_t num_ = 0;
    std::int64_t den_ = 1;
    std::shared_ptr<const Big> big_;  // non-null only when the value does not fit the small form
};

// ---- the inline fast paths ------------------------------------------------------------------
// num/common_den reduced into num/den (common_den > 0): a binary gcd on magnitudes, so an
// INT64_MIN numerator is safe (the gcd divides common_den, so it fits in int64_t).
[[gnu::always_inline]] inline void Decimal::reduce_over(std::int64_t& num, std::int64_t& den, std::int64_t common_den) {
    const std::uint64_t magnitude = num < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(num) : static_cast<std::uint64_t>(num);
    const auto g = static_cast<std::int64_t>(std::gcd(magnitude, static_cast<std::uint64_t>(common_den)));
    num /= g;  // g == 1 for INT64_MIN over an odd den; else g >= 2 and the quotient fits
    den = common_den / g;
}

// Always inlined: GCC otherwise makes out-of-line clones of them, and a call costs more than the
// fast path itself.
// Both small, and either the same denominator 1 (integers) or one of them an integer:
// p/q + n = (p + n*q)/q is already reduced (gcd(p + n*q, q) = gcd(p, q) = 1), so no gcd is taken;
// or the same denominator (scores in halves): one gcd, no cross-multiplication.

[[gnu::always_inline]] inline bool Decimal::add_fast(const Decimal& a, const Decimal& b, std::int64_t& num,
                                                     std::int64_t& den) {
    if (a.big_ || b.big_) return false;
    std::int64_t scaled = 0;
    if (b.den_ == 1) {
        if (__builtin_mul_overflow(b.num_, a.den_, &scaled) || __builtin_add_overflow(a.num_, scaled, &num)) return false;
        den = a.den_;
        return true;
    }
    if (a.den_ == 1) {
        if (__builtin_mul_overflow(a.num_, b.den_, &scaled) || __builtin_add_overflow(scaled, b.num_, &num)) return false;
        den = b.den_;
        return true;
    }
    if (a.den_ == b.den_) {  // 12.5 + 5.5: halves, tenths
        if (__builtin_add_overflow(a.num_, b.num_, &num)) return false;
        reduce_over(num, den, a.den_);
        return true;
    }
    return false;
}

[[gnu::always_inline]] inline bool Decimal::sub_fast(const Decimal& a, const Decimal& b, std::int64_t& num,
                                                     std::int64_t& den) {
    if (a.big_ || b.big_) return false;
    std::int64_t scaled = 0;
    if (b.den_ == 1) {
        if (__builtin_mul_overflow(b.num_, a.den_, &scaled) || __builtin_sub_overflow(a.num_, scaled, &num)) return false;
        den = a.den_;
        return true;
    }
    if (a.den_ == 1) {
        if (__builtin_mul_overflow(a.num_, b.den_, &scaled) || __builtin_sub_overflow(scaled, b.num_, &num)) return false;
        den = b.den_;
        return true;
    }
    if (a.den_ == b.den_) {
        if (__builtin_sub_overflow(a.num_, b.num_, &num)) return false;
        reduce_over(num, den, a.den_);
        return true;
    }
    return false;
}

[[gnu::always_inline]] inline Decimal operator+(const Decimal& a, const Decimal& b) {
    std::int64_t num = 0, den = 1;
    return Decimal::add_fast(a, b, num, den) ? Decimal::reduced(num, den) : Decimal::add_general(a, b);
}

[[gnu::always_inline]] inline Decimal operator-(const Decimal& a, const Decimal& b) {
    std::int64_t num = 0, den = 1;
    return Decimal::sub_fast(a, b, num, den) ? Decimal::reduced(num, den) : Decimal::sub_general(a, b);
}

[[gnu::always_inline]] inline Decimal& Decimal::operator+=(const Decimal& b) {
    std::int64_t num = 0, den = 1;
    if (add_fast(*this, b, num, den)) {
        num_ = num;
        den_ = den;
        return *this;
    }
    return *this = add_general(*this, b);
}

[[gnu::always_inline]] inline Decimal& Decimal::operator-=(const Decimal& b) {
    std::int64_t num = 0, den = 1;
    if (sub_fast(*this, b, num, den)) {
        num_ = num;
        den_ = den;
        return *this;
    }
    return *this = sub_general(*this, b);
}

// Both small, and a zero, two integers, or an integer n times a fraction p/q (0.5 per 次数):
// n·p/q reduced is (n/g)·p / (q/g) with g = gcd(n, q), as gcd(p, q) = 1 already.
[[gnu::always_inline]] inline bool Decimal::mul_fast(const Decimal& a, const Decimal& b, std::int64_t& num,
                                                     std::int64_t& den) {
    if (a.big_ || b.big_) return false;
    if (a.num_ == 0 || b.num_ == 0) {
        num = 0;
        den = 1;
        return true;
    }
    if (a.den_ != 1 && b.den_ != 1) return false;
    const Decimal& whole = a.den_ == 1 ? a : b;
    const Decimal& other = a.den_ == 1 ? b : a;
    std::int64_t n = whole.num_;
    den = other.den_;
    if (den != 1) reduce_over(n, den, other.den_);
    return !__builtin_mul_overflow(n, other.num_, &num);
}

[[gnu::always_inline]] inline Decimal operator*(const Decimal& a, const Decimal& b) {
    std::int64_t num = 0, den = 1;
    return Decimal::mul_fast(a, b, num, den) ? Decimal::reduced(num, den) : Decimal::mul_general(a, b);
}

// a/b ÷ c/e = a·e / (b·c): whole exactly when b·c divides a·e (b·c is not 0: b > 0, c != 0).
// When a product leaves int64 the quotient is worked out in full.
inline bool Decimal::is_multiple_of(const Decimal& step) const {
    std::int64_t ae = 0, bc = 0;
    if (!big_ && !step.big_ && !__builtin_mul_overflow(num_, step.den_, &ae) &&
        !__builtin_mul_overflow(den_, step.num_, &bc) && bc != 0)
        return bc == -1 || ae % bc == 0;  // INT64_MIN % -1 overflows; everything is a multiple of ±1
    return (*this / step).is_integer();
}

[[gnu::always_inline]] inline bool operator==(const Decimal& a, const Decimal& b) {
    if (!a.big_ && !b.big_) return a.num_ == b.num_ && a.den_ == b.den_;
    return Decimal::equal_big(a, b);
}

[[gnu::always_inline]] inline std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
    if (!a.big_ && !b.big_) {
        if (a.den_ == b.den_) return a.num_ <=> b.num_;
        std::int64_t left = 0;
        std::int64_t right = 0;
        if (!__builtin_mul_overflow(a.num_, b.den_, &left) && !__builtin_mul_overflow(b.num_, a.den_, &right))
            return left <=> right;
    }
    return Decimal::compare_general(a, b);
}

}  // namespace kaohe
