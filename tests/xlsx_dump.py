#!/usr/bin/env python3
"""Dumps an .xlsx workbook as text with openpyxl, an Excel reader independent of kaohe and of
libxlsxwriter, for tests/cases/xlsx_test.cpp. One record a line, fields separated by tabs:

  property <name> <value>             the document properties (core.xml)
  sheet <name>                        each sheet, in the workbook's order, then its contents:
  freeze <cell>                       the top-left cell of the unfrozen pane ("-": none)
  width <column> <width>              each column's width, where set
  height <row> <points>               each row's height, where set
  cell <cell> <type> <format> <bold> <wrap> <link> <value>
                                      each cell with a value: type n (number) or s (text), the
                                      number format, bold 0/1, wrap 0/1, the hyperlink's place in
                                      the workbook ("'Sheet'!A1", or "-"), and the value: a number
                                      as Python prints it (the shortest text that reads back as
                                      the stored double), text as it is

In values, a backslash is written \\\\, a tab \\t and a line break \\n.
Usage: xlsx_dump.py FILE.xlsx
"""
import sys

import openpyxl


def escape(value):
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def main():
    workbook = openpyxl.load_workbook(sys.argv[1])
    props = workbook.properties
    for name in ("title", "subject", "creator", "description", "created", "modified"):
        value = getattr(props, name)
        if value is not None:
            print("property", name, escape(value.isoformat() if hasattr(value, "isoformat") else value), sep="\t")
    for sheet in workbook.worksheets:
        print("sheet", escape(sheet.title), sep="\t")
        print("freeze", sheet.freeze_panes or "-", sep="\t")
        for letter, dimension in sorted(sheet.column_dimensions.items()):
            if dimension.width:
                print("width", letter, dimension.width, sep="\t")
        for number, dimension in sorted(sheet.row_dimensions.items()):
            if dimension.height:
                print("height", number, dimension.height, sep="\t")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float, str)):
                    kind = "?"
                else:
                    kind = "s" if isinstance(cell.value, str) else "n"
                link = cell.hyperlink.location if cell.hyperlink is not None and cell.hyperlink.location else "-"
                print("cell", cell.coordinate, kind, escape(cell.number_format), int(bool(cell.font.b)),
                      int(bool(cell.alignment.wrap_text)), escape(link), escape(cell.value), sep="\t")


if __name__ == "__main__":
    main()
