// Decimal: the exact-arithmetic contract (docs/language.md, DESIGN.md section 3).
// Tables of inputs and expected outputs first; a property test against cpp_rational last.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

#include "runtime/decimal.hpp"

using kaohe::Decimal;
using kaohe::DivisionByZero;
using kaohe::Rounding;

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

// A value from "12.5" or "-1/3" text; the test fails at once on text that does not parse.
Decimal value(const std::string& text) {
    auto parsed = text.find('/') == std::string::npos ? Decimal::parse(text) : Decimal::parse_fraction(text);
    INFO("value(\"" << text << "\")");
    REQUIRE(parsed.has_value());
    return *parsed;
}

}  // namespace

TEST_CASE("decimal arithmetic is exact where binary floating point is not", "[decimal]") {
    CHECK(value("0.2") * 12 == value("2.4"));
    CHECK((value("0.2") * 12).to_exact_string() == "2.4");
    CHECK(value("0.1") + value("0.2") == value("0.3"));
    const Decimal third = Decimal(1) / 3;
    CHECK(third + third + third == 1);
    CHECK(third * 3 == 1);
    CHECK(value("0.5") - value("0.2") * 3 == value("-0.1"));
    CHECK(value("85.5") / 100 == value("0.855"));
    // 3/10 + 7/10 on the equal-denominator path must still reduce.
    CHECK((value("0.3") + value("0.7")).to_fraction_string() == "1");
    CHECK((value("0.25") + value("0.25")).to_fraction_string() == "1/2");
}

TEST_CASE("small values stay on the fast path", "[decimal]") {
    CHECK(value("0.2").is_small());
    CHECK((value("0.2") * 12).is_small());
    CHECK((Decimal(1) / 3 + Decimal(1) / 7).is_small());
    CHECK(Decimal(int64_min).is_small());
    CHECK(value("-9223372036854775808").is_small());
}

TEST_CASE("values past 64 bits promote, stay exact and demote back", "[decimal]") {
    const Decimal max = int64_max;
    const Decimal past = max + 1;
    CHECK_FALSE(past.is_small());
    CHECK(past == value("9223372036854775808"));
    CHECK(past.to_string() == "9223372036854775808");
    CHECK((past - 1).is_small());
    CHECK(past - 1 == max);

    const Decimal square = max * max;
    CHECK_FALSE(square.is_small());
    CHECK(square.to_string() == "85070591730234615847396907784232501249");
    const Decimal back = square / max;
    CHECK(back.is_small());
    CHECK(back == max);
    Decimal cleared = square;  // clear() takes a big value back to a small zero
    cleared.clear();
    CHECK(cleared.is_small());
    CHECK(cleared == 0);
    CHECK(cleared + 1 == 1);

    // Fractions whose denominators overflow in the cross-multiplication.
    const Decimal a = Decimal(1) / int64_max;
    const Decimal b = Decimal(1) / (int64_max - 1);
    const Decimal sum = a + b;
    CHECK_FALSE(sum.is_small());
    CHECK((sum - b).is_small());
    CHECK(sum - b == a);

    // Parsing past 18 digits takes the big path but still lands small when the value fits.
    CHECK(value("0.0000000000000000000000000001").to_fraction_string() == "1/10000000000000000000000000000");
    CHECK(value("1.0000000000000000000000000000").is_small());
}

TEST_CASE("INT64_MIN is negated, subtracted and divided without wrapping", "[decimal]") {
    const Decimal min = int64_min;
    const Decimal negated = -min;
    CHECK_FALSE(negated.is_small());
    CHECK(negated == value("9223372036854775808"));
    CHECK(negated.is_negative() == false);
    CHECK((-negated).is_small());
    CHECK(-negated == min);
    CHECK(0 - min == negated);
    CHECK(min * -1 == negated);
    CHECK(min / -1 == negated);
    CHECK((min - min).is_zero());
    CHECK((min - min).is_small());
    CHECK(min / min == 1);
    CHECK(Decimal(1) / min == value("-1/9223372036854775808"));
    CHECK((Decimal(1) / min).is_small() == false);  // den 2^63 does not fit
    CHECK(Decimal(-1) / min == value("1/9223372036854775808"));
    CHECK(min + min == value("-18446744073709551616"));
}

TEST_CASE("comparison is exact for small, big and mixed values", "[decimal]") {
    const Decimal max = int64_max;
    const Decimal past = max + 1;
    const Decimal min = int64_min;
    CHECK(max < past);
    CHECK(past > max);
    CHECK(min - 1 < min);
    CHECK(min > min - 1);
    CHECK(-past == min);
    CHECK(past != max);
    CHECK(past * 2 > past);
    CHECK(-(past * 2) < min);
    CHECK(value("1000000000000000000000000000001/1000000000000000000000000000000") > 1);
    CHECK(value("999999999999999999999999999999/1000000000000000000000000000000") < 1);
    // Cross products overflow int64: (M)/(M-1) < (M-1)/(M-2) for M = INT64_MAX.
    const Decimal x = max / (max - 1);
    const Decimal y = (max - 1) / (max - 2);
    CHECK(x.is_small());
    CHECK(y.is_small());
    CHECK(x < y);
    CHECK(y > x);
    CHECK(x != y);
    CHECK((x <=> x) == std::strong_ordering::equal);
    CHECK(Decimal::min(x, y) == x);
    CHECK(Decimal::max(past, max) == past);
    CHECK(value("-0.5") < value("0.25"));
    CHECK(value("-1/3") < value("-0.333"));
}

TEST_CASE("sign and kind queries", "[decimal]") {
    CHECK(Decimal().is_zero());
    CHECK(value("-0").is_zero());
    CHECK(value("-0.0").sign() == 0);
    CHECK(value("-0.5").is_negative());
    CHECK(value("-0.5").sign() == -1);
    CHECK(value("12.000").is_integer());
    CHECK_FALSE(value("12.5").is_integer());
    const Decimal big = Decimal(int64_max) * 4;
    CHECK(big.is_integer());
    CHECK(big.sign() == 1);
    CHECK_FALSE((big / 3).is_integer());
    CHECK((-big).sign() == -1);
}

TEST_CASE("parse accepts exactly [-]digits[.digits]", "[decimal][parse]") {
    struct Accepted {
        const char* text;
        const char* fraction;  // expected to_fraction_string()
    };
    const Accepted accepted[] = {
        {"0", "0"},
        {"-0", "0"},
        {"7", "7"},
        {"0.2", "1/5"},
        {"-12.345", "-2469/200"},
        {"007.50", "15/2"},
        {"0.000", "0"},
        {"-9223372036854775808", "-9223372036854775808"},
        {"9223372036854775807", "9223372036854775807"},
        {"9223372036854775808", "9223372036854775808"},
        {"123456789012345678901234567890.5", "246913578024691357802469135781/2"},
        // Leading zeros on the big path (cpp_int's string constructor would read them as octal).
        {"0123456789012345678901234567890", "123456789012345678901234567890"},
        {"0.00000000000000000001234567", "1234567/100000000000000000000000000"},
    };
    for (const auto& [text, fraction] : accepted) {
        INFO("parse(\"" << text << "\")");
        const auto parsed = Decimal::parse(text);
        REQUIRE(parsed.has_value());
        CHECK(parsed->to_fraction_string() == fraction);
    }

    const char* rejected[] = {
        "", "-", "1.", ".5", "-.5", "+1", "1e5", "1E5", "1e-5", " 1", "1 ", "1 .5", "85%", "1.2.3", "--1",
        "0x10", "1,000", "1_000", "1/2", "nan", "inf", "\xef\xbc\x91" /* fullwidth 1 */, "1\n", "-+1",
    };
    for (const char* text : rejected) {
        INFO("parse(\"" << text << "\")");
        CHECK_FALSE(Decimal::parse(text).has_value());
    }
    CHECK_FALSE(Decimal::parse(std::string_view("1\0", 2)).has_value());
}

TEST_CASE("parse takes at most max_parse_digits digits", "[decimal][parse]") {
    const std::size_t limit = Decimal::max_parse_digits;
    CHECK(Decimal::parse(std::string(limit, '9')).has_value());
    CHECK(Decimal::parse("-" + std::string(limit, '9')).has_value());
    CHECK(Decimal::parse("1." + std::string(limit - 1, '5')).has_value());
    CHECK_FALSE(Decimal::parse(std::string(limit + 1, '9')).has_value());
    CHECK_FALSE(Decimal::parse("1." + std::string(limit, '5')).has_value());
    const Decimal longest = *Decimal::parse(std::string(limit, '9'));
    CHECK(longest + 1 == *Decimal::parse_fraction("1" + std::string(limit, '0')));
}

TEST_CASE("round: every mode on ties and non-ties, both signs", "[decimal][round]") {
    struct Row {
        const char* input;
        unsigned places;
        const char* half_up;
        const char* half_even;
        const char* down;
        const char* up;
    };
    const Row rows[] = {
        {"2.5", 0, "3", "2", "2", "3"},
        {"-2.5", 0, "-3", "-2", "-2", "-3"},
        {"3.5", 0, "4", "4", "3", "4"},
        {"-3.5", 0, "-4", "-4", "-3", "-4"},
        {"2.4", 0, "2", "2", "2", "3"},
        {"-2.4", 0, "-2", "-2", "-2", "-3"},
        {"2.6", 0, "3", "3", "2", "3"},
        {"-2.6", 0, "-3", "-3", "-2", "-3"},
        {"0.5", 0, "1", "0", "0", "1"},
        {"-0.5", 0, "-1", "0", "0", "-1"},
        {"2.675", 2, "2.68", "2.68", "2.67", "2.68"},  // a double holds 2.67499999...: exact here
        {"2.665", 2, "2.67", "2.66", "2.66", "2.67"},
        {"-2.665", 2, "-2.67", "-2.66", "-2.66", "-2.67"},
        {"-2.675", 2, "-2.68", "-2.68", "-2.67", "-2.68"},
        {"1/3", 2, "0.33", "0.33", "0.33", "0.34"},
        {"-1/3", 2, "-0.33", "-0.33", "-0.33", "-0.34"},
        {"2/3", 2, "0.67", "0.67", "0.66", "0.67"},
        {"-2/3", 2, "-0.67", "-0.67", "-0.66", "-0.67"},
        {"0.125", 2, "0.13", "0.12", "0.12", "0.13"},
        {"0.004", 2, "0", "0", "0", "0.01"},
        {"-0.005", 2, "-0.01", "0", "0", "-0.01"},
        {"1.23", 2, "1.23", "1.23", "1.23", "1.23"},  // already fits: unchanged in every mode
        {"1.23", 5, "1.23", "1.23", "1.23", "1.23"},
        {"-7", 0, "-7", "-7", "-7", "-7"},
        {"1/7", 18, "0.142857142857142857", "0.142857142857142857", "0.142857142857142857",
         "0.142857142857142858"},
        // |num| * 10^places overflows uint64: the big path does the work.
        {"1000000000000/7", 10, "142857142857.1428571429", "142857142857.1428571429", "142857142857.1428571428",
         "142857142857.1428571429"},
        // Big inputs.
        {"123456789012345678901234567890.5", 0, "123456789012345678901234567891", "123456789012345678901234567890",
         "123456789012345678901234567890", "123456789012345678901234567891"},
        {"-123456789012345678901234567890.5", 0, "-123456789012345678901234567891",
         "-123456789012345678901234567890", "-123456789012345678901234567890", "-123456789012345678901234567891"},
        {"123456789012345678901234567891.5", 0, "123456789012345678901234567892", "123456789012345678901234567892",
         "123456789012345678901234567891", "123456789012345678901234567892"},
        {"-1/123456789012345678901234567890", 3, "0", "0", "0", "-0.001"},
        // Rounding across the int64 boundary, both ways.
        {"9223372036854775807.5", 0, "9223372036854775808", "9223372036854775808", "9223372036854775807",
         "9223372036854775808"},
        {"-9223372036854775808.5", 0, "-9223372036854775809", "-9223372036854775808", "-9223372036854775808",
         "-9223372036854775809"},
    };
    const Rounding modes[] = {Rounding::half_up, Rounding::half_even, Rounding::down, Rounding::up};
    const char* mode_names[] = {"half_up", "half_even", "down", "up"};
    for (const Row& row : rows) {
        const char* expected[] = {row.half_up, row.half_even, row.down, row.up};
        for (std::size_t m = 0; m < 4; ++m) {
            INFO(row.input << " to " << row.places << " places, " << mode_names[m]);
            const Decimal rounded = value(row.input).round(row.places, modes[m]);
            CHECK(rounded == value(expected[m]));
            CHECK(rounded.fits_places(row.places));
        }
    }
}

TEST_CASE("round rejects more than max_round_places", "[decimal][round]") {
    CHECK_NOTHROW(value("0.5").round(Decimal::max_round_places, Rounding::half_up));
    CHECK_THROWS_AS(value("0.5").round(Decimal::max_round_places + 1, Rounding::half_up), std::out_of_range);
}

TEST_CASE("fits_places and exact decimal text", "[decimal][print]") {
    CHECK(value("2.40").fits_places(1));
    CHECK_FALSE(value("2.45").fits_places(1));
    CHECK(value("7").fits_places(0));
    CHECK_FALSE((Decimal(1) / 3).fits_places(18));
    CHECK((Decimal(1) / 1024).fits_places(10));
    CHECK_FALSE((Decimal(1) / 1024).fits_places(9));
    CHECK(value("1/100000000000000000000000000000").fits_places(29));
    CHECK_FALSE(value("1/100000000000000000000000000000").fits_places(28));

    struct Row {
        const char* input;
        std::optional<std::string> exact;
    };
    const Row rows[] = {
        {"2.4", "2.4"},
        {"-3", "-3"},
        {"0", "0"},
        {"1/8", "0.125"},
        {"-1/40", "-0.025"},
        {"12.500", "12.5"},
        {"-0.001", "-0.001"},
        {"1/3", std::nullopt},
        {"-5/6", std::nullopt},
        {"1/9223372036854775807", std::nullopt},
        {"12345678901234567890.123456789", "12345678901234567890.123456789"},
        {"-0.00000000000000000000000000001", "-0.00000000000000000000000000001"},
        {"1/3000000000000000000000000000000", std::nullopt},
    };
    for (const auto& [input, exact] : rows) {
        INFO(input);
        CHECK(value(input).to_exact_string() == exact);
        CHECK(value(input).to_string() == exact.value_or(value(input).to_fraction_string()));
    }
    CHECK((Decimal(1) / 3).to_string() == "1/3");
}

TEST_CASE("to_fixed_string pads to the requested places", "[decimal][print]") {
    CHECK(value("2.4").to_fixed_string(2) == "2.40");
    CHECK(value("-0.5").to_fixed_string(3) == "-0.500");
    CHECK(value("0").to_fixed_string(2) == "0.00");
    CHECK(value("7").to_fixed_string(0) == "7");
    CHECK(value("-0.05").to_fixed_string(2) == "-0.05");
    CHECK(value("0.001").to_fixed_string(3) == "0.001");
    CHECK(value("123.456").to_fixed_string(18) == "123.456000000000000000");
    CHECK(value("123.456").to_fixed_string(25) == "123.4560000000000000000000000");
    CHECK(value("-9223372036854775808").to_fixed_string(1) == "-9223372036854775808.0");
    CHECK(value("123456789012345678901234567890.5").to_fixed_string(2) == "123456789012345678901234567890.50");
    CHECK((Decimal(1) / 3).round(2, Rounding::half_up).to_fixed_string(2) == "0.33");
    CHECK_THROWS_AS((Decimal(1) / 3).to_fixed_string(2), std::invalid_argument);
    CHECK_THROWS_AS(value("0.125").to_fixed_string(2), std::invalid_argument);
}

TEST_CASE("to_fraction_string and parse_fraction round-trip", "[decimal][fraction]") {
    const Decimal max = int64_max;
    const std::vector<Decimal> values = {
        0, 1, -1, value("0.2"), value("-12.345"), Decimal(1) / 3, Decimal(-22) / 7, int64_max, int64_min,
        max + 1, max * max, -(max * max), Decimal(1) / (max + 1), (max * max + 1) / (max * 3), -(max * max) / 7,
    };
    for (const Decimal& v : values) {
        const std::string text = v.to_fraction_string();
        INFO(text);
        const auto back = Decimal::parse_fraction(text);
        REQUIRE(back.has_value());
        CHECK(*back == v);
        CHECK(back->is_small() == v.is_small());
    }
    CHECK((Decimal(1) / 3).to_fraction_string() == "1/3");
    CHECK(value("-0.2").to_fraction_string() == "-1/5");
    CHECK(Decimal(5).to_fraction_string() == "5");
    CHECK(Decimal::parse_fraction("-2/4") == value("-0.5"));
    CHECK(Decimal::parse_fraction("6/3") == Decimal(2));
    CHECK(Decimal::parse_fraction("0/7") == Decimal(0));
    CHECK(Decimal::parse_fraction("0018/012") == value("1.5"));
    CHECK(Decimal::parse_fraction("9223372036854775808/2") == Decimal(int64_max / 2 + 1));
    CHECK(Decimal::parse_fraction("9223372036854775808/2")->is_small());

    const char* rejected[] = {"", "/", "1/0", "1/-2", "/2", "1/", "-", "a/b", "1/2/3", "+1/2", "1.5/2", "1 /2",
                              "1/ 2", "-0/0", "0x1/2", "1/+2"};
    for (const char* text : rejected) {
        INFO("parse_fraction(\"" << text << "\")");
        CHECK_FALSE(Decimal::parse_fraction(text).has_value());
    }
}

TEST_CASE("division by zero throws DivisionByZero", "[decimal]") {
    CHECK_THROWS_AS(Decimal(1) / 0, DivisionByZero);
    CHECK_THROWS_AS(Decimal(0) / 0, DivisionByZero);
    CHECK_THROWS_AS(value("0.5") / value("-0.0"), DivisionByZero);
    CHECK_THROWS_AS((Decimal(int64_max) * int64_max) / 0, DivisionByZero);
    CHECK_THROWS_AS(Decimal(1) / (Decimal(1) / 3 - Decimal(2) / 6), DivisionByZero);
}

// ---- Property test: field laws, and agreement with cpp_rational computed directly. ----

namespace {

using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

std::string fraction_text(const cpp_rational& r) {
    const cpp_int num = boost::multiprecision::numerator(r);
    const cpp_int den = boost::multiprecision::denominator(r);
    return den == 1 ? num.str() : num.str() + "/" + den.str();
}

bool fits_small(const cpp_rational& r) {
    const auto fits = [](const cpp_int& x) { return x >= int64_min && x <= int64_max; };
    return fits(boost::multiprecision::numerator(r)) && fits(boost::multiprecision::denominator(r));
}

// Numerators and denominators drawn from several magnitudes, so that both the fast path and
// every overflow-to-big path are exercised, plus the int64 edges.
class RationalSource {
public:
    explicit RationalSource(std::uint64_t seed) : rng_(seed) {}

    std::int64_t numerator() {
        if (pick(16) == 0) return edges_[pick(std::size(edges_))];
        const std::int64_t limit = limits_[pick(std::size(limits_))];
        return std::uniform_int_distribution<std::int64_t>(-limit, limit)(rng_);
    }
    std::int64_t denominator() {
        if (pick(16) == 0) return int64_max;
        const std::int64_t limit = limits_[pick(std::size(limits_))];
        return std::uniform_int_distribution<std::int64_t>(1, limit)(rng_);
    }

private:
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

    static constexpr std::int64_t limits_[] = {1, 10, 1000, 1'000'000, 3'000'000'000, int64_max};
    static constexpr std::int64_t edges_[] = {0, 1, -1, int64_max, int64_min, int64_min + 1};
    std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("property: field laws hold and agree with cpp_rational", "[decimal][property]") {
    constexpr int iterations = 20000;
    RationalSource source(0x6b616f6865);  // fixed seed: failures reproduce
    int small_sums = 0;  // both paths must be exercised for the test to mean anything
    int big_sums = 0;
    for (int i = 0; i < iterations; ++i) {
        const std::int64_t an = source.numerator();
        const std::int64_t ad = source.denominator();
        const std::int64_t bn = source.numerator();
        const std::int64_t bd = source.denominator();
        INFO("a = " << an << "/" << ad << ", b = " << bn << "/" << bd);
        const Decimal a = Decimal(an) / ad;
        const Decimal b = Decimal(bn) / bd;
        const cpp_rational ra{cpp_int(an), cpp_int(ad)};
        const cpp_rational rb{cpp_int(bn), cpp_int(bd)};

        REQUIRE(a.to_fraction_string() == fraction_text(ra));
        REQUIRE(a.is_small() == fits_small(ra));

        const Decimal sum = a + b;
        const Decimal difference = a - b;
        const Decimal product = a * b;
        CHECK(sum.to_fraction_string() == fraction_text(ra + rb));
        CHECK(difference.to_fraction_string() == fraction_text(ra - rb));
        CHECK(product.to_fraction_string() == fraction_text(ra * rb));
        CHECK(sum.is_small() == fits_small(ra + rb));
        ++(sum.is_small() ? small_sums : big_sums);
        CHECK(product.is_small() == fits_small(ra * rb));

        CHECK(sum - b == a);
        CHECK(sum == b + a);
        CHECK(product == b * a);
        CHECK(-(-a) == a);
        CHECK(a - a == 0);
        if (!b.is_zero()) {
            const Decimal quotient = a / b;
            CHECK(quotient.to_fraction_string() == fraction_text(ra / rb));
            CHECK(product / b == a);
            CHECK(quotient * b == a);
        } else {
            CHECK_THROWS_AS(a / b, DivisionByZero);
        }

        const int expected_order = ra < rb ? -1 : (rb < ra ? 1 : 0);
        const auto order = a <=> b;
        CHECK((order < 0) == (expected_order < 0));
        CHECK((order == 0) == (expected_order == 0));
        CHECK((order > 0) == (expected_order > 0));
        CHECK((a == b) == (expected_order == 0));
        CHECK(a.sign() == ra.sign());

        const auto round_trip = Decimal::parse_fraction(a.to_fraction_string());
        REQUIRE(round_trip.has_value());
        CHECK(*round_trip == a);
    }
    CHECK(small_sums > iterations / 4);
    CHECK(big_sums > iterations / 10);
}

TEST_CASE("property: is_multiple_of is (a / step).is_integer(), small, near the int64 edges and big", "[decimal][property]") {
    RationalSource source(0x73746570);  // fixed seed: failures reproduce
    int multiples = 0;
    for (int i = 0; i < 20000; ++i) {
        const Decimal step = Decimal(source.numerator()) / source.denominator();
        if (step.is_zero()) continue;
        // Half the time a whole multiple of the step (big when the product leaves int64).
        const Decimal a = i % 2 ? Decimal(source.numerator()) / source.denominator() : step * source.numerator();
        INFO("a = " << a.to_fraction_string() << ", step = " << step.to_fraction_string());
        const bool expected = (a / step).is_integer();
        CHECK(a.is_multiple_of(step) == expected);
        multiples += expected;
    }
    CHECK(multiples > 5000);
    // The steps of real schemes.
    CHECK(Decimal::from_scaled(35, 1).is_multiple_of(Decimal::from_scaled(5, 1)));   // 3.5 in halves
    CHECK_FALSE(Decimal::from_scaled(36, 1).is_multiple_of(Decimal::from_scaled(5, 1)));
    CHECK(Decimal(-6).is_multiple_of(Decimal(3)));
    CHECK(Decimal(6).is_multiple_of(Decimal(-3)));
    CHECK(Decimal(0).is_multiple_of(Decimal::from_scaled(2, 1)));
    CHECK(Decimal(std::numeric_limits<std::int64_t>::min()).is_multiple_of(Decimal(-1)));  // the quotient is big
}

// The inline fast paths (decimal.hpp): a fraction with an integer, and two integers, taken
// without a gcd; checked against cpp_rational, near the int64 edges too.
TEST_CASE("property: fraction-with-integer fast paths agree with cpp_rational", "[decimal][property]") {
    RationalSource source(0x66617374);
    for (int i = 0; i < 20000; ++i) {
        const std::int64_t an = source.numerator();
        const std::int64_t ad = source.denominator();
        const std::int64_t n = source.numerator();
        INFO("a = " << an << "/" << ad << ", n = " << n);
        const Decimal a = Decimal(an) / ad;
        const Decimal whole(n);
        const cpp_rational ra{cpp_int(an), cpp_int(ad)};
        const cpp_rational rn{cpp_int(n)};
        CHECK((a + whole).to_fraction_string() == fraction_text(ra + rn));
        CHECK((whole + a).to_fraction_string() == fraction_text(ra + rn));
        CHECK((a - whole).to_fraction_string() == fraction_text(ra - rn));
        CHECK((whole - a).to_fraction_string() == fraction_text(rn - ra));
        CHECK((whole * whole).to_fraction_string() == fraction_text(rn * rn));
        // n × p/q: reduced by gcd(n, q) alone (0.5 per 次数), either order, zero on either side.
        CHECK((a * whole).to_fraction_string() == fraction_text(ra * rn));
        CHECK((whole * a).to_fraction_string() == fraction_text(ra * rn));
        CHECK(((a * whole).is_small()) == fits_small(ra * rn));
        CHECK((a * Decimal(0)).to_fraction_string() == "0");
        CHECK((Decimal(0) * a).to_fraction_string() == "0");
        Decimal accumulated = a;
        accumulated += whole;
        CHECK(accumulated.to_fraction_string() == fraction_text(ra + rn));
        accumulated -= a;
        CHECK(accumulated == whole);
        CHECK(((a + whole).is_small()) == fits_small(ra + rn));
        // The same denominator (a fraction plus an integer keeps it): 25/2 + 11/2 = 18, one gcd.
        const Decimal b = a - Decimal(n % 1000);
        const cpp_rational rb = ra - cpp_rational(cpp_int(n % 1000));
        if (b.is_small()) {
            CHECK((a + b).to_fraction_string() == fraction_text(ra + rb));
            CHECK((b - a).to_fraction_string() == fraction_text(rb - ra));
            Decimal sum = a;
            sum += b;
            CHECK(sum.to_fraction_string() == fraction_text(ra + rb));
        }
    }
}

// The batch printers (append_rounded, append_exact, append_fixed's direct path) against the
// general ones they shortcut: round() then to_fixed_string, and to_exact_string; small values
// near the int64 edges, values that only the big path can print, every mode and sign.
TEST_CASE("property: the appending printers agree with round and to_fixed_string", "[decimal][print][property]") {
    RationalSource source(0x7072696e74);
    const Rounding modes[] = {Rounding::half_up, Rounding::half_even, Rounding::down, Rounding::up};
    const Decimal past_64_bits = Decimal(int64_max) * 10 + Decimal(1) / 8;  // big, terminating
    for (int i = 0; i < 20000; ++i) {
        const std::int64_t n = source.numerator();
        const std::int64_t d = source.denominator();
        const Decimal a = i % 50 == 0 ? past_64_bits * (n % 3) - Decimal(n) / d : Decimal(n) / d;
        const unsigned places = static_cast<unsigned>(i % (Decimal::max_round_places + 1));
        const Rounding mode = modes[i % 4];
        INFO("a = " << a.to_fraction_string() << ", places " << places);
        // Appended after text already there, as a row is built.
        std::string rounded = "x", expected = "x";
        a.append_rounded(rounded, places, mode);
        expected += a.round(places, mode).to_fixed_string(places);
        CHECK(rounded == expected);
        std::string exact = "x";
        const bool terminates = a.append_exact(exact);
        CHECK(terminates == a.to_exact_string().has_value());
        if (terminates) CHECK(exact.substr(1) == *a.to_exact_string());
    }
    std::string out;
    Decimal(-1).append_rounded(out, 0, Rounding::half_up);
    (Decimal(-1) / 1000).append_rounded(out += ' ', 2, Rounding::half_up);  // rounds to 0: no sign
    (Decimal(-5) / 1000).append_rounded(out += ' ', 2, Rounding::half_up);
    Decimal(int64_min).append_rounded(out += ' ', 1, Rounding::down);       // too big to scale: the big path
    CHECK(out == "-1 0.00 -0.01 -9223372036854775808.0");
    CHECK_THROWS_AS(Decimal(1).append_rounded(out, Decimal::max_round_places + 1, Rounding::half_up),
                    std::out_of_range);
}

TEST_CASE("from_scaled reduces mantissa / 10^places exactly", "[decimal][parse]") {
    struct Case {
        std::int64_t mantissa;
        unsigned places;
        const char* fraction;
    };
    const Case cases[] = {
        {0, 5, "0"},        {855, 1, "171/2"},      {-855, 1, "-171/2"}, {25, 2, "1/4"},
        {75, 2, "3/4"},     {120, 2, "6/5"},        {1000, 3, "1"},      {3, 0, "3"},
        {1, 18, "1/1000000000000000000"},           {int64_max, 18, "9223372036854775807/1000000000000000000"},
        {int64_min, 18, "-35184372088832/3814697265625"}, {625, 4, "1/16"}, {3125, 5, "1/32"},
    };
    for (const Case& c : cases) {
        INFO(c.mantissa << " / 10^" << c.places);
        CHECK(Decimal::from_scaled(c.mantissa, c.places).to_fraction_string() == c.fraction);
        CHECK(Decimal::from_scaled(c.mantissa, c.places) == value(c.fraction));
    }
    CHECK_THROWS_AS(Decimal::from_scaled(1, Decimal::max_round_places + 1), std::out_of_range);
    // Every mantissa and place count agrees with cpp_rational.
    RationalSource source(0x7363616c);
    for (int i = 0; i < 20000; ++i) {
        const std::int64_t m = source.numerator();
        const auto places = static_cast<unsigned>(i % (Decimal::max_round_places + 1));
        INFO(m << " / 10^" << places);
        const cpp_rational expected{cpp_int(m), boost::multiprecision::pow(cpp_int(10), places)};
        CHECK(Decimal::from_scaled(m, places).to_fraction_string() == fraction_text(expected));
    }
}

TEST_CASE("small_parts and from_small_parts give a small value back exactly; a big one has none", "[decimal]") {
    for (const Decimal& d : {value("0"), value("-2.75"), Decimal(1) / 3, Decimal(int64_min), value("123456789.123456789")}) {
        std::int64_t num = 0, den = 0;
        REQUIRE(d.small_parts(num, den));
        const Decimal back = Decimal::from_small_parts(num, den);
        CHECK(back == d);
        CHECK(back.is_small());
        CHECK(back.to_string() == d.to_string());
    }
    std::int64_t num = 0, den = 0;
    CHECK_FALSE(value("98765432109876543210").small_parts(num, den));
}

// The digit printer every printer ends in (write_scaled) against text made by std::to_string and
// a point put in by hand: every power of ten and its neighbours, the int64 edges, every places.
TEST_CASE("printing mantissa / 10^places agrees with the digits of std::to_string", "[decimal][print]") {
    std::vector<std::int64_t> mantissas = {0, 1, 9, 10, 11, 99, 100, 101, int64_max, int64_min + 1, int64_min};
    for (std::int64_t p = 10; p <= int64_max / 10; p *= 10)
        for (const std::int64_t m : {p - 1, p, p + 1, 10 * p - 1}) mantissas.push_back(m);
    const std::size_t positives = mantissas.size();
    for (std::size_t k = 0; k < positives; ++k)
        if (mantissas[k] > 0) mantissas.push_back(-mantissas[k]);
    for (const std::int64_t m : mantissas)
        for (unsigned places = 0; places <= Decimal::max_round_places; ++places) {
            std::string digits = std::to_string(m);
            const bool negative = digits.front() == '-';
            if (negative) digits.erase(0, 1);
            if (digits.size() <= places) digits.insert(0, places + 1 - digits.size(), '0');
            if (places > 0) digits.insert(digits.size() - places, 1, '.');
            const std::string expected = (negative ? "-" : "") + digits;
            INFO(m << " / 10^" << places);
            const Decimal d = Decimal::from_scaled(m, places);
            CHECK(d.to_fixed_string(places) == expected);
            std::string rounded;
            d.append_rounded(rounded, places, Rounding::half_up);
            CHECK(rounded == expected);
        }
}
