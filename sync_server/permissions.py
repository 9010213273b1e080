"""Who may read and write what: roles × communities × kinds, in one table-like module.

* ``social_worker`` — reads and writes families, people, visits, notes, foster-care
  placements and the case cycle's records (cases, needs assessments, plan tasks) of own
  communities;
* ``supervisor`` — the same in own communities, plus reviews;
* ``coordinator``, ``admin`` — every community, every kind a person writes;
* ``conflict`` records are written by the server only (a person resolves a conflict by writing
  the field again with ``supersedes`` naming both sides); supervisors, coordinators and admins
  pull every conflict of their communities, a social worker only those they wrote a side of.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind, Role

ALL_COMMUNITIES = frozenset(CommunityCode)
ALL_SEEING_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
FIELD_KINDS = frozenset({RecordKind.FAMILY, RecordKind.PERSON, RecordKind.VISIT, RecordKind.NOTE,
                         RecordKind.PLACEMENT, RecordKind.CASE, RecordKind.ASSESSMENT,
                         RecordKind.PLAN_TASK})
WRITABLE_KINDS: dict[Role, frozenset[RecordKind]] = {
    Role.SOCIAL_WORKER: FIELD_KINDS,
    Role.SUPERVISOR: FIELD_KINDS | {RecordKind.REVIEW},
    Role.COORDINATOR: FIELD_KINDS | {RecordKind.REVIEW},
    Role.ADMIN: FIELD_KINDS | {RecordKind.REVIEW},
}
#: Roles that may export a community's visits (their readable communities only).
EXPORT_ROLES = frozenset({Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN})
#: Roles that pull every conflict record of their communities. A social worker pulls only the
#: conflicts whose winning or losing side they wrote.
CONFLICT_REVIEWERS = frozenset({Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN})
#: Roles that see when their communities' devices last reached the server.
DEVICE_ACTIVITY_ROLES = frozenset({Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN})
#: Fields that name the person who wrote the record: they must be the pushing user.
AUTHOR_FIELDS = {RecordKind.VISIT: "author", RecordKind.NOTE: "author",
                 RecordKind.REVIEW: "reviewer", RecordKind.ASSESSMENT: "assessor"}


def sees_all_conflicts(role: Role) -> bool:
    """Whether ``role`` pulls every conflict of its communities (else only its own)."""
    return role in CONFLICT_REVIEWERS


def scope(role: Role, bound: frozenset[CommunityCode]) -> frozenset[CommunityCode]:
    """Communities a user of ``role`` bound to ``bound`` may see."""
    return ALL_COMMUNITIES if role in ALL_SEEING_ROLES else bound


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user and device of a request."""

    user_id: int
    username: str
    role: Role
    bound: frozenset[CommunityCode]
    device_id: UUID

    @property
    def communities(self) -> frozenset[CommunityCode]:
        """Communities this user may see."""
        return scope(self.role, self.bound)

    @property
    def conflicts_of(self) -> str | None:
        """Whose conflicts this user pulls: ``None`` for every conflict, else own only."""
        return None if sees_all_conflicts(self.role) else self.username

    def may_read(self, community: CommunityCode) -> bool:
        """True when the user may see records of ``community``."""
        return community in self.communities

    def write_refusal(self, kind: RecordKind, community: CommunityCode) -> str | None:
        """Why the user may not write a ``kind`` record in ``community`` (``None``: may)."""
        if kind is RecordKind.CONFLICT:
            return ("Записи конфліктів створює лише сервер: розв'яжіть конфлікт, змінивши поле "
                    "(conflict records are written by the server only)")
        if community not in self.communities:
            return f"Немає доступу до громади {community.value} (no access to this community)"
        if kind not in WRITABLE_KINDS[self.role]:
            return f"Роль {self.role.value} не може записувати {kind.value} (role may not write)"
        return None
