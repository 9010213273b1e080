"""Child process of the draft crash test: a worker typing a form until the process is killed.

It opens the store, opens the visit form of the family (or, with ``family_id`` "new", the
new-family form), restoring the draft left by the previous run as the app does, and types
the rest of ``TEXT`` into "child's needs" (the new family's address) in bursts with pauses,
through the real ``DraftSaver`` (debounced writes off the loop). After each draft write has
returned it prints ``SAVED <length>``; the parent kills it with SIGKILL at a random moment
and checks that the restored draft holds at least that much.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import TextIO

from field_app.services import form_drafts, visits
from field_app.services.draft_store import DraftSaver
from field_app.store import LocalStore

PIN = "246810"
TEXT = ("Дитина доглянута, у школу ходить щодня. Мама працює на пів ставки, бабуся допомагає. "
        "Потрібна консультація логопеда й довідка для соціальної допомоги. ") * 20
#: Debounce delay used here (shorter than the app's, so many writes land before a kill).
DELAY_S = 0.05


async def type_visit(path: Path, family_id: str, seed: int, out: TextIO) -> None:
    """Open the form (restoring the draft) and type until killed."""
    store = LocalStore.open(path, PIN)
    opened = await asyncio.to_thread(visits.open_new, store, family_id)
    form = opened.form
    if not TEXT.startswith(form.child_needs):
        raise RuntimeError("the restored draft is not what was typed")

    def write(data: dict[str, object]) -> None:
        visits.write_draft(store, opened.draft_key, data)
        out.write(f"SAVED {len(str(data['child_needs']))}\n")
        out.flush()

    saver: DraftSaver[dict[str, object]] = DraftSaver(form.to_draft, write, delay=DELAY_S)
    rng = random.Random(seed)
    out.write(f"READY {len(form.child_needs)}\n")
    out.flush()
    while len(form.child_needs) < len(TEXT):
        for _ in range(rng.randint(1, 12)):            # a burst of keystrokes
            form.child_needs = TEXT[:len(form.child_needs) + 1]
            saver.changed()
            await asyncio.sleep(rng.uniform(0.0, 0.02))
        await asyncio.sleep(rng.uniform(0.0, 0.12))    # a pause: the debounce fires
    await saver.flush()
    out.write("DONE\n")
    out.flush()
    await asyncio.sleep(3600)                          # wait for the kill


async def type_family(path: Path, seed: int, out: TextIO) -> None:
    """Open the new-family form (restoring the pending draft) and type its address."""
    store = LocalStore.open(path, PIN)
    opened = await asyncio.to_thread(form_drafts.open_new_family, store, me="olena",
                                     communities=["zhytomyrska"])
    form = opened.form
    if not TEXT.startswith(form.address):
        raise RuntimeError("the restored draft is not what was typed")

    def write(data: dict[str, object]) -> None:
        visits.write_draft(store, opened.key, data)
        out.write(f"SAVED {len(str(data['address']))}\n")
        out.flush()

    saver: DraftSaver[dict[str, object]] = DraftSaver(
        lambda: form_drafts.record_form_data(form), write, delay=DELAY_S)
    rng = random.Random(seed)
    out.write(f"READY {len(form.address)}\n")
    out.flush()
    while len(form.address) < len(TEXT):
        for _ in range(rng.randint(1, 12)):
            form.set("address", TEXT[:len(form.address) + 1])
            saver.changed()
            await asyncio.sleep(rng.uniform(0.0, 0.02))
        await asyncio.sleep(rng.uniform(0.0, 0.12))
    await saver.flush()
    out.write("DONE\n")
    out.flush()
    await asyncio.sleep(3600)


def run(path: Path, family_id: str, seed: int, out: TextIO) -> None:
    """Entry point for the forked child (``family_id`` "new": the new-family form)."""
    if family_id == "new":
        asyncio.run(type_family(path, seed, out))
    else:
        asyncio.run(type_visit(path, family_id, seed, out))


if __name__ == "__main__":  # by hand: python -m tests.ui.draft_child <store> <family> <seed>
    run(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.stdout)
