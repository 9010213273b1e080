"""The visits-and-services export as one XLSX workbook (``openpyxl``, a server dependency).

Four sheets: «Візити» (one row per visit, the time a real date cell), «Послуги» (visits and
families per service and community, with ЄІССС codes), «Випадки» (one row per case of the
period: stage, terms, closure; ``export_cases``) and «Параметри» (what was exported, for which
period, when and by whom). Header rows are bold and frozen, with filters on.
Every text cell is written as text, so a value that starts with ``=`` is never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shared_models.communities import CommunityCode, community
from sync_server.export import (
    KYIV,
    SERVICE_HEADERS,
    VISIT_HEADERS,
    ServiceLine,
    VisitLine,
)
from sync_server.export_cases import CASE_HEADERS, CaseLine

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VISITS_SHEET, SERVICES_SHEET, ABOUT_SHEET = "Візити", "Послуги", "Параметри"
CASES_SHEET = "Випадки"
_WIDTHS = {VISITS_SHEET: (18, 22, 22, 20, 38, 38, 16, 22, 14, 22, 60),
           SERVICES_SHEET: (22, 22, 18, 22, 60, 18, 16),
           CASES_SHEET: (22, 22, 38, 38, 18, 26, 14, 14, 14, 18, 14, 14, 14, 14, 40, 24)}


def _sheet(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"          # never a formula, whatever the text
            elif isinstance(cell.value, datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    for i, width in enumerate(_WIDTHS.get(ws.title, ()), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def workbook_bytes(*, visits: Sequence[VisitLine], services: Sequence[ServiceLine],
                   cases: Sequence[CaseLine], codes: Sequence[CommunityCode], start: date,
                   end: date, exported_by: str, exported_at: datetime) -> bytes:
    """The workbook as XLSX bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = VISITS_SHEET
    _sheet(ws, VISIT_HEADERS, [line.cells() for line in visits])
    _sheet(wb.create_sheet(SERVICES_SHEET), SERVICE_HEADERS,
           [line.cells() for line in services])
    _sheet(wb.create_sheet(CASES_SHEET), CASE_HEADERS, [line.cells() for line in cases])
    about = wb.create_sheet(ABOUT_SHEET)
    for label, value in (
            ("Громади", ", ".join(community(c).name_uk for c in codes)),
            ("Період з", start.strftime("%d.%m.%Y")),
            ("Період по", end.strftime("%d.%m.%Y")),
            ("Візитів", len(visits)),
            ("Випадків", len(cases)),
            ("Сформовано", exported_at.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")),
            ("Ким", exported_by),
            ("Примітка", "Сім'ї позначено ідентифікаторами, без імен (мінімізація даних)")):
        about.append([label, value])
    for cell in about["B"]:
        cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 70
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
