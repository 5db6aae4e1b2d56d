#!/usr/bin/env python3
"""Writes N units of examples/town-office-posts as one CSV table to stdout, deterministically:
the example's eight units (tests/cases/perf/town-office-posts.csv) repeated under new names,
with the rank, a score the population means read and the duty absences varied -- the same
rows as tests/cases/batch_jobs_test.cpp `population_table`. docs/performance.md "Schemes with
population rules" measures its figures on this table: gen_town_office.py 100000 > units.csv"""
import os
import sys

def main():
    units = int(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "tests", "cases", "perf", "town-office-posts.csv"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    columns = lines[0].count(",") + 1
    state = 7
    def next_below(n):
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (state >> 33) % n
    out = sys.stdout
    out.write(lines[0] + "\n")
    for u in range(units):
        cells = lines[1 + u % (len(lines) - 1)].split(",")
        cells += [""] * (columns - len(cells))
        cells = cells[:columns]
        cells[0] += str(u)
        cells[2] = str(1 + next_below(8))
        cells[4] = str(10 + next_below(6))
        cells[15] = str(next_below(4))
        out.write(",".join(cells) + "\n")

main()
