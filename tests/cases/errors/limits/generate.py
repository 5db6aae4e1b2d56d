#!/usr/bin/env python3
"""Writes the oversized inputs of the limits/ cases (run once; the outputs are checked in).

Each goes far past one limit of docs/limits.md, so the case shows the limit's error, not a
crash or a hang: 10,000-deep nesting of expressions and evidence values, 1,000-deep nodes (the parser recurses per level), 100,000-digit numbers.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPTH = 10_000
DIGITS = 100_000

HEADER = '''scheme "极限" {{
  total 10
  evidence {{
    次数: count 次 "次数"
  }}
{body}
}}
'''


def write(name: str, text: str) -> None:
    (HERE / name).write_text(text, encoding="utf-8")


# An amount in 10,000 parentheses: ((((...次数...)))).
write("deep_expression.kh", HEADER.format(
    body='  section "一" points 10 {\n    deduct ' + "(" * DEPTH + "次数" + ")" * DEPTH + "\n  }"))

# 1,000 nested nodes (four times the limit; 10,000 would be a 200 KB file to check in, and the
# parser stops at the limit either way): item "" points 10 { ... }.
NODE_DEPTH = 1_000
write("deep_nodes.kh", HEADER.format(
    body="".join('item"" points 10{\n' for _ in range(NODE_DEPTH)) + "deduct 次数\n" + "}\n" * NODE_DEPTH))

# A node's points with 100,000 digits.
write("long_number.kh", HEADER.format(
    body='  section "一" points ' + "1" * DIGITS + " {\n    deduct 次数\n  }"))

# Evidence: a count with 100,000 digits, and a value nested 10,000 records deep.
write("long_number.txt", 'unit "城东街道"\n次数: ' + "9" * DIGITS + "\n")
write("deep_record.txt", 'unit "城东街道"\n次数: ' + "{a:" * DEPTH + "1" + "}" * DEPTH + "\n")

# The scheme the evidence cases are read against.
write("scheme.kh", HEADER.format(body='  section "一" points 10 {\n    deduct 0.5 per 次数\n  }'))
