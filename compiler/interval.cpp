#include "compiler/interval.hpp"

#include <fmt/format.h>

#include <array>

namespace kaohe {
namespace {

// A bound of an interval: a decimal, or an infinity with a sign.
struct Bound {
    int infinite = 0;  // -1: -infinity, +1: +infinity, 0: finite
    Decimal value;

    int sign() const { return infinite != 0 ? infinite : value.sign(); }
};

Bound lower(const Interval& iv) { return iv.lo ? Bound{0, *iv.lo} : Bound{-1, {}}; }
Bound upper(const Interval& iv) { return iv.hi ? Bound{0, *iv.hi} : Bound{+1, {}}; }

// 0 × ∞ is 0 here: a bound of 0 on one factor really is 0, whatever the other is.
Bound times(const Bound& a, const Bound& b) {
    if (a.infinite == 0 && b.infinite == 0) return {0, a.value * b.value};
    int s = a.sign() * b.sign();
    return s == 0 ? Bound{0, Decimal{}} : Bound{s, {}};
}

bool less(const Bound& a, const Bound& b) {
    if (a.infinite != b.infinite) return a.infinite < b.infinite;
    return a.infinite == 0 && a.value < b.value;
}

std::optional<Decimal> finite(const Bound& b) {
    return b.infinite == 0 ? std::optional<Decimal>(b.value) : std::nullopt;
}

}  // namespace

Interval operator+(const Interval& a, const Interval& b) {
    Interval r;
    if (a.lo && b.lo) r.lo = *a.lo + *b.lo;
    if (a.hi && b.hi) r.hi = *a.hi + *b.hi;
    return r;
}

Interval operator-(const Interval& a) {
    Interval r;
    if (a.hi) r.lo = -*a.hi;
    if (a.lo) r.hi = -*a.lo;
    return r;
}

Interval operator-(const Interval& a, const Interval& b) { return a + (-b); }

Interval operator*(const Interval& a, const Interval& b) {
    const std::array<Bound, 4> products{times(lower(a), lower(b)), times(lower(a), upper(b)),
                                        times(upper(a), lower(b)), times(upper(a), upper(b))};
    Bound lo = products[0], hi = products[0];
    for (const auto& p : products) {
        if (less(p, lo)) lo = p;
        if (less(hi, p)) hi = p;
    }
    return {finite(lo), finite(hi)};
}

Interval operator/(const Interval& a, const Interval& b) {
    // A divisor that may be zero (or reach it) gives no useful bound.
    bool positive = b.lo && b.lo->sign() > 0;
    bool negative = b.hi && b.hi->sign() < 0;
    if (!positive && !negative) return Interval::unbounded();
    // 1/b for b in [lo, hi] (not containing 0) is [1/hi, 1/lo]; 1/∞ is 0.
    Interval reciprocal;
    reciprocal.lo = b.hi ? Decimal(1) / *b.hi : Decimal(0);
    reciprocal.hi = b.lo ? Decimal(1) / *b.lo : Decimal(0);
    return a * reciprocal;
}

Interval hull(const Interval& a, const Interval& b) {
    Interval r;
    if (a.lo && b.lo) r.lo = Decimal::min(*a.lo, *b.lo);
    if (a.hi && b.hi) r.hi = Decimal::max(*a.hi, *b.hi);
    return r;
}

Interval min_of(const Interval& a, const Interval& b) {
    Interval r;
    if (a.lo && b.lo) r.lo = Decimal::min(*a.lo, *b.lo);
    if (a.hi && b.hi) r.hi = Decimal::min(*a.hi, *b.hi);
    else if (a.hi) r.hi = a.hi;
    else r.hi = b.hi;
    return r;
}

Interval max_of(const Interval& a, const Interval& b) { return -min_of(-a, -b); }

std::string describe(const Interval& iv) {
    if (iv.lo && iv.hi) {
        if (*iv.lo == *iv.hi) return iv.lo->to_string();
        return fmt::format("{}..{}", iv.lo->to_string(), iv.hi->to_string());
    }
    if (iv.lo) return fmt::format("{} or more, with no upper bound", iv.lo->to_string());
    if (iv.hi) return fmt::format("at most {}, with no lower bound", iv.hi->to_string());
    return "any number";
}

}  // namespace kaohe
