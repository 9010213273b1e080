"""Routes of the app, the four places, and the guard that keeps locked data out of view.

Plain Python (no Flet) so the table is tested on its own. Paths::

    /setup                              first start
    /unlock                             unlock with the PIN
    /families                           families (place 0)
    /families/new                       add a family
    /families/{family_id}               family card
    /families/{family_id}/edit          edit the family
    /families/{family_id}/members/new   add a member
    /families/{family_id}/members/{person_id}   edit or remove a member
    /families/{family_id}/visits/new    visit form
    /families/{family_id}/visits/{visit_id}        a visit, read-only, with its reviews
    /families/{family_id}/visits/{visit_id}/edit   the author amends it
    /families/{family_id}/notes/new     note (``?corrects=<note_id>``: a correction)
    /families/{family_id}/notes/{note_id}          a note, its corrections and reviews
    /families/{family_id}/placements/new            foster-care placement (new)
    /families/{family_id}/placements/{placement_id} foster-care placement
    /families/{family_id}/cases/new     a request opening a case (``?reopens=<case_id>``)
    /families/{family_id}/cases/{case_id}/plan          the support plan
    /families/{family_id}/cases/{case_id}/tasks/new     a new task of the plan
    /families/{family_id}/cases/{case_id}/tasks/{task_id}  a task of the plan
    /families/{family_id}/cases/{case_id}/extend        extend the support
    /families/{family_id}/cases/{case_id}/close         close the case
    /families/{family_id}/cases/{case_id}/assessment  the case's needs-assessment act
    /visits                             due visits (place 1)
    /sync                               sync status (place 2)
    /more                               more (place 3)
    /more/settings                      settings
    /more/review                        review queue (supervisors, coordinators) or the
                                        worker's visits and notes returned for changes
    /more/review/{kind}/{target_id}     one visit or note: read-only, decisions, actions
    /more/dashboard                     supervisors' overview of their communities
    /more/exports                       visits and services as XLSX / CSV
    /more/placements                    every foster-care placement, most urgent first
    /more/settings/pin                  change the PIN
    /more/settings/sign-out             sign out (erases this phone's data)
    /more/conflicts                     edit conflicts
    /more/conflicts/{conflict_id}       one conflict: the two values, resolve
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

from field_app.services.state import Phase


class Place(IntEnum):
    """The four places of the bottom navigation, in order."""

    FAMILIES = 0
    VISITS = 1
    SYNC = 2
    MORE = 3


PLACE_PATHS = {Place.FAMILIES: "/families", Place.VISITS: "/visits", Place.SYNC: "/sync",
               Place.MORE: "/more"}

_ID = r"(?P<{}>[A-Za-z0-9-]{{1,64}})"

#: name -> (pattern, place, parent route name or None)
TABLE: dict[str, tuple[str, Place | None, str | None]] = {
    "setup": ("/setup", None, None),
    "unlock": ("/unlock", None, None),
    "families": ("/families", Place.FAMILIES, None),
    "family_new": ("/families/new", Place.FAMILIES, "families"),
    "family": ("/families/{family_id}", Place.FAMILIES, "families"),
    "family_edit": ("/families/{family_id}/edit", Place.FAMILIES, "family"),
    "member_new": ("/families/{family_id}/members/new", Place.FAMILIES, "family"),
    "member": ("/families/{family_id}/members/{person_id}", Place.FAMILIES, "family"),
    "visit_new": ("/families/{family_id}/visits/new", Place.FAMILIES, "family"),
    "visit": ("/families/{family_id}/visits/{visit_id}", Place.FAMILIES, "family"),
    "note_new": ("/families/{family_id}/notes/new", Place.FAMILIES, "family"),
    # "new" before the id patterns, which would match it too.
    "visit_edit": ("/families/{family_id}/visits/{visit_id}/edit", Place.FAMILIES, "visit"),
    "note": ("/families/{family_id}/notes/{note_id}", Place.FAMILIES, "family"),
    "placement_new": ("/families/{family_id}/placements/new", Place.FAMILIES, "family"),
    "placement": ("/families/{family_id}/placements/{placement_id}", Place.FAMILIES, "family"),
    "case_new": ("/families/{family_id}/cases/new", Place.FAMILIES, "family"),
    "case_plan": ("/families/{family_id}/cases/{case_id}/plan", Place.FAMILIES, "family"),
    "task_new": ("/families/{family_id}/cases/{case_id}/tasks/new", Place.FAMILIES,
                 "case_plan"),
    "task": ("/families/{family_id}/cases/{case_id}/tasks/{task_id}", Place.FAMILIES,
             "case_plan"),
    "case_extend": ("/families/{family_id}/cases/{case_id}/extend", Place.FAMILIES, "family"),
    "case_close": ("/families/{family_id}/cases/{case_id}/close", Place.FAMILIES, "family"),
    "assessment": ("/families/{family_id}/cases/{case_id}/assessment", Place.FAMILIES,
                   "family"),
    "visits": ("/visits", Place.VISITS, None),
    "sync": ("/sync", Place.SYNC, None),
    "more": ("/more", Place.MORE, None),
    "settings": ("/more/settings", Place.MORE, "more"),
    "review": ("/more/review", Place.MORE, "more"),
    "review_item": ("/more/review/{kind}/{target_id}", Place.MORE, "review"),
    "dashboard": ("/more/dashboard", Place.MORE, "more"),
    "exports": ("/more/exports", Place.MORE, "more"),
    "placements": ("/more/placements", Place.MORE, "more"),
    "change_pin": ("/more/settings/pin", Place.MORE, "settings"),
    "sign_out": ("/more/settings/sign-out", Place.MORE, "settings"),
    "conflicts": ("/more/conflicts", Place.MORE, "more"),
    "conflict": ("/more/conflicts/{conflict_id}", Place.MORE, "conflicts"),
}

_COMPILED = [
    (name, re.compile("^" + re.sub(r"\{(\w+)\}", lambda m: _ID.format(m.group(1)),
                                   pattern) + "/?$"))
    for name, (pattern, _, _) in TABLE.items()
]


@dataclass(frozen=True)
class Route:
    """A parsed route: its name, parameters and the path it came from."""

    name: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    #: Query parameters (``?corrects=<id>``); not part of ``path``.
    query: dict[str, str] = field(default_factory=dict)

    @property
    def place(self) -> Place | None:
        """The place this route belongs to (None for setup, unlock, not found)."""
        entry = TABLE.get(self.name)
        return entry[1] if entry else None

    @property
    def parent(self) -> Route | None:
        """The route "back" leads to, or None for top-level routes."""
        entry = TABLE.get(self.name)
        if not entry or entry[2] is None:
            return None
        parent_name = entry[2]
        pattern = TABLE[parent_name][0]
        needed = set(re.findall(r"\{(\w+)\}", pattern))
        return Route(parent_name, path_for(parent_name, **{k: self.params[k] for k in needed}),
                     {k: self.params[k] for k in needed})


def parse(path: str) -> Route:
    """The route of a path (query in ``query``); name "not_found" when nothing matches."""
    without_fragment = (path or "/").split("#", 1)[0]
    clean, _, query_text = without_fragment.partition("?")
    clean = clean or "/"
    # Our query values are ids and words: no percent-decoding needed (and no urllib in views).
    query = dict(part.partition("=")[::2] for part in query_text.split("&") if part)
    for name, regex in _COMPILED:
        if m := regex.match(clean):
            return Route(name, clean.rstrip("/") or "/", m.groupdict(), query)
    return Route("not_found", clean)


def path_for(name: str, **params: str) -> str:
    """The path of a named route with its parameters filled."""
    return TABLE[name][0].format(**params)


HOME = "/families"


def guard(route: Route, phase: Phase) -> str | None:
    """Where to go instead of ``route`` in ``phase``, or None when it may be shown.

    Before setup only /setup; while locked only /unlock; once unlocked, setup and unlock
    (and the bare root) lead to the families.
    """
    if phase is Phase.SETUP:
        return None if route.name == "setup" else "/setup"
    if phase is Phase.LOCKED:
        return None if route.name == "unlock" else "/unlock"
    if route.name in ("setup", "unlock") or route.path == "/":
        return HOME
    return None
