"""``/api/v1/calendar``: the work calendar the operator set, for any signed-in device.

Devices count an assessment's 5 working days offline; this is how they all learn the same
rules (``PORUCH_WORK_CALENDAR``). The answer's ETag is the calendar's version: a device that
already has it asks with ``If-None-Match`` and gets an empty 304.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from shared_models.protocol import CALENDAR_PATH, CalendarAnswer
from sync_server.deps import CurrentDevice, SettingsDep

router = APIRouter(tags=["calendar"])


@router.get(CALENDAR_PATH.removeprefix("/api/v1"), response_model=CalendarAnswer,
            responses={304: {"description": "The device's calendar is the current one"}})
def calendar(principal: CurrentDevice, settings: SettingsDep, request: Request,
             response: Response) -> CalendarAnswer | Response:
    """Which days are working days (weekends, holidays, martial law, the Cabinet's moves)."""
    del principal  # any signed-in device may read it; the dependency is the check
    answer = CalendarAnswer.of(settings.calendar)
    etag = f'"{answer.version}"'
    wanted = {t.strip().removeprefix("W/") for t in
              request.headers.get("if-none-match", "").split(",")}
    if etag in wanted:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return answer
