// Value: what an evidence slot holds and what the VM's stack holds.
#pragma once

#include "runtime/decimal.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kaohe {

struct Value;
using Record = std::vector<Value>;  // fields in the order of the list's FieldSpec::fields
using List = std::vector<Record>;

struct Value {
    // votes: `list` holds one Record of counts (numbers), one per value of the tally's choice type
    enum class Tag : std::uint8_t { number, yes_no, choice, text, list, votes };
    Tag tag = Tag::number;
    bool yes = false;              // yes_no
    std::uint32_t choice = 0;      // choice: index into its ChoiceType::values
    Decimal number;                // number (counts, decimals, points, money, percents as fractions)
    std::shared_ptr<const std::string> text;  // text
    std::shared_ptr<const List> list;         // list (immutable once loaded)

    // Makes this a copy of `other` touching only what `other`'s tag uses: copying a number or a
    // yes/no touches no reference count (the VM's LOAD). Fields the tag does not use keep stale
    // values, which nothing reads. Always inlined: the VM's LOAD and FIELD are little else.
    [[gnu::always_inline]] void assign_used(const Value& other) {
        tag = other.tag;
        switch (other.tag) {
        case Tag::number: number = other.number; break;
        case Tag::yes_no: yes = other.yes; break;
        case Tag::choice: choice = other.choice; break;
        case Tag::text: text = other.text; break;
        case Tag::list:
        case Tag::votes: list = other.list; break;
        }
    }

    static Value of_number(Decimal d) { Value v; v.number = std::move(d); return v; }
    static Value of_yes_no(bool b) { Value v; v.tag = Tag::yes_no; v.yes = b; return v; }
    static Value of_choice(std::uint32_t c) { Value v; v.tag = Tag::choice; v.choice = c; return v; }
    static Value of_text(std::string s) {
        Value v; v.tag = Tag::text; v.text = std::make_shared<const std::string>(std::move(s)); return v;
    }
    static Value of_list(List l) {
        Value v; v.tag = Tag::list; v.list = std::make_shared<const List>(std::move(l)); return v;
    }
};

}  // namespace kaohe
