"""Tables as files: the same rows a page shows and the JSON carries, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from flask import Response
from flask import request
from openpyxl import Workbook

CSV, XLSX = "csv", "xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wanted_format(asked: str) -> str:
    """`?format=` wins; otherwise `Accept: text/csv` asks for CSV."""
    if asked != "json":
        return asked
    best = request.accept_mimetypes.best_match(["application/json", "text/csv", XLSX_TYPE])
    return {"text/csv": CSV, XLSX_TYPE: XLSX}.get(best or "", "json")


def table_file(
    name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str
) -> Response:
    """A download of the table: CSV in UTF-8 with a BOM (Excel reads Vietnamese), or XLSX."""
    if fmt == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
        body, mimetype = ("\ufeff" + buffer.getvalue()).encode(), "text/csv"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        body, mimetype = out.getvalue(), XLSX_TYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
