// The grammars have no left recursion and no loop that can match without consuming input.
#include "lang/grammar.hpp"

#include <tao/pegtl/contrib/analyze.hpp>

#include <catch2/catch.hpp>

TEST_CASE("scheme grammar has no analysis problems") {
    CHECK(tao::pegtl::analyze<kaohe::grammar::scheme_file>(1) == 0);
}

TEST_CASE("evidence file grammar has no analysis problems") {
    CHECK(tao::pegtl::analyze<kaohe::grammar::evidence::file>(1) == 0);
}

TEST_CASE("evidence cell grammar has no analysis problems") {
    CHECK(tao::pegtl::analyze<kaohe::grammar::evidence::cell>(1) == 0);
}
