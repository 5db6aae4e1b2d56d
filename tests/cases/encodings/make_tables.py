#!/usr/bin/env python3
"""Writes the encoding test tables from examples/wenling-2013/evidence/*.txt: one CSV table of
the five units, as Excel on Chinese Windows saves it, in three encodings with the same text:
  utf8.csv      "CSV UTF-8" without the BOM
  utf8_bom.csv  "CSV UTF-8 (逗号分隔)": a BOM
  gbk.csv       plain "CSV (逗号分隔)": GBK (code page 936)
CRLF line ends; a quoted cell with commas and doubled quotes, and one with a line break (CRLF)
inside. Run from this folder: python3 make_tables.py"""
import pathlib, re

here = pathlib.Path(__file__).resolve().parent
evidence = here.parents[2] / "examples" / "wenling-2013" / "evidence"

units = []
for path in sorted(evidence.glob("*.txt")):
    facts, records = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        line = re.sub(r'\s+source ".*"$', "", line).strip()
        if not line:
            continue
        if line.startswith("unit "):
            facts["单位"] = line[5:].strip('"')
        elif line.startswith("group "):
            facts["组别"] = line[6:]
        elif "+=" in line:
            body = line.split("+=", 1)[1].strip().strip("{}")
            record = dict(re.findall(r'(\S+): ("[^"]*"|[^,]+)', body))
            records.append({k: v.strip().strip('"') for k, v in record.items()})
        else:
            name, value = line.split(":", 1)
            facts[name.strip()] = value.strip()
    units.append((facts, records))

# The cells quoting has to carry: commas and doubled quotes, and a line break inside a cell.
units[0][1][0]["名称"] = '网格化管理, 组团式服务 ("全覆盖")'
units[0][1][1]["名称"] = "街道干部\r\n民情夜访"

names = [k for k in units[0][0]]
most = max(len(r) for _, r in units)
fields = ["名称", "推广", "报道"]
header = names + [f"创新做法[{i}].{f}" for i in range(1, most + 1) for f in fields]

def cell(text):
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text

rows = [",".join(header)]
for facts, records in units:
    row = [facts.get(n, "") for n in names]
    for i in range(most):
        row += [records[i].get(f, "") if i < len(records) else "" for f in fields]
    rows.append(",".join(cell(c) for c in row))
text = "\r\n".join(rows) + "\r\n"

(here / "utf8.csv").write_bytes(text.encode("utf-8"))
(here / "utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
(here / "gbk.csv").write_bytes(text.encode("gbk"))
