// Interval arithmetic behind the scheme checks (compiler/interval.hpp): unbounded sides, signs,
// and 0 × ∞ = 0 (a count with no upper bound times a rule that may be 0 can still be 0).
#include "compiler/interval.hpp"

#include <catch2/catch.hpp>

using kaohe::Decimal;
using kaohe::Interval;

namespace {
Decimal d(const char* text) { return *Decimal::parse(text); }
}  // namespace

TEST_CASE("interval sums and differences") {
    Interval a = Interval::between(0, 4), b = Interval::between(1, 2);
    CHECK((a + b).lo == Decimal(1));
    CHECK((a + b).hi == Decimal(6));
    CHECK((a - b).lo == Decimal(-2));
    CHECK((a - b).hi == Decimal(3));
    Interval open = Interval::at_least(0);
    CHECK_FALSE((a + open).hi);
    CHECK((a + open).lo == Decimal(0));
    CHECK_FALSE((a - open).lo);
    CHECK((a - open).hi == Decimal(4));
}

TEST_CASE("interval products keep exact decimals and treat 0 x infinity as 0") {
    Interval per = Interval::between(d("0.5"), d("0.5"));
    Interval count = Interval::between(0, 12);
    Interval p = per * count;
    CHECK(p.lo == Decimal(0));
    CHECK(p.hi == Decimal(6));
    Interval unbounded_count = Interval::at_least(0);
    Interval q = per * unbounded_count;
    CHECK(q.lo == Decimal(0));
    CHECK_FALSE(q.hi);
    Interval signs = Interval::between(-1, 1) * Interval::between(0, 10);
    CHECK(signs.lo == Decimal(-10));
    CHECK(signs.hi == Decimal(10));
    Interval zero = Interval::exactly(0) * Interval::unbounded();
    CHECK(zero.lo == Decimal(0));
    CHECK(zero.hi == Decimal(0));
}

TEST_CASE("interval quotients are unbounded when the divisor can be 0") {
    Interval q = Interval::between(0, 12) / Interval::between(3, 4);
    CHECK(q.lo == Decimal(0));
    CHECK(q.hi == Decimal(4));
    Interval thirds = Interval::exactly(1) / Interval::exactly(3);
    CHECK(*thirds.lo + *thirds.lo + *thirds.lo == Decimal(1));  // exact, never a float
    Interval maybe_zero = Interval::between(1, 2) / Interval::between(0, 2);
    CHECK_FALSE(maybe_zero.lo);
    CHECK_FALSE(maybe_zero.hi);
    Interval negative = Interval::between(1, 2) / Interval::between(-4, -2);
    CHECK(negative.lo == Decimal(-1));
    CHECK(negative.hi == d("-0.25"));
}

TEST_CASE("min, max, hull and describe") {
    Interval a = Interval::between(0, 3), b = Interval::at_least(2);
    CHECK(kaohe::min_of(a, b).lo == Decimal(0));
    CHECK(kaohe::min_of(a, b).hi == Decimal(3));
    CHECK(kaohe::max_of(a, b).lo == Decimal(2));
    CHECK_FALSE(kaohe::max_of(a, b).hi);
    CHECK(kaohe::hull(a, Interval::exactly(-1)).lo == Decimal(-1));
    CHECK(kaohe::describe(a) == "0..3");
    CHECK(kaohe::describe(Interval::exactly(d("2.5"))) == "2.5");
    CHECK(kaohe::describe(b) == "2 or more, with no upper bound");
    CHECK(kaohe::describe(Interval::unbounded()) == "any number");
    CHECK(a.inside(0, 4));
    CHECK_FALSE(b.inside(0, 100));
}
