// Decimal: exact rationals with an allocation-free int64 fast path (see decimal.hpp).
//
// Layout of this file: small-path helpers on raw int64 parts (each returns false on overflow so
// the caller redoes the work in cpp_rational), then the Big type, then the members in header order.
//
// Invariant kept by every constructor: a value is Big only when its reduced num/den do not fit in
// int64_t. So two small values are equal iff their parts are equal, and a small value never
// equals a big one.
#include "runtime/decimal.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/multiprecision/cpp_int.hpp>

namespace kaohe {

namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

// Most digits on either side of the '/' accepted by parse_fraction(). Fractions come from .khc
// files we wrote, whose constants may be products of literals (each at most max_parse_digits
// long), so this is far above Decimal::max_parse_digits; it only bounds the work a corrupt file
// can cause.
constexpr std::size_t max_fraction_digits = 100 * Decimal::max_parse_digits;

// 10^0 .. 10^18: every power of ten that fits in int64_t (10^19 does not). Enough for
// max_round_places, and for parsing up to 18 fraction digits on the fast path.
constexpr std::size_t small_pow10_count = 19;
constexpr std::array<std::uint64_t, small_pow10_count> small_pow10 = [] {
    std::array<std::uint64_t, small_pow10_count> powers{};
    std::uint64_t p = 1;
    for (auto& power : powers) {
        power = p;
        p *= 10;
    }
    return powers;
}();
static_assert(Decimal::max_round_places < small_pow10_count, "round() scales by a small power of ten");

// |x| without overflow: |INT64_MIN| = 2^63 fits in uint64_t.
constexpr std::uint64_t magnitude(std::int64_t x) {
    return x < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(x) : static_cast<std::uint64_t>(x);
}

// gcd on magnitudes, so INT64_MIN is safe. Callers pass at least one denominator (<= INT64_MAX),
// which keeps the result <= INT64_MAX and the int64 casts below exact.
std::int64_t gcd_with_den(std::int64_t x, std::int64_t den) {
    return static_cast<std::int64_t>(std::gcd(magnitude(x), static_cast<std::uint64_t>(den)));
}

bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t& out) {
    return !__builtin_mul_overflow(a, b, &out);
}

bool checked_add(std::int64_t a, std::int64_t b, std::int64_t& out) {
    return !__builtin_add_overflow(a, b, &out);
}

// The small-path operations: inputs are reduced fractions with den > 0; on success the output
// is reduced with den > 0; false means an intermediate overflowed (nothing wrapped is used).

bool add_small(std::int64_t an, std::int64_t ad, std::int64_t bn, std::int64_t bd, std::int64_t& rn,
               std::int64_t& rd) {
    if (ad == bd) {  // integers, or two amounts in tenths: no cross-multiplication
        std::int64_t sum = 0;
        if (!checked_add(an, bn, sum)) return false;
        if (ad == 1 || sum == 0) {
            rn = sum;
            rd = 1;
            return true;
        }
        const std::int64_t g = gcd_with_den(sum, ad);  // 3/10 + 7/10 = 10/10 needs reducing
        rn = sum / g;
        rd = ad / g;
        return true;
    }
    // Knuth 4.5.1: with g = gcd(ad, bd), the sum is t / (ad/g * bd) and only gcd(t, g) can be
    // common to numerator and denominator. Intermediates stay g times smaller than naive.
    const std::int64_t g = gcd_with_den(ad, bd);
    const std::int64_t ad_g = ad / g;
    const std::int64_t bd_g = bd / g;
    std::int64_t left = 0;
    std::int64_t right = 0;
    std::int64_t t = 0;
    if (!checked_mul(an, bd_g, left) || !checked_mul(bn, ad_g, right) || !checked_add(left, right, t)) {
        return false;
    }
    if (t == 0) {
        rn = 0;
        rd = 1;
        return true;
    }
    const std::int64_t g2 = g == 1 ? 1 : gcd_with_den(t, g);
    rn = t / g2;
    return checked_mul(ad_g, bd / g2, rd);
}

bool mul_small(std::int64_t an, std::int64_t ad, std::int64_t bn, std::int64_t bd, std::int64_t& rn,
               std::int64_t& rd) {
    if (an == 0 || bn == 0) {
        rn = 0;
        rd = 1;
        return true;
    }
    if (ad == 1 && bd == 1) {
        rd = 1;
        return checked_mul(an, bn, rn);
    }
    // Cancel across before multiplying (Knuth): the result is reduced and the products are small.
    const std::int64_t g1 = gcd_with_den(an, bd);
    const std::int64_t g2 = gcd_with_den(bn, ad);
    return checked_mul(an / g1, bn / g2, rn) && checked_mul(ad / g2, bd / g1, rd);
}

// Whether rounding moves an inexact quotient one step away from zero. `half` is the sign of
// (2 * |remainder| - divisor): below, at or above the midpoint between the two neighbours.
bool rounds_away(Rounding mode, int half, bool quotient_is_odd) {
    switch (mode) {
        case Rounding::down: return false;
        case Rounding::up: return true;
        case Rounding::half_up: return half >= 0;
        case Rounding::half_even: return half > 0 || (half == 0 && quotient_is_odd);
    }
    return false;  // unreachable: every mode is handled above
}

// Digits after the point needed to write 1/den exactly: den = 2^a * 5^b needs max(a, b);
// nullopt when den has any other prime factor (1/3 never terminates).
std::optional<unsigned> places_for_denominator(std::uint64_t den) {
    const auto twos = static_cast<unsigned>(std::countr_zero(den));
    den >>= twos;
    unsigned fives = 0;
    for (; den % 5 == 0; den /= 5) ++fives;
    if (den != 1) return std::nullopt;
    return std::max(twos, fives);
}

std::optional<unsigned> places_for_denominator(cpp_int den) {
    const auto twos = static_cast<unsigned>(boost::multiprecision::lsb(den));
    den >>= twos;
    unsigned fives = 0;
    cpp_int quotient;
    cpp_int remainder;
    for (;;) {
        boost::multiprecision::divide_qr(den, cpp_int(5), quotient, remainder);
        if (remainder != 0) break;
        den.swap(quotient);
        ++fives;
    }
    if (den != 1) return std::nullopt;
    return std::max(twos, fives);
}

bool fits_int64(const cpp_int& x) { return x >= int64_min && x <= int64_max; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the run of decimal digits at the start of text.
std::size_t digit_run(std::string_view text) {
    std::size_t n = 0;
    while (n < text.size() && is_digit(text[n])) ++n;
    return n;
}

std::string to_decimal_digits(std::uint64_t x) {
    std::array<char, std::numeric_limits<std::uint64_t>::digits10 + 1> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
    (void)error;  // the buffer holds any uint64_t
    return {buffer.data(), end};
}

std::string to_decimal_digits(std::int64_t x) {
    return x < 0 ? "-" + to_decimal_digits(magnitude(x)) : to_decimal_digits(magnitude(x));
}

// "00" "01" … "99": the digits of a number below 100.
constexpr std::array<char, 200> two_digits = [] {
    std::array<char, 200> digits{};
    for (std::size_t i = 0; i < 100; ++i) {
        digits[2 * i] = static_cast<char>('0' + i / 10);
        digits[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return digits;
}();

// Writes `scaled` / 10^places (places < small_pow10_count) at `at` with exactly `places` digits
// after the point, and a '-' when `negative`; returns the end. At most 22 bytes: the sign, 20
// digits (with the zeros of "0.000…") and the point. The digits are counted first and then
// written from the right, in place (a batch run prints every number of every row this way).
char* write_scaled(char* at, bool negative, std::uint64_t scaled, unsigned places) {
    unsigned digits = 1;
    while (digits < small_pow10_count && scaled >= small_pow10[digits]) ++digits;
    if (digits == small_pow10_count && scaled / 10 >= small_pow10[small_pow10_count - 1]) ++digits;  // 10^19 and up
    digits = std::max(digits, places + 1);  // "0.05": a zero before the point
    if (negative) *at++ = '-';
    char* const end = at + digits + (places != 0);
    char* p = end;
    for (unsigned written = 0; written < places; ++written) {
        *--p = static_cast<char>('0' + scaled % 10);
        scaled /= 10;
    }
    if (places != 0) *--p = '.';
    // The whole part, two digits a division (most scores are below 100: one step).
    while (p - at >= 2) {
        const auto pair = static_cast<std::size_t>(scaled % 100) * 2;
        scaled /= 100;
        *--p = two_digits[pair + 1];
        *--p = two_digits[pair];
    }
    if (p != at) *--p = static_cast<char>('0' + scaled);
    return end;
}

// Appends what write_scaled writes.
void append_scaled(std::string& out, bool negative, std::uint64_t scaled, unsigned places) {
    std::array<char, Decimal::max_small_text> buffer;
    out.append(buffer.data(), static_cast<std::size_t>(write_scaled(buffer.data(), negative, scaled, places) - buffer.data()));
}

cpp_int pow10(unsigned places) { return boost::multiprecision::pow(cpp_int(10), places); }

// The value of a run of decimal digits. Leading zeros are stripped first because cpp_int's
// string constructor reads a leading 0 as octal.
cpp_int from_digits(std::string_view digits) {
    digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));
    if (digits.empty()) return 0;
    return cpp_int(std::string(digits));
}

// Parses [-]digits of at most max_digits digits.
std::optional<cpp_int> parse_integer(std::string_view text, std::size_t max_digits) {
    const bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty() || text.size() > max_digits || digit_run(text) != text.size()) return std::nullopt;
    cpp_int value = from_digits(text);
    return negative ? cpp_int(-value) : value;
}

}  // namespace

// The one nested type, so also the one helper outside the members that may touch the
// representation (a nested class has its enclosing class's access).
struct Decimal::Big {
    cpp_rational value;

    static cpp_rational rational_of(const Decimal& d) {
        if (d.big_) return d.big_->value;
        return cpp_rational(cpp_int(d.num_), cpp_int(d.den_));
    }
};

Decimal::Decimal(std::shared_ptr<const Big> big) : big_(std::move(big)) {}

Decimal Decimal::from_parts(std::int64_t num, std::int64_t den) {
    if (den == 0) throw DivisionByZero();
    if (num == 0) return Decimal();
    // Divide by the gcd of magnitudes first; the sign is fixed afterwards, and only negating
    // INT64_MIN (num, or a den of INT64_MIN) can fail, which the big path handles.
    const std::uint64_t g = std::gcd(magnitude(num), magnitude(den));
    if (g > static_cast<std::uint64_t>(int64_max)) return Decimal(1);  // num == den == INT64_MIN
    const auto sg = static_cast<std::int64_t>(g);
    num /= sg;
    den /= sg;
    if (den < 0) {
        if (num == int64_min || den == int64_min) {
            return from_big(Big{cpp_rational(cpp_int(num), cpp_int(den))});
        }
        num = -num;
        den = -den;
    }
    return reduced(num, den);
}

Decimal Decimal::from_big(Big value) {
    const cpp_int& num = boost::multiprecision::numerator(value.value);
    const cpp_int& den = boost::multiprecision::denominator(value.value);
    if (fits_int64(num) && fits_int64(den)) {
        return reduced(num.convert_to<std::int64_t>(), den.convert_to<std::int64_t>());
    }
    return Decimal(std::make_shared<const Big>(std::move(value)));
}

Decimal Decimal::from_scaled(std::int64_t mantissa, unsigned places) {
    if (places > max_round_places) {
        throw std::out_of_range("Decimal::from_scaled: places must be at most " + std::to_string(max_round_places));
    }
    if (mantissa == 0) return Decimal();
    // Strip trailing zeros; then 10^places shares with the mantissa only the 2s (if it is even)
    // or only the 5s (if it is a multiple of 5), never both.
    while (places > 0 && mantissa % 10 == 0) {
        mantissa /= 10;
        --places;
    }
    auto den = static_cast<std::int64_t>(small_pow10[places]);
    if (places == 0) return reduced(mantissa, 1);
    if ((mantissa & 1) == 0) {
        const auto twos = std::min<unsigned>(static_cast<unsigned>(std::countr_zero(magnitude(mantissa))), places);
        return reduced(mantissa / (std::int64_t{1} << twos), den >> twos);
    }
    for (unsigned fives = 0; fives < places && mantissa % 5 == 0; ++fives) {
        mantissa /= 5;
        den /= 5;
    }
    return reduced(mantissa, den);
}

std::optional<Decimal> Decimal::parse(std::string_view text) {
    const bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    const std::size_t whole_digits = digit_run(text);
    if (whole_digits == 0) return std::nullopt;  // "", "-", ".5", "+1", " 1"
    std::string_view fraction = text.substr(whole_digits);
    if (!fraction.empty()) {
        if (fraction.front() != '.') return std::nullopt;  // "1e5", "1 ", "85%"
        fraction.remove_prefix(1);
        if (fraction.empty() || digit_run(fraction) != fraction.size()) return std::nullopt;  // "1.", "1.2.3"
    }
    if (whole_digits + fraction.size() > max_parse_digits) return std::nullopt;

    // Fast path: all digits as one int64, over 10^(fraction digits).
    const std::string_view whole = text.substr(0, whole_digits);
    std::int64_t digits = 0;
    bool fits = fraction.size() < small_pow10_count;
    for (std::string_view part : {whole, fraction}) {
        for (std::size_t i = 0; fits && i < part.size(); ++i) {
            fits = checked_mul(digits, 10, digits) && checked_add(digits, part[i] - '0', digits);
        }
    }
    if (fits) return from_scaled(negative ? -digits : digits, static_cast<unsigned>(fraction.size()));
    cpp_int all_digits = from_digits(std::string(whole) + std::string(fraction));
    if (negative) all_digits = -all_digits;
    return from_big(Big{cpp_rational(all_digits, pow10(static_cast<unsigned>(fraction.size())))});
}

std::optional<Decimal> Decimal::parse_fraction(std::string_view text) {
    const std::size_t slash = text.find('/');
    const std::string_view num_text = text.substr(0, slash);
    const std::string_view den_text = slash == std::string_view::npos ? "1" : text.substr(slash + 1);
    if (den_text.empty() || den_text.front() == '-') return std::nullopt;  // den is written positive
    const auto num = parse_integer(num_text, max_fraction_digits);
    const auto den = parse_integer(den_text, max_fraction_digits);
    if (!num || !den || *den == 0) return std::nullopt;
    return from_big(Big{cpp_rational(*num, *den)});
}

Decimal Decimal::operator-() const {
    if (!big_ && num_ != int64_min) return reduced(-num_, den_);
    return from_big(Big{-Big::rational_of(*this)});  // -INT64_MIN promotes; -(2^63) demotes
}

Decimal Decimal::add_general(const Decimal& a, const Decimal& b) {
    if (!a.big_ && !b.big_) {
        Decimal r;
        if (add_small(a.num_, a.den_, b.num_, b.den_, r.num_, r.den_)) return r;
    }
    return Decimal::from_big(Decimal::Big{Decimal::Big::rational_of(a) + Decimal::Big::rational_of(b)});
}

Decimal Decimal::sub_general(const Decimal& a, const Decimal& b) {
    if (!a.big_ && !b.big_ && b.num_ != int64_min) {
        Decimal r;
        if (add_small(a.num_, a.den_, -b.num_, b.den_, r.num_, r.den_)) return r;
    }
    return Decimal::from_big(Decimal::Big{Decimal::Big::rational_of(a) - Decimal::Big::rational_of(b)});
}

Decimal Decimal::mul_general(const Decimal& a, const Decimal& b) {
    if (!a.big_ && !b.big_) {
        Decimal r;
        if (mul_small(a.num_, a.den_, b.num_, b.den_, r.num_, r.den_)) return r;
    }
    return Decimal::from_big(Decimal::Big{Decimal::Big::rational_of(a) * Decimal::Big::rational_of(b)});
}

Decimal operator/(const Decimal& a, const Decimal& b) {
    if (b.is_zero()) throw DivisionByZero();
    // a / (n/d) = a * (d/n), and d/n is reduced already; only n == INT64_MIN cannot flip sign.
    if (!a.big_ && !b.big_ && b.num_ != int64_min) {
        const std::int64_t inv_num = b.num_ < 0 ? -b.den_ : b.den_;
        const std::int64_t inv_den = b.num_ < 0 ? -b.num_ : b.num_;
        Decimal r;
        if (mul_small(a.num_, a.den_, inv_num, inv_den, r.num_, r.den_)) return r;
    }
    return Decimal::from_big(Decimal::Big{Decimal::Big::rational_of(a) / Decimal::Big::rational_of(b)});
}

bool Decimal::equal_big(const Decimal& a, const Decimal& b) {
    if (!a.big_ || !b.big_) return false;  // a big value never fits the small form
    return a.big_ == b.big_ || a.big_->value == b.big_->value;
}

// The inline operator<=> has compared two small values whose cross products fit; here one is
// big or a cross product overflows.
std::strong_ordering Decimal::compare_general(const Decimal& a, const Decimal& b) {
    if (a.sign() != b.sign()) return a.sign() <=> b.sign();
    const cpp_rational x = Decimal::Big::rational_of(a);
    const cpp_rational y = Decimal::Big::rational_of(b);
    if (x < y) return std::strong_ordering::less;
    if (y < x) return std::strong_ordering::greater;
    return std::strong_ordering::equal;
}

bool Decimal::big_is_integer() const { return boost::multiprecision::denominator(big_->value) == 1; }

int Decimal::big_sign() const { return big_->value.sign(); }

Decimal Decimal::round(unsigned places, Rounding mode) const {
    if (places > max_round_places) {
        throw std::out_of_range("Decimal::round: places must be at most " + std::to_string(max_round_places));
    }
    const bool negative = is_negative();
    // Small path: |num| * 10^places = q * den + r, all in uint64.
    if (!big_) {
        const std::uint64_t scale = small_pow10[places];
        const auto den = static_cast<std::uint64_t>(den_);
        std::uint64_t scaled = 0;
        if (!__builtin_mul_overflow(magnitude(num_), scale, &scaled)) {
            std::uint64_t q = scaled / den;
            const std::uint64_t r = scaled % den;
            if (r == 0) return *this;  // already has at most `places` digits
            const std::uint64_t twice_r = 2 * r;  // r < den <= INT64_MAX: no overflow
            const int half = (twice_r > den) - (twice_r < den);
            if (rounds_away(mode, half, (q & 1) != 0)) ++q;  // r != 0 means den >= 2, so q < 2^63
            if (q <= static_cast<std::uint64_t>(int64_max)) {
                const auto sq = static_cast<std::int64_t>(q);
                return from_parts(negative ? -sq : sq, static_cast<std::int64_t>(scale));
            }
        }
    }
    const cpp_rational value = Big::rational_of(*this);
    const cpp_int scale = pow10(places);
    const cpp_int scaled = boost::multiprecision::abs(boost::multiprecision::numerator(value)) * scale;
    const cpp_int& den = boost::multiprecision::denominator(value);
    cpp_int q;
    cpp_int r;
    boost::multiprecision::divide_qr(scaled, den, q, r);
    if (r == 0) return *this;
    const cpp_int twice_r = 2 * r;
    const int half = (twice_r > den) - (twice_r < den);
    if (rounds_away(mode, half, boost::multiprecision::bit_test(q, 0))) ++q;
    if (negative) q = -q;
    return from_big(Big{cpp_rational(q, scale)});
}

bool Decimal::fits_places(unsigned places) const {
    const auto needed = big_ ? places_for_denominator(cpp_int(boost::multiprecision::denominator(big_->value)))
                             : places_for_denominator(static_cast<std::uint64_t>(den_));
    return needed && *needed <= places;
}

std::optional<std::string> Decimal::to_exact_string() const {
    std::string out;
    if (!append_exact(out)) return std::nullopt;
    return out;
}

std::string Decimal::to_fixed_string(unsigned places) const {
    std::string out;
    append_fixed(out, places);
    return out;
}

char* Decimal::write_exact(char* at) const {
    if (big_) return nullptr;
    if (den_ == 1) return write_scaled(at, num_ < 0, magnitude(num_), 0);  // an integer: no places to work out
    const auto places = places_for_denominator(static_cast<std::uint64_t>(den_));
    std::uint64_t scaled = 0;
    if (!places || *places >= small_pow10_count ||
        __builtin_mul_overflow(magnitude(num_), small_pow10[*places] / static_cast<std::uint64_t>(den_), &scaled))
        return nullptr;
    return write_scaled(at, num_ < 0, scaled, *places);
}

char* Decimal::write_rounded(char* at, unsigned places, Rounding mode) const {
    // As round(): |num| * 10^places = q * den + r, then q written directly instead of made a
    // Decimal (reduced) and scaled back up.
    std::uint64_t scaled = 0;
    if (big_ || places > max_round_places || __builtin_mul_overflow(magnitude(num_), small_pow10[places], &scaled))
        return nullptr;
    const auto den = static_cast<std::uint64_t>(den_);
    std::uint64_t q = scaled / den;
    const std::uint64_t r = scaled % den;
    if (r != 0) {
        const std::uint64_t twice_r = 2 * r;  // r < den <= INT64_MAX: no overflow
        const int half = (twice_r > den) - (twice_r < den);
        if (rounds_away(mode, half, (q & 1) != 0)) ++q;
    }
    if (q > static_cast<std::uint64_t>(int64_max)) return nullptr;
    return write_scaled(at, num_ < 0 && q != 0, q, places);  // a value rounded to 0 is written unsigned
}

bool Decimal::append_exact(std::string& out) const {
    std::array<char, max_small_text> buffer;
    if (const char* end = write_exact(buffer.data())) {
        out.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
        return true;
    }
    const auto needed = big_ ? places_for_denominator(cpp_int(boost::multiprecision::denominator(big_->value)))
                             : places_for_denominator(static_cast<std::uint64_t>(den_));
    if (!needed) return false;
    append_fixed(out, *needed);
    return true;
}

void Decimal::append_fixed(std::string& out, unsigned places) const {
    // Small and den divides 10^places (so it fits those places): the value times 10^places is
    // an integer; write its digits with the point put back.
    std::uint64_t small_scaled = 0;
    if (!big_ && places < small_pow10_count && small_pow10[places] % static_cast<std::uint64_t>(den_) == 0 &&
        !__builtin_mul_overflow(magnitude(num_), small_pow10[places] / static_cast<std::uint64_t>(den_),
                                &small_scaled)) {
        append_scaled(out, num_ < 0, small_scaled, places);
        return;
    }
    if (!fits_places(places)) {
        throw std::invalid_argument("Decimal::to_fixed_string: " + to_fraction_string() + " does not fit in " +
                                    std::to_string(places) + " decimal places");
    }
    if (is_negative()) out += '-';
    const cpp_rational value = Big::rational_of(*this);
    std::string digits = (boost::multiprecision::abs(boost::multiprecision::numerator(value)) * pow10(places) /
                          boost::multiprecision::denominator(value))
                             .str();
    if (places > 0) {
        if (digits.size() <= places) digits.insert(0, places + 1 - digits.size(), '0');
        digits.insert(digits.size() - places, 1, '.');
    }
    out += digits;
}

void Decimal::append_rounded(std::string& out, unsigned places, Rounding mode) const {
    std::array<char, max_small_text> buffer;
    if (const char* end = write_rounded(buffer.data(), places, mode)) {
        out.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
        return;
    }
    round(places, mode).append_fixed(out, places);
}

std::string Decimal::to_fraction_string() const {
    if (!big_) return den_ == 1 ? to_decimal_digits(num_) : to_decimal_digits(num_) + "/" + to_decimal_digits(den_);
    const cpp_int& num = boost::multiprecision::numerator(big_->value);
    const cpp_int& den = boost::multiprecision::denominator(big_->value);
    return den == 1 ? num.str() : num.str() + "/" + den.str();
}

std::string Decimal::to_string() const {
    auto exact = to_exact_string();
    return exact ? *std::move(exact) : to_fraction_string();
}

}  // namespace kaohe
