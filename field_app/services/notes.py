"""Social-support notes over the encrypted store: append-only, corrected by new notes.

A note is never edited or deleted (the store and the server refuse it): a correction is a new
note whose ``corrects`` names the old one, and the old one is then shown as corrected, with
a link to the correction. Plain functions (no Flet) that block; views call them through
``app.blocking``. Drafts as for visits (``draft_store``): ``note.new.<family>`` /
``note.fix.<note>``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from field_app.services.draft_store import Draft, discard_draft, load_draft, note_key
from field_app.services.problem import Problem
from field_app.services.visits import (
    NotAuthor,
    NotFound,
    family_visits,
    get_family,
    is_id,
    reviews_of,
)
from field_app.store import LocalStore
from shared_models.enums import RecordKind
from shared_models.messages import explain
from shared_models.records import Family, Note, Review, Visit


@dataclass
class NoteForm:
    """The note being written (the id is fixed when the form opens: a re-save after a crash
    stores the same note, not a second one)."""

    family_id: str
    community: str
    author: str
    note_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    text: str = ""
    corrects: str | None = None

    def to_draft(self) -> dict[str, Any]:
        """JSON-ready copy (what the draft stores)."""
        return asdict(self)

    @classmethod
    def from_draft(cls, data: dict[str, Any]) -> NoteForm:
        """The form a draft holds."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def build(self, now: datetime) -> tuple[Note | None, dict[str, Problem]]:
        """The ``Note`` written at ``now``, or the problem with its text."""
        try:
            note = Note.model_validate({
                "id": self.note_id, "community": self.community, "family_id": self.family_id,
                "text": self.text, "written_at": now, "author": self.author,
                "corrects": self.corrects})
        except ValidationError as exc:
            problems: dict[str, Problem] = {}
            for err in exc.errors():   # the text is the only field the worker types
                problems.setdefault("text", Problem.literal(explain(err, "uk"),
                                                            explain(err, "en")))
            return None, problems
        return note, {}


@dataclass
class OpenNote:
    """What the note screen needs: the family, the form, the note being corrected, a draft."""

    family: Family
    form: NoteForm
    draft_key: str
    corrected: Note | None = None
    restored: Draft | None = None


@dataclass(frozen=True, slots=True)
class NoteRow:
    """A note with its place in a chain of corrections."""

    note: Note
    corrected_by: Note | None    # the newest correction of this note, if any
    corrects: Note | None        # the note this one corrects, if any
    reviews: list[Review]
    synced: bool


def _corrections(notes: list[Note]) -> dict[str, Note]:
    """Note id -> the note that corrects it (the latest written, if several do)."""
    out: dict[str, Note] = {}
    for n in sorted(notes, key=lambda n: n.written_at):
        if n.corrects is not None:
            out[str(n.corrects)] = n
    return out


def _latest(note: Note, corrected_by: dict[str, Note]) -> Note:
    """The end of the chain of corrections that starts at ``note``."""
    seen = {str(note.id)}
    while str(note.id) in corrected_by:
        note = corrected_by[str(note.id)]
        if str(note.id) in seen:   # a loop cannot be built by this app; never spin on one
            break
        seen.add(str(note.id))
    return note


def open_note(store: LocalStore, family_id: str, *, corrects: str | None = None,
              now: datetime | None = None) -> OpenNote:
    """The note form: new, or correcting ``corrects`` (the newest version of it, so a
    correction is never made to text that was already corrected)."""
    if not is_id(family_id) or (corrects is not None and not is_id(corrects)):
        raise NotFound(corrects or family_id)
    fam = get_family(store, family_id)
    old: Note | None = None
    if corrects is not None:
        found = store.get(Note, corrects)
        if found is None or str(found.family_id) != family_id:
            raise NotFound(corrects)
        old = _latest(found, _corrections(store.all(Note, family_id=family_id)))
        if old.author != store.user:
            raise NotAuthor(corrects)
    key = note_key(family_id, str(old.id) if old else None)
    draft = load_draft(store, key)
    if draft is not None:
        form = NoteForm.from_draft(draft.data)
    else:
        form = NoteForm(family_id=family_id, community=fam.community.value, author=store.user,
                        text=old.text if old else "", corrects=str(old.id) if old else None)
    return OpenNote(fam, form, key, old, draft)


@dataclass(frozen=True, slots=True)
class NoteSaved:
    """A stored note, or the problems that stopped it."""

    note: Note | None
    problems: dict[str, Problem] = field(default_factory=dict)


def save(store: LocalStore, form: NoteForm, draft_key: str, *,
         now: datetime | None = None) -> NoteSaved:
    """Store the note (append-only) and delete its draft; idempotent by the note's id."""
    existing = store.get(Note, form.note_id)
    if existing is not None:   # saved before a crash cut the rest short: finish, do not repeat
        discard_draft(store, draft_key)
        return NoteSaved(existing)
    if form.corrects is not None and form.text.strip() == _old_text(store, form.corrects):
        return NoteSaved(None, {"text": Problem("note.err.unchanged")})
    note, problems = form.build(now or datetime.now(UTC))
    if note is None:
        return NoteSaved(None, problems)
    store.save(note)
    discard_draft(store, draft_key)
    return NoteSaved(note)


def _old_text(store: LocalStore, note_id: str) -> str | None:
    old = store.get(Note, note_id)
    return old.text.strip() if old else None


def family_notes(store: LocalStore, family_id: str) -> list[NoteRow]:
    """A family's notes, newest first, each with its corrections and reviews."""
    notes = store.all(Note, family_id=family_id)
    by_id = {str(n.id): n for n in notes}
    corrected_by = _corrections(notes)
    unsynced = store.unsynced_ids()
    rows = [NoteRow(n, corrected_by.get(str(n.id)),
                    by_id.get(str(n.corrects)) if n.corrects else None,
                    reviews_of(store, RecordKind.NOTE, str(n.id)), str(n.id) not in unsynced)
            for n in notes]
    return sorted(rows, key=lambda r: r.note.written_at, reverse=True)


def note_row(store: LocalStore, family_id: str, note_id: str) -> NoteRow:
    """One note of a family with its corrections and reviews."""
    if not (is_id(family_id) and is_id(note_id)):
        raise NotFound(note_id)
    for row in family_notes(store, family_id):
        if str(row.note.id) == note_id:
            return row
    raise NotFound(note_id)


@dataclass(frozen=True, slots=True)
class FamilyRecords:
    """A family with its visits and notes (newest first) and what is not sent yet."""

    family: Family
    visits: list[Visit]
    notes: list[NoteRow]
    unsynced: set[str]


def family_records(store: LocalStore, family_id: str) -> FamilyRecords:
    """The family, its visits and its notes (``NotFound`` when it is not on this device)."""
    if not is_id(family_id):
        raise NotFound(family_id)
    fam = get_family(store, family_id)
    return FamilyRecords(fam, family_visits(store, family_id), family_notes(store, family_id),
                         store.unsynced_ids())


__all__ = [
    "FamilyRecords",
    "NotAuthor",
    "NotFound",
    "NoteForm",
    "NoteRow",
    "NoteSaved",
    "OpenNote",
    "family_notes",
    "family_records",
    "note_row",
    "open_note",
    "save",
]
