// The evidence-file AST: a unit's facts as written, before they are typed against a scheme.
// Parsed by the same front end as schemes (lang/parse.hpp), so errors look the same.
//
//   # comment
//   unit "城东街道"
//   group 街道
//   全员驻村: yes                      source "台账 p.12"
//   住夜未落实: 7
//   出席率: 85%
//   驻村百晓: 未落实
//   创新做法 += { 名称: "网格化管理", 推广: 省级, 报道: 台州市 }   source "浙委办简报第12期"
//   创新做法: []
//   民主测评: { 好: 20, 较好: 8, 一般: 2, 较差: 0 }
//   self 1.2: 4.5                        source "自查表"
#pragma once

#include "lang/diagnostic.hpp"

#include <string>
#include <vector>

namespace kaohe::ast {

// A value as written. Typing (is "7" a count? is 未落实 one of the choices?) happens in
// runtime/evidence against the scheme's declarations, never here.
struct RawValue {
    enum class Kind : std::uint8_t { number, word, string, empty_list, record };
    Kind kind = Kind::number;
    Span span;
    std::string text;      // number: digits as written (with '-' when negative); word: the
                           // identifier (yes, 是, 未落实); string: the unescaped contents
    bool percent = false;  // number written with a trailing %
    struct FieldValue;
    std::vector<FieldValue> fields;  // record: its fields in written order
};

struct RawValue::FieldValue {
    std::string name;
    Span name_span;
    RawValue value;
};

struct Fact {
    Span span;           // the fact's name
    std::string name;    // empty for a self-assessment line
    std::string self_path;  // `self 1.2: 4.5`: the node number a self-assessed score is for
    bool append = false;  // `name += {record}`: appends one record to a list
    RawValue value;
    std::string source;  // `source "..."`: where the fact came from, or empty
};

struct EvidenceFile {
    std::string file;
    std::string unit;   // `unit "..."` (required)
    Span unit_span;
    std::string group;  // `group X` (optional)
    Span group_span;
    std::vector<Fact> facts;
};

}  // namespace kaohe::ast
