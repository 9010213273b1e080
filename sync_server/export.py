"""Exports of visits and services per community and period, with Ukrainian headers.

(The cases of a period are ``export_cases``; this module's CSV writer serves them too.)

Read from the typed ``visit`` and ``family`` tables. One row per visit: date and time (Kyiv),
community and its KATOTTG code, settlement, family id, visit id, place, worker, risk, the
services' ЄІССС classifier codes and names. Plus the number of visits and of families per
service and community, with the codes. Data minimisation: families are named by their ids
only — no names, addresses, phones or free text leave the server in an export; who needs a
name looks the id up in the app, where access is checked and audited.

Periods are whole days in Kyiv time, ``start`` and ``end`` included. CSV is UTF-8 with a BOM
(spreadsheet programs then read the Cyrillic right); the XLSX writer is ``export_xlsx``.
Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) is
neutralised in both formats.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from shared_models.communities import CommunityCode, community
from shared_models.enums import RecordKind
from shared_models.services import SERVICES
from sync_server.db import as_utc
from sync_server.tables import KIND_TABLES

#: Visits are shown, and periods counted, in Ukrainian local time.
KYIV = ZoneInfo("Europe/Kyiv")
VISIT_HEADERS = ("Дата і час візиту", "Громада", "КАТОТТГ", "Населений пункт",
                 "Ідентифікатор сім'ї", "Ідентифікатор візиту", "Місце", "Фахівець",
                 "Рівень ризику", "Коди послуг (ЄІССС)", "Послуги")
SERVICE_HEADERS = ("Громада", "КАТОТТГ", "Код послуги (ЄІССС)", "Ключ послуги", "Послуга",
                   "Кількість візитів", "Кількість сімей")
PLACES = {"home": "Вдома", "centre": "У центрі", "school": "У закладі освіти",
          "phone": "Телефоном", "other": "Інше"}
RISKS = {"low": "Низький", "medium": "Середній", "high": "Високий"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class VisitLine:
    """One visit as exported."""

    at: datetime                 # Kyiv local time, aware
    community: CommunityCode
    settlement: str
    family_id: str
    visit_id: str
    place: str
    author: str
    risk: str
    services: tuple[str, ...]    # catalogue keys

    def cells(self) -> list[str | datetime]:
        """The row under ``VISIT_HEADERS`` (the time stays a datetime for XLSX)."""
        info = community(self.community)
        known = [SERVICES[k] for k in self.services if k in SERVICES]
        return [self.at, info.name_uk, info.katottg, self.settlement, self.family_id,
                self.visit_id, PLACES.get(self.place, self.place), self.author,
                RISKS.get(self.risk, self.risk), "; ".join(s.code for s in known if s.code),
                "; ".join(s.name_uk for s in known)]


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Visits and families that received one service in one community."""

    community: CommunityCode
    key: str
    visits: int
    families: int

    def cells(self) -> list[str | int]:
        """The row under ``SERVICE_HEADERS``."""
        info, s = community(self.community), SERVICES[self.key]
        return [info.name_uk, info.katottg, s.code, s.key, s.name_uk, self.visits,
                self.families]


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants that begin ``start`` and end ``end`` (exclusive) in Kyiv time."""
    return (datetime.combine(start, time.min, KYIV),
            datetime.combine(end + timedelta(days=1), time.min, KYIV))


def visit_lines(conn: Connection, *, codes: Iterable[CommunityCode], start: date, end: date
                ) -> list[VisitLine]:
    """Visits (not deleted) of ``codes`` from ``start`` to ``end`` inclusive, oldest first."""
    v, f = KIND_TABLES[RecordKind.VISIT], KIND_TABLES[RecordKind.FAMILY]
    lo, hi = day_bounds(start, end)
    rows = conn.execute(
        select(v.c.visited_at, v.c.community, f.c.settlement, v.c.family_id, v.c.id,
               v.c.place, v.c.author, v.c.risk_level, v.c.services)
        .select_from(v.outerjoin(f, f.c.id == v.c.family_id))
        .where(v.c.community.in_(sorted(c.value for c in codes)), v.c.deleted.is_(False),
               v.c.visited_at >= lo, v.c.visited_at < hi)
        .order_by(v.c.visited_at, v.c.id)).all()
    return [VisitLine(as_utc(at).astimezone(KYIV), CommunityCode(code), settlement or "",
                      str(fid), str(vid), place, author, risk, tuple(services or ()))
            for at, code, settlement, fid, vid, place, author, risk, services in rows]


def service_lines(visits: Sequence[VisitLine]) -> list[ServiceLine]:
    """Visits and distinct families per service and community, by community then code."""
    counts: dict[tuple[CommunityCode, str], int] = defaultdict(int)
    families: dict[tuple[CommunityCode, str], set[str]] = defaultdict(set)
    for line in visits:
        for key in line.services:
            if key in SERVICES:
                counts[line.community, key] += 1
                families[line.community, key].add(line.family_id)
    order = {c: i for i, c in enumerate(CommunityCode)}
    keys = sorted(counts, key=lambda ck: (order[ck[0]], SERVICES[ck[1]].code or "~", ck[1]))
    return [ServiceLine(c, k, counts[c, k], len(families[c, k])) for c, k in keys]


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading ``'`` is the usual escape)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([
            v.strftime("%d.%m.%Y %H:%M") if isinstance(v, datetime)
            else v.strftime("%d.%m.%Y") if isinstance(v, date)
            else safe_text(v) if isinstance(v, str) else v
            for v in row])
    return "\ufeff" + out.getvalue()


def visits_csv(lines: Sequence[VisitLine]) -> str:
    """The visits table as CSV text."""
    return _csv(VISIT_HEADERS, (line.cells() for line in lines))


def services_csv(lines: Sequence[ServiceLine]) -> str:
    """The services table as CSV text."""
    return _csv(SERVICE_HEADERS, (line.cells() for line in lines))


def table_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Any export table as CSV text (dates as 22.11.2026, times as 22.11.2026 10:00)."""
    return _csv(headers, rows)


def file_stem(codes: Sequence[CommunityCode], start: date, end: date) -> str:
    """A file name without extension: ``poruch-<community or "all">-<start>-<end>``."""
    where = codes[0].value if len(codes) == 1 else (
        "all" if set(codes) == set(CommunityCode) else f"{len(codes)}-communities")
    return f"poruch-{where}-{start}-{end}"
