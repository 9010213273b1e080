"""CSV exports of a community's visits and services for a period (Ukrainian headers).

Read from the typed ``visit`` table. Rows carry record ids, dates, risk, worker and service
codes (for ЄІССС), not names: a family is named by its id, to keep exports minimal.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from shared_models.communities import CommunityCode, community
from shared_models.enums import RecordKind
from shared_models.services import SERVICES
from sync_server.db import as_utc
from sync_server.tables import KIND_TABLES

VISIT_HEADERS = ("Громада", "КАТОТТГ", "Ідентифікатор візиту", "Ідентифікатор сім'ї",
                 "Дата візиту", "Місце", "Рівень ризику", "Фахівець", "Коди послуг", "Послуги")
SERVICE_HEADERS = ("Громада", "КАТОТТГ", "Ключ послуги", "Код класифікатора", "Послуга",
                   "Кількість візитів")
_PLACES = {"home": "Вдома", "centre": "У центрі", "school": "У школі", "phone": "Телефоном",
           "other": "Інше"}
#: Visits are shown in Ukrainian local time, as the workers recorded them.
KYIV = ZoneInfo("Europe/Kyiv")
_RISK = {"low": "Низький", "medium": "Середній", "high": "Високий"}


def _visits(conn: Connection, code: CommunityCode, start: date, end: date) -> list[Any]:
    v = KIND_TABLES[RecordKind.VISIT]
    lo = datetime.combine(start, time.min, UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, UTC)
    return list(conn.execute(
        select(v.c.id, v.c.family_id, v.c.visited_at, v.c.place, v.c.risk_level, v.c.author,
               v.c.services)
        .where(v.c.community == code.value, v.c.deleted.is_(False),
               v.c.visited_at >= lo, v.c.visited_at < hi)
        .order_by(v.c.visited_at, v.c.id)).all())


def _local(at: datetime) -> datetime:
    return as_utc(at).astimezone(KYIV)


def _csv(headers: tuple[str, ...], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    # A BOM so spreadsheet programs open the Cyrillic as UTF-8.
    return "\ufeff" + out.getvalue()


def visits_csv(conn: Connection, *, code: CommunityCode, start: date, end: date) -> tuple[str, int]:
    """CSV of visits in ``code`` from ``start`` to ``end`` (inclusive), and the row count."""
    info = community(code)
    rows = []
    for vid, fid, at, place, risk, author, services in _visits(conn, code, start, end):
        keys = list(services or [])
        rows.append([
            info.name_uk, info.katottg, str(vid), str(fid),
            _local(at).strftime("%d.%m.%Y %H:%M"),
            _PLACES.get(place, place), _RISK.get(risk, risk), author,
            "; ".join(SERVICES[k].code or k for k in keys if k in SERVICES),
            "; ".join(SERVICES[k].name_uk for k in keys if k in SERVICES)])
    return _csv(VISIT_HEADERS, rows), len(rows)


def services_csv(conn: Connection, *, code: CommunityCode, start: date, end: date
                 ) -> tuple[str, int]:
    """CSV counting visits per service in ``code`` for the period, and the row count."""
    info = community(code)
    counts: Counter[str] = Counter()
    for *_, services in _visits(conn, code, start, end):
        counts.update(k for k in (services or []) if k in SERVICES)
    rows = [[info.name_uk, info.katottg, k, SERVICES[k].code, SERVICES[k].name_uk, n]
            for k, n in sorted(counts.items())]
    return _csv(SERVICE_HEADERS, rows), len(rows)
