"""Hand-written XLSX fixtures: workbooks written with openpyxl in the layout of a real file."""

import io
import re
import zipfile

import openpyxl


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX with one sheet per entry, rows written as given (None = empty cell)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_declared_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook with every sheet declaring ``<dimension ref=…>`` (the databrowser quirk)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), content)
            target.writestr(item, content)
    return buffer.getvalue()
