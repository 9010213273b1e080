"""Notes over a real store: append-only, corrections as new notes, drafts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from field_app.services import notes
from field_app.services.draft_store import load_draft, note_key, save_draft
from field_app.services.problem import LITERAL, Problem
from field_app.store import LocalStore, RecordRefused
from shared_models.records import Family, Note
from tests.ui.stores import real_store

T0 = datetime.now(UTC) - timedelta(hours=2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def fam(store: LocalStore) -> Family:
    f = Family(community="zhytomyrska", family_name="Мельник", settlement="Пулини")
    store.save(f)
    return f


def write(store: LocalStore, fam: Family, text: str, *, corrects: str | None = None,
          at: datetime = T0) -> Note:
    opened = notes.open_note(store, str(fam.id), corrects=corrects)
    opened.form.text = text
    saved = notes.save(store, opened.form, opened.draft_key, now=at)
    assert saved.note is not None, saved.problems
    return saved.note


def test_a_note_is_saved_once_and_cannot_be_changed_or_deleted(
        store: LocalStore, fam: Family) -> None:
    note = write(store, fam, "Мама отримала довідку.")
    assert store.get(Note, note.id) == note
    with pytest.raises(RecordRefused):
        store.save(note.model_copy(update={"text": "Інший текст"}))
    with pytest.raises(RecordRefused):
        store.delete(Note, note.id)
    assert store.get(Note, note.id) == note


def test_an_empty_note_is_refused_in_plain_words(store: LocalStore, fam: Family) -> None:
    opened = notes.open_note(store, str(fam.id))
    opened.form.text = "   "
    saved = notes.save(store, opened.form, opened.draft_key)
    assert saved.note is None
    problem = saved.problems["text"]
    assert problem.key == LITERAL and problem.params["uk"] == "Заповніть це поле"
    assert store.all(Note) == []


def test_a_correction_is_a_new_note_and_the_old_one_shows_it(
        store: LocalStore, fam: Family) -> None:
    old = write(store, fam, "Візит перенесено на 12.11.")
    opened = notes.open_note(store, str(fam.id), corrects=str(old.id))
    assert opened.corrected == old and opened.form.text == old.text   # starts from the old text
    assert opened.draft_key == note_key(str(fam.id), str(old.id))
    opened.form.text = "Візит перенесено на 14.11."
    new = notes.save(store, opened.form, opened.draft_key, now=T0 + timedelta(hours=1)).note
    assert new is not None and new.corrects == old.id
    assert store.get(Note, old.id) == old                            # untouched
    rows = {str(r.note.id): r for r in notes.family_notes(store, str(fam.id))}
    assert rows[str(old.id)].corrected_by == new
    assert rows[str(new.id)].corrects == old
    assert [r.note.id for r in notes.family_notes(store, str(fam.id))] == [new.id, old.id]


def test_correcting_a_corrected_note_corrects_its_newest_version(
        store: LocalStore, fam: Family) -> None:
    first = write(store, fam, "Текст 1")
    second = write(store, fam, "Текст 2", corrects=str(first.id), at=T0 + timedelta(minutes=5))
    opened = notes.open_note(store, str(fam.id), corrects=str(first.id))
    assert opened.corrected == second and opened.form.text == "Текст 2"
    third = write(store, fam, "Текст 3", corrects=str(first.id), at=T0 + timedelta(minutes=9))
    assert third.corrects == second.id
    row = notes.note_row(store, str(fam.id), str(first.id))
    assert row.corrected_by == second
    assert notes.note_row(store, str(fam.id), str(second.id)).corrected_by == third


def test_an_unchanged_correction_is_refused(store: LocalStore, fam: Family) -> None:
    old = write(store, fam, "Без змін")
    opened = notes.open_note(store, str(fam.id), corrects=str(old.id))
    saved = notes.save(store, opened.form, opened.draft_key)
    assert saved.note is None and saved.problems == {"text": Problem("note.err.unchanged")}


def test_only_the_author_corrects_and_unknown_notes_are_not_found(
        store: LocalStore, fam: Family) -> None:
    old = write(store, fam, "Нотатка Олени")
    store.set_user("petro")
    with pytest.raises(notes.NotAuthor):
        notes.open_note(store, str(fam.id), corrects=str(old.id))
    with pytest.raises(notes.NotFound):
        notes.open_note(store, str(fam.id), corrects=str(uuid.uuid4()))
    with pytest.raises(notes.NotFound):
        notes.open_note(store, str(fam.id), corrects="not-an-id")


def test_note_drafts_are_restored_and_deleted_on_save(store: LocalStore, fam: Family) -> None:
    opened = notes.open_note(store, str(fam.id))
    opened.form.text = "Половина нотат"
    save_draft(store, opened.draft_key, opened.form.to_draft())
    again = notes.open_note(store, str(fam.id))
    assert again.restored is not None and again.form == opened.form
    again.form.text += "ки"
    saved = notes.save(store, again.form, again.draft_key)
    assert saved.note is not None and saved.note.id == uuid.UUID(opened.form.note_id)
    assert load_draft(store, again.draft_key) is None
    # Saving the same form again (a crash after the save, the draft still there) adds nothing.
    save_draft(store, again.draft_key, again.form.to_draft())
    assert notes.save(store, again.form, again.draft_key).note == saved.note
    assert len(store.all(Note)) == 1
    assert load_draft(store, again.draft_key) is None
