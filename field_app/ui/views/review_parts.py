"""Pieces the review screens share: risk by word and colour, status words, marks, record fields.

Risk is never colour alone: the chip says "Ризик: високий" on the risk colour. A note's chip
says it is the family's risk (from the latest visit), and a family without any visit gets an
outlined "Ризик не оцінено".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date, format_datetime
from field_app.services.reviews import Decision, Detail, ReviewState, Status
from field_app.ui import theme
from shared_models.enums import RecordKind, ReviewDecision, RiskLevel, VisitPlace
from shared_models.records import Note, Visit

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext

#: Icon and colour of each review state, beside its words.
STATE_ICONS: dict[ReviewState, tuple[ft.IconData, str | None]] = {
    ReviewState.PENDING: (ft.Icons.HOURGLASS_EMPTY, None),
    ReviewState.APPROVED: (ft.Icons.CHECK_CIRCLE_OUTLINE, "#2E7D32"),
    ReviewState.RETURNED: (ft.Icons.ASSIGNMENT_RETURN_OUTLINED, ft.Colors.ERROR),
    ReviewState.AMENDED: (ft.Icons.EDIT_NOTE, None),
    ReviewState.CORRECTED: (ft.Icons.EDIT_NOTE, None),
}


def risk_chip(app: ViewContext, risk: RiskLevel | None, of_family: bool, key: str | None = None
              ) -> ft.Control:
    """The risk in words on its colour (green, amber, red), or "not assessed" outlined."""
    if risk is None:
        return ft.Container(
            content=ft.Text(app.t("review.risk_unknown"), size=12),
            border=ft.Border.all(1, ft.Colors.OUTLINE), border_radius=12,
            padding=ft.Padding.symmetric(horizontal=8, vertical=2), key=key)
    level = app.tr.label(risk)
    words = app.t("review.family_risk" if of_family else "risk.label", level=level)
    return ft.Container(
        content=ft.Text(words, size=12, color=ft.Colors.WHITE, weight=ft.FontWeight.W_600),
        bgcolor=theme.risk_color(risk), border_radius=12,
        padding=ft.Padding.symmetric(horizontal=8, vertical=2), key=key)


def state_words(app: ViewContext, status: Status) -> str:
    """The state in words; "amended" says whether it was returned or approved before."""
    if status.state is ReviewState.AMENDED:
        latest = status.latest
        approved = latest is not None and latest.decision is ReviewDecision.APPROVED
        return app.t("review.state.amended_approved" if approved else "review.state.amended")
    return app.t(f"review.state.{status.state.value}")


def mark(icon: ft.IconData, words: str, color: str | None = None, size: int = 12
         ) -> ft.Control:
    """A small icon with words (amended, saved on this phone, sent, a state)."""
    return ft.Row([ft.Icon(icon, size=size + 4, color=color),
                   ft.Text(words, size=size, color=color, expand=size > 12)],
                  spacing=6, tight=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def state_mark(app: ViewContext, status: Status, size: int = 12) -> ft.Control:
    """The state with its icon."""
    icon, color = STATE_ICONS[status.state]
    return mark(icon, state_words(app, status), color, size)


#: States in which the latest decision's comment is still what the author works from.
_COMMENT_STATES = frozenset({ReviewState.RETURNED, ReviewState.AMENDED, ReviewState.CORRECTED})


def status_banner(app: ViewContext, status: Status, *, fix_label: str = "",
                  on_fix: Callable[[object], Awaitable[None]] | None = None,
                  prefix: str = "review", unsent: bool = False) -> ft.Control:
    """Where a record stands with its reviewers, at the top of its screen: the state with
    its icon; who approved and when; for a returned record the comment and, when the user
    may fix it (``on_fix``), the button to do so. ``unsent``: the record is only on this
    phone, so no supervisor can be waiting on it yet. Keys: ``<prefix>-status``, ``-fix``
    and ``-returned-comment``."""
    t = app.t
    parts: list[ft.Control] = [
        mark(ft.Icons.CLOUD_UPLOAD_OUTLINED, t("review.state.not_sent"), size=16)
        if unsent and status.state is ReviewState.PENDING else state_mark(app, status, size=16)]
    latest = status.latest
    if latest is not None and status.state is ReviewState.APPROVED:
        parts.append(ft.Text(t("review.decided_by", reviewer=latest.reviewer,
                               when=format_datetime(latest.reviewed_at)),
                             theme_style=ft.TextThemeStyle.BODY_SMALL))
    if latest is not None and latest.decision is ReviewDecision.RETURNED and \
            status.state in _COMMENT_STATES:
        parts += [
            ft.Text(t("review.comment_from", reviewer=latest.reviewer,
                      when=format_datetime(latest.reviewed_at)),
                    theme_style=ft.TextThemeStyle.LABEL_LARGE),
            ft.Text(latest.comment, key=f"{prefix}-returned-comment"),
        ]
    if on_fix is not None and status.state is ReviewState.RETURNED:
        parts.append(ft.FilledButton(fix_label or t("review.fix"), icon=ft.Icons.EDIT,
                                     height=theme.TOUCH, on_click=on_fix, key=f"{prefix}-fix"))
    return ft.Container(
        content=ft.Column(parts, spacing=8, tight=True,
                          horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        padding=12, border_radius=12, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
        key=f"{prefix}-status")


def decision_history(app: ViewContext, decisions: Sequence[Decision]) -> ft.Control:
    """A record's decisions, the latest first: who decided what, when, the comment, and
    whether it is still on this device only (the review screens of every kind)."""
    t = app.t
    lines: list[ft.Control] = [ft.Text(t("review.decisions"),
                                       theme_style=ft.TextThemeStyle.TITLE_SMALL)]
    if not decisions:
        lines.append(ft.Text(t("review.no_decisions")))
    for i, dec in enumerate(decisions):
        words = t("review.decision_line", decision=app.tr.label(dec.decision).capitalize(),
                  reviewer=dec.reviewer, when=format_datetime(dec.reviewed_at))
        item: list[ft.Control] = [ft.Text(words, weight=ft.FontWeight.W_500)]
        if dec.comment:
            item.append(ft.Text(dec.comment))
        if dec.unsynced:
            item.append(ft.Text(t("review.decision_unsynced"), italic=True))
        lines.append(ft.Column(item, spacing=2, tight=True, key=f"review-decision-{i}"))
    return ft.Column(lines, spacing=8, tight=True, key="review-history")


def sync_mark(app: ViewContext, unsynced: bool) -> ft.Control:
    """"Saved on this phone, not sent yet" or "Sent to the server"."""
    if unsynced:
        return mark(ft.Icons.CLOUD_UPLOAD_OUTLINED, app.t("review.mark.unsynced"))
    return mark(ft.Icons.CLOUD_DONE_OUTLINED, app.t("review.mark.synced"))


def kind_word(app: ViewContext, kind: RecordKind) -> str:
    """"Візит" or "Нотатка"."""
    return app.t(f"review.kind.{kind.value}")


def _field(app: ViewContext, label_key: str, value: str, key: str) -> ft.Control:
    shown = value.strip() or app.t("review.field.none")
    return ft.Column([
        ft.Text(app.t(label_key), theme_style=ft.TextThemeStyle.LABEL_LARGE,
                color=ft.Colors.PRIMARY),
        ft.Text(shown, key=key),
    ], spacing=2, tight=True)


def record_fields(app: ViewContext, detail: Detail) -> list[ft.Control]:
    """The whole visit or note, read-only, one labelled value under another."""
    target = detail.target
    if not isinstance(target, Note):
        return _visit_fields(app, detail, target)
    out = [_field(app, "review.field.text", target.text, "review-field-text"),
           _field(app, "review.field.written_at", format_datetime(target.written_at),
                  "review-field-written_at")]
    if detail.corrects is not None:
        out.append(ft.Text(app.t("review.field.corrects",
                                 date=format_datetime(detail.corrects.written_at)),
                           italic=True, key="review-field-corrects"))
    out.append(_field(app, "review.field.author", target.author, "review-field-author"))
    return out


def _visit_fields(app: ViewContext, detail: Detail, v: Visit) -> list[ft.Control]:
    t = app.t
    place = app.tr.label(VisitPlace(v.place))
    if v.place_details:
        place = f"{place} ({v.place_details})"
    present = ", ".join(detail.names.get(str(p), t("review.field.unknown_person"))
                        for p in v.present)
    services = "\n".join(app.tr.service_labels(v.services))
    pairs = [
        ("visited_at", format_datetime(v.visited_at)),
        ("place", place),
        ("present", present),
        ("others_present", v.others_present),
        ("services", services),
        ("child_needs", v.child_needs),
        ("parenting_capacity", v.parenting_capacity),
        ("family_environment", v.family_environment),
        ("risk_level", app.tr.label(v.risk_level)),
        ("next_steps", v.next_steps),
        ("next_visit_date", format_date(v.next_visit_date) if v.next_visit_date else ""),
        ("author", v.author),
    ]
    return [_field(app, f"review.field.{name}", value, f"review-field-{name}")
            for name, value in pairs]
