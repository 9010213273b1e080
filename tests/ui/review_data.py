"""Records and a stand-in server for the review tests (service and flow tests).

``Relay`` merges what stores push with the shared rule and hands every store the whole
current state of each record, as the real feed does (one community). The real server is
used in ``tests/sync/test_review_e2e.py`` and the browser test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from field_app.store import LocalStore
from field_app.sync import Account
from shared_models.merge import RecordState, merge_records
from shared_models.protocol import RecordChange
from shared_models.records import Family, Note, Visit

ZH = "zhytomyrska"
NOW = datetime.now(UTC)


class Relay:
    """Merges what stores push and gives every store all it has not seen (one community)."""

    def __init__(self) -> None:
        self.states: dict[str, RecordState] = {}
        self.position: dict[str, int] = {}

    def put(self, state: RecordState) -> None:
        """Accept a change (merged with what is there) at a new feed position."""
        rid = state.id
        self.states[rid] = merge_records(self.states[rid], state) if rid in self.states \
            else state
        self.position[rid] = max(self.position.values(), default=0) + 1

    def sync(self, store: LocalStore) -> None:
        """Push the store's outbox (acknowledged), then give it every record."""
        pending = store.pending_changes()
        for p in pending:
            self.put(p.to_mutation().to_state(store.user))
        store.acknowledge([p.mutation_id for p in pending])
        changes = [RecordChange.of(
            s.id, s.kind, s.community, self.position[rid],
            {n: (fs.value, fs.clock, fs.current.author) for n, fs in s.fields.items()})
            for rid, s in self.states.items()]
        store.apply_pull(changes, {ZH: max(self.position.values(), default=0)})


def account(store: LocalStore, role: str, communities: tuple[str, ...] = (ZH,)) -> Account:
    """The account of the store's user with ``role``."""
    return Account(username=store.user, role=role, communities=list(communities),
                   device_id="d")


def family(store: LocalStore, name: str) -> Family:
    """A new family saved in ``store``."""
    f = Family(community=ZH, family_name=name, settlement="Житомир")
    store.save(f)
    return f


def visit(store: LocalStore, fam: Family, risk: str, hours_ago: float, author: str = "",
          **kw: Any) -> Visit:
    """A new visit saved in ``store`` (by its user unless ``author`` is given)."""
    v = Visit(community=ZH, family_id=fam.id, risk_level=risk, author=author or store.user,
              visited_at=NOW - timedelta(hours=hours_ago), **kw)
    store.save(v)
    return v


def note(store: LocalStore, fam: Family, hours_ago: float, **kw: Any) -> Note:
    """A new note saved in ``store``."""
    n = Note(community=ZH, family_id=fam.id, text="Мати погодилась на консультацію",
             author=store.user, written_at=NOW - timedelta(hours=hours_ago), **kw)
    store.save(n)
    return n
