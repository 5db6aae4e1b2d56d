// A readable dump of the ASTs, one construct a line, for golden tests (tests/lang/data/good/*.ast)
// and for debugging (`kaohe` may offer it). Expressions print fully parenthesised, so the dump
// shows how precedence was resolved: 1 + 2 * 3 prints (+ 1 (* 2 3)).
#pragma once

#include "lang/ast.hpp"
#include "lang/evidence_ast.hpp"

#include <string>

namespace kaohe::ast {

std::string print(const Expr& e);
std::string print(const Scheme& s);
std::string print(const EvidenceFile& f);

}  // namespace kaohe::ast
