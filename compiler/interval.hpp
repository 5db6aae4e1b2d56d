// Intervals over exact decimals, for the scheme checks: what can a rule's amount be, given the
// declared ranges of the evidence it reads? Bounds are inclusive; a missing bound is infinite
// (a count with no `within` has no upper bound). Over-approximates: the real set of values is
// always inside the interval.
#pragma once

#include "runtime/decimal.hpp"

#include <optional>
#include <string>

namespace kaohe {

struct Interval {
    std::optional<Decimal> lo;  // nullopt: unbounded below
    std::optional<Decimal> hi;  // nullopt: unbounded above

    static Interval exactly(const Decimal& d) { return {d, d}; }
    static Interval between(const Decimal& lo, const Decimal& hi) { return {lo, hi}; }
    static Interval unbounded() { return {}; }
    static Interval at_least(const Decimal& lo) { return {lo, std::nullopt}; }

    bool bounded() const { return lo && hi; }
    // True when every value of *this lies in [outer_lo, outer_hi].
    bool inside(const Decimal& outer_lo, const Decimal& outer_hi) const {
        return lo && hi && outer_lo <= *lo && *hi <= outer_hi;
    }
};

Interval operator+(const Interval& a, const Interval& b);
Interval operator-(const Interval& a, const Interval& b);
Interval operator*(const Interval& a, const Interval& b);
Interval operator/(const Interval& a, const Interval& b);  // unbounded when b may be 0
Interval operator-(const Interval& a);
Interval hull(const Interval& a, const Interval& b);       // smallest interval holding both
Interval min_of(const Interval& a, const Interval& b);
Interval max_of(const Interval& a, const Interval& b);

// "0..4", "0 or more", "at most 3", "any number"
std::string describe(const Interval& iv);

}  // namespace kaohe
