"""A recorded visit, read-only, with the supervisor's decisions and the author's "amend".

The store is read off the event loop; the screen shows a spinner until then. Whether the
visit is only on this phone or already on the server is said in words (the two are
different states, and the worker must be able to tell them apart).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import flet as ft

from field_app.i18n import format_date, format_datetime
from field_app.services import visits
from field_app.services.reviews import ReviewState
from field_app.ui import theme
from field_app.ui.screen import Screen
from field_app.ui.views.case_section import threat_banner
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import (
    capitalised,
    loading,
    missing,
    risk_badge,
    section,
    stack,
)
from field_app.ui.views.review_parts import mark, status_banner
from shared_models.enums import ReviewDecision
from shared_models.records import Review

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route


def build(app: ViewContext, route: Route) -> Screen:
    """The visit at ``route``."""
    holder = ft.Container(content=loading(), key="visit-view")
    fid, vid = route.params["family_id"], route.params["visit_id"]

    async def load() -> None:
        try:
            store = await app.blocking(app.services.device.records)
            found = await app.blocking(visits.details, store, fid, vid)
        except (visits.NotFound, visits.Locked):
            holder.content = missing(app, "visit.not_found")
        else:
            holder.content = _body(app, found)
        with contextlib.suppress(RuntimeError):
            holder.update()

    app.spawn(load())
    return families_detail(app, app.t("visit.view_title"), holder, form=True)


def synced_line(app: ViewContext, synced: bool) -> ft.Control:
    """"Saved on this phone" or "Sent to the server", with an icon."""
    return ft.Row([
        ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED if synced else ft.Icons.CLOUD_UPLOAD_OUTLINED),
        ft.Text(app.t("sync.sent" if synced else "sync.saved_here"), expand=True),
    ], spacing=8, key="record-synced" if synced else "record-unsynced")


def labelled(label: str, text: str, empty: str, key: str | None = None) -> ft.Control:
    """A heading and its text (or a quiet "not filled in")."""
    body = ft.Text(text) if text.strip() else ft.Text(
        empty, italic=True, color=ft.Colors.ON_SURFACE_VARIANT)
    return ft.Column([ft.Text(label, theme_style=ft.TextThemeStyle.LABEL_LARGE,
                              color=ft.Colors.ON_SURFACE_VARIANT), body],
                     spacing=2, tight=True, key=key)


def reviews_block(app: ViewContext, reviews: list[Review]) -> ft.Control:
    """The supervisor's decisions, oldest first, each with its comment."""
    t = app.t
    rows: list[ft.Control] = [section(t("visit.reviews"))]
    if not reviews:
        rows.append(ft.Text(t("visit.no_reviews"), italic=True, key="reviews-none"))
    for r in reviews:
        approved = r.decision is ReviewDecision.APPROVED
        lines: list[ft.Control] = [
            ft.Text(capitalised(app.tr.label(r.decision)), weight=ft.FontWeight.W_600),
            ft.Text(f"{r.reviewer} · {format_datetime(r.reviewed_at)}",
                    theme_style=ft.TextThemeStyle.BODY_SMALL),
        ]
        if r.comment.strip():
            lines.append(ft.Text(t("visit.review_comment", comment=r.comment)))
        rows.append(ft.Container(
            content=ft.Row([
                ft.Icon(ft.Icons.VERIFIED_OUTLINED if approved else ft.Icons.UNDO,
                        color=ft.Colors.PRIMARY if approved else ft.Colors.ERROR),
                ft.Column(lines, spacing=2, tight=True, expand=True),
            ], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
            padding=12, border_radius=12, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            key=f"review-{r.id}"))
    return ft.Column(rows, spacing=8, tight=True)


def _body(app: ViewContext, d: visits.VisitDetails) -> ft.Control:
    t, v = app.t, d.visit
    place = app.tr.label(v.place)
    head = f"{format_datetime(v.visited_at)}, {place}"
    if v.place_details:
        head += f" ({v.place_details})"
    present = ", ".join(d.present + ([v.others_present] if v.others_present else []))
    services = app.tr.service_labels(v.services)
    blocks: list[ft.Control] = [
        ft.Text(head, theme_style=ft.TextThemeStyle.TITLE_LARGE, key="visit-head"),
    ]
    if d.family is not None:
        blocks.append(ft.Text(t("visit.family", name=d.family.family_name,
                                settlement=d.family.settlement)))
    if d.family_deleted:
        blocks.append(mark(ft.Icons.DELETE_OUTLINE, t("review.mark.family_deleted"),
                           ft.Colors.ERROR))

    async def amend(_e: object) -> None:
        await app.go(f"/families/{v.family_id}/visits/{v.id}/edit")

    # Where the visit stands with the supervisor, near the top: a returned visit's comment
    # and "Виправити" are what the worker opened it for (the history stays at the end).
    returned = d.status.state is ReviewState.RETURNED
    blocks += [
        status_banner(app, d.status, on_fix=amend if d.can_amend else None,
                      prefix="visit-review", unsent=not d.synced),
        ft.Row([risk_badge(app, v.risk_level)]),
        *([threat_banner(app, key="visit-threat")] if v.threat_to_life else []),
        synced_line(app, d.synced),
        ft.Text(t("visit.author", name=v.author), theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    if d.can_amend and not returned:   # a returned visit's banner has the button
        blocks.append(ft.FilledTonalButton(t("visit.amend"), icon=ft.Icons.EDIT_OUTLINED,
                                           height=theme.TOUCH, on_click=amend,
                                           key="visit-amend"))
    blocks += [
        labelled(t("visit.present"), present, t("visit.present_none"), key="visit-present"),
        labelled(t("visit.services"), "\n".join(services), t("visit.services_none_view"),
                 key="visit-services"),
        section(t("visit.observations")),
        labelled(t("visit.child_needs"), v.child_needs, t("visit.not_written")),
        labelled(t("visit.parenting_capacity"), v.parenting_capacity, t("visit.not_written")),
        labelled(t("visit.family_environment"), v.family_environment, t("visit.not_written")),
        labelled(t("visit.next_steps"), v.next_steps, t("visit.not_written")),
        *([labelled(t("case.visit.tasks"), "\n".join(
            (t("case.visit.task_ticked", task=task) if done else task)
            for task, done in d.plan_tasks), "", key="visit-plan")] if d.plan_tasks else []),
        ft.Text(t("visit.next_visit_on", date=format_date(v.next_visit_date))
                if v.next_visit_date else t("visit.no_next_visit"), key="visit-next"),
        ft.Divider(),
        reviews_block(app, d.reviews),
    ]
    return stack(blocks)
