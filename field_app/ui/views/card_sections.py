"""The sections of the family card: header, conflicts, status, consent, members, timeline.

Each is ``section(view, card, data) -> control | None`` over a ``FamilyCard``;
``card.SECTIONS`` lists them in order. Words and colour go together: risk, due and overdue,
a missing consent, a conflict are never shown by colour alone. Every record says whether it
is only saved on this phone or was sent to the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.i18n import format_date, format_datetime
from field_app.services.family_card import (
    ConflictLine,
    FamilyCard,
    MemberLine,
    NoteItem,
    ReviewItem,
    TimelineItem,
    VisitItem,
    age_words,
    conflict_value_words,
    field_label_key,
)
from field_app.ui import theme
from field_app.ui.views.common import empty_state
from shared_models.enums import RecordKind, ReviewDecision, RiskLevel

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.views.card import CardView

#: Timeline items drawn before "show more".
TIMELINE_PAGE = 30
_FLAGS = ("difficult_circumstances", "displaced", "foster_family")
_FLAG_ICONS = {"difficult_circumstances": ft.Icons.SUPPORT_OUTLINED,
               "displaced": ft.Icons.LUGGAGE_OUTLINED,
               "foster_family": ft.Icons.FAMILY_RESTROOM}


def _dark(app: ViewContext) -> bool:
    return app.settings.theme == "dark"


def _heading(text: str) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600)


def _small(text: str, **kw: Any) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.BODY_SMALL, **kw)


def sync_mark(app: ViewContext, unsynced: bool) -> ft.Control:
    """"Saved on this phone" (not sent yet) or "Sent to the server", with an icon."""
    words = app.t("sync.saved_here" if unsynced else "sync.sent")
    icon = ft.Icons.CLOUD_UPLOAD_OUTLINED if unsynced else ft.Icons.CLOUD_DONE_OUTLINED
    colour = ft.Colors.TERTIARY if unsynced else ft.Colors.OUTLINE
    return ft.Row([ft.Icon(icon, size=16, color=colour), _small(words, color=colour)],
                  spacing=4, tight=True)


def _banner(icon: ft.IconData, controls: list[ft.Control], key: str) -> ft.Control:
    return ft.Container(
        content=ft.Row([ft.Icon(icon, color=ft.Colors.ON_ERROR_CONTAINER),
                        ft.Column(controls, spacing=8, tight=True, expand=True)],
                       spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=ft.Colors.ERROR_CONTAINER, border_radius=12, padding=ft.Padding.all(12),
        key=key)


# ---- header ---------------------------------------------------------------------------
def header(view: CardView, card: FamilyCard, _data: Any) -> ft.Control:
    """Name, where the family lives, phone, next visit, and the two main actions."""
    app, t = view.app, view.app.t
    f = card.family
    place = ", ".join(x for x in (f.settlement, f.address) if x)
    rows: list[ft.Control] = [
        ft.Text(f.family_name, theme_style=ft.TextThemeStyle.HEADLINE_SMALL,
                weight=ft.FontWeight.BOLD, key="family-name"),
        ft.Text(place, key="family-place"),
        *([_small(t("case.card.registered", address=f.registered_address),
                  key="family-registered")] if f.registered_address else []),
        _small(app.tr.community(f.community.value)),
    ]
    if f.phone:
        digits = "".join(c for c in f.phone if c.isdigit() or c == "+")
        rows.append(ft.TextButton(t("family.card.phone", phone=f.phone), icon=ft.Icons.PHONE,
                                  url=f"tel:{digits}", height=theme.TOUCH, key="family-phone"))
    else:
        rows.append(ft.Text(t("family.card.no_phone"), color=ft.Colors.OUTLINE))
    rows.append(sync_mark(app, card.unsynced))
    if card.closed:
        rows.append(_banner(ft.Icons.ARCHIVE_OUTLINED, [ft.Text(
            t("family.card.closed"), color=ft.Colors.ON_ERROR_CONTAINER)], "family-closed"))
    rows.append(_next_visit(view, card))
    rows.append(ft.Row([
        ft.FilledButton(t("family.card.record_visit"), icon=ft.Icons.ADD_HOME_OUTLINED,
                        height=theme.TOUCH, key="family-record-visit",
                        on_click=lambda _e: app.spawn(view.go("visits/new"))),
        ft.OutlinedButton(t("family.card.add_note"), icon=ft.Icons.NOTE_ADD_OUTLINED,
                          height=theme.TOUCH, key="family-add-note",
                          on_click=lambda _e: app.spawn(view.go("notes/new"))),
    ], wrap=True, spacing=8, run_spacing=8))
    return ft.Column(rows, spacing=8, tight=True)


def _next_visit(view: CardView, card: FamilyCard) -> ft.Control:
    app, t = view.app, view.app.t
    nv = card.next_visit
    if nv.when is None:
        return ft.Row([ft.Icon(ft.Icons.EVENT_BUSY_OUTLINED, color=ft.Colors.OUTLINE),
                       ft.Text(t("family.card.no_next_visit"), expand=True)], spacing=8,
                      key="family-next")
    when = format_date(nv.when)
    colour: str | None
    if nv.overdue:
        words, icon, colour = (t("family.card.next_overdue", date=when),
                               ft.Icons.WARNING_AMBER_ROUNDED, str(ft.Colors.ERROR.value))
    elif nv.due:
        words, icon, colour = (t("family.card.next_due", date=when), ft.Icons.EVENT,
                               theme.risk_color(RiskLevel.MEDIUM, _dark(app)))
    else:
        words, icon, colour = t("family.card.next_visit", date=when), ft.Icons.EVENT, None
    return ft.Row([ft.Icon(icon, color=colour),
                   ft.Text(words, color=colour, weight=ft.FontWeight.W_600 if colour else None,
                           expand=True)], spacing=8, key="family-next")


# ---- conflicts ------------------------------------------------------------------------
def conflicts(view: CardView, card: FamilyCard, _data: Any) -> ft.Control | None:
    """One banner per conflicted field: both values, and a way to settle it."""
    if not card.conflicts:
        return None
    return ft.Column([_heading(view.app.t("family.card.conflicts")),
                      *[_conflict(view, c) for c in card.conflicts]], spacing=8, tight=True)


def _conflict(view: CardView, c: ConflictLine) -> ft.Control:
    app, t = view.app, view.app.t
    field = t(field_label_key(c.record_kind, c.field))

    def words(value: Any) -> str:
        return conflict_value_words(app.tr, c.field, value)

    someone = t("family.card.someone")
    if c.mine is not None:
        theirs, author = c.theirs
        lines = [t("family.card.conflict_mine", value=words(c.mine_value)),
                 t("family.card.conflict_theirs", author=author or someone, value=words(theirs))]
    else:
        lines = [t("family.card.conflict_current", author=c.current_author or someone,
                   value=words(c.current)),
                 t("family.card.conflict_other", author=c.other_author or someone,
                   value=words(c.other))]
    colour = ft.Colors.ON_ERROR_CONTAINER
    return _banner(ft.Icons.CALL_SPLIT, [
        ft.Text(t("family.card.conflict", field=field, record=c.record_name), color=colour,
                weight=ft.FontWeight.W_600),
        *[ft.Text(line, color=colour) for line in lines],
        ft.OutlinedButton(t("family.card.conflict_open"), height=theme.TOUCH,
                          key=f"conflict-open-{c.id}",
                          on_click=lambda _e: app.spawn(view.go(f"/more/conflicts/{c.id}"))),
    ], f"conflict-{c.id}")


# ---- status ---------------------------------------------------------------------------
def status(view: CardView, card: FamilyCard, _data: Any) -> ft.Control:
    """The status flags as labelled chips, and the assigned worker."""
    t = view.app.t
    f = card.family
    chips = [_label_chip(_FLAG_ICONS[name], t(f"family.f.{name}"), f"family-flag-{name}")
             for name in _FLAGS if getattr(f, name)]
    flags: ft.Control = (ft.Row(chips, wrap=True, spacing=8, run_spacing=8) if chips
                         else ft.Text(t("family.card.no_status"), color=ft.Colors.OUTLINE))
    if f.assigned_worker:
        key = "family.card.worker_me" if card.mine else "family.card.worker"
        worker = ft.Text(t(key, name=f.assigned_worker), key="family-worker", expand=True)
    else:
        worker = ft.Text(t("family.card.no_worker"), key="family-worker", expand=True)
    return ft.Column([_heading(t("family.card.status")), flags,
                      ft.Row([ft.Icon(ft.Icons.BADGE_OUTLINED), worker], spacing=8)],
                     spacing=8, tight=True)


def _label_chip(icon: ft.IconData, text: str, key: str) -> ft.Control:
    """A label that looks like a chip but is not a button (Material's Chip without an action
    is drawn greyed out, as if disabled)."""
    return ft.Container(
        content=ft.Row([ft.Icon(icon, size=18, color=ft.Colors.ON_SECONDARY_CONTAINER),
                        ft.Text(text, color=ft.Colors.ON_SECONDARY_CONTAINER)],
                       spacing=8, tight=True),
        bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=8,
        padding=ft.Padding.symmetric(horizontal=12, vertical=6), key=key)


# ---- consent --------------------------------------------------------------------------
def consent(view: CardView, card: FamilyCard, _data: Any) -> ft.Control:
    """The recorded consent, or a warning that there is none (the law needs a ground)."""
    app, t = view.app, view.app.t
    f = card.family
    if f.consent_date is not None and f.consent_by:
        return ft.Row([
            ft.Icon(ft.Icons.VERIFIED_USER_OUTLINED, color=ft.Colors.PRIMARY),
            ft.Column([ft.Text(t("family.card.consent"), weight=ft.FontWeight.W_600),
                       ft.Text(t("family.card.consent_given", date=format_date(f.consent_date),
                                 by=f.consent_by), key="family-consent")],
                      spacing=2, tight=True, expand=True),
        ], spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)
    return _banner(ft.Icons.GPP_MAYBE_OUTLINED, [
        ft.Text(t("family.card.consent_missing"), color=ft.Colors.ON_ERROR_CONTAINER,
                key="family-consent-missing"),
        ft.OutlinedButton(t("family.card.consent_add"), height=theme.TOUCH,
                          key="family-consent-add",
                          on_click=lambda _e: app.spawn(view.go("edit"))),
    ], "family-consent-warning")


# ---- members --------------------------------------------------------------------------
def members(view: CardView, card: FamilyCard, _data: Any) -> ft.Control:
    """Children first with their age, then the adults; tap to edit; add one."""
    app, t = view.app, view.app.t
    rows: list[ft.Control] = [_heading(t("family.card.members"))]
    rows += [_member(view, m) for m in card.members] or [
        ft.Text(t("family.card.no_members"), color=ft.Colors.OUTLINE)]
    rows.append(ft.OutlinedButton(t("family.card.add_member"), icon=ft.Icons.PERSON_ADD_OUTLINED,
                                  height=theme.TOUCH, key="family-add-member",
                                  on_click=lambda _e: app.spawn(view.go("members/new"))))
    return ft.Column(rows, spacing=4, tight=True)


def _member(view: CardView, m: MemberLine) -> ft.Control:
    app, t = view.app, view.app.t
    parts = [app.tr.label(m.role)]
    if m.birth_date is not None:
        parts.append(t("family.card.born", age=age_words(app.tr, m.age),
                       date=format_date(m.birth_date)))
    elif m.child:
        parts.append(age_words(app.tr, None))
    if m.disability:
        parts.append(t("family.card.disability"))
    if m.special_educational_needs:
        parts.append(t("family.card.sen"))
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.CHILD_CARE if m.child else ft.Icons.PERSON_OUTLINE),
        title=ft.Text(m.name, weight=ft.FontWeight.W_500),
        subtitle=ft.Column([ft.Text(" · ".join(parts)), sync_mark(app, m.unsynced)],
                           spacing=2, tight=True),
        content_padding=ft.Padding.symmetric(horizontal=4), min_height=theme.TOUCH,
        on_click=lambda _e: app.spawn(view.go(f"members/{m.id}")), key=f"member-{m.id}")


# ---- timeline -------------------------------------------------------------------------
def timeline(view: CardView, card: FamilyCard, _data: Any) -> ft.Control:
    """Visits, notes and reviews, newest first."""
    app, t = view.app, view.app.t
    rows: list[ft.Control] = [_heading(t("family.card.timeline"))]
    if not card.timeline:
        rows.append(empty_state(ft.Icons.HISTORY, t("family.card.no_timeline")))
    shown = card.timeline[:view.timeline_limit]
    for item in shown:
        rows.append(_item(view, item))
    if len(card.timeline) > len(shown):
        rows.append(ft.TextButton(t("family.card.more"), height=theme.TOUCH,
                                  key="timeline-more",
                                  on_click=lambda _e: app.spawn(view.show_more())))
    return ft.Column(rows, spacing=4, tight=True, key="family-timeline")


def _item(view: CardView, item: TimelineItem) -> ft.Control:
    if isinstance(item, VisitItem):
        return _visit(view, item)
    if isinstance(item, NoteItem):
        return _note(view, item)
    return _review(view, item)


def _tile(title: str, icon: ft.IconData, lines: list[ft.Control], key: str,
          on_click: Any = None) -> ft.Control:
    return ft.ListTile(
        leading=ft.Icon(icon), title=ft.Text(title, weight=ft.FontWeight.W_500),
        subtitle=ft.Column(lines, spacing=4, tight=True), is_three_line=True,
        content_padding=ft.Padding.symmetric(horizontal=4), on_click=on_click, key=key)


def _risk(app: ViewContext, level: RiskLevel) -> ft.Control:
    dark = _dark(app)
    return ft.Container(
        content=ft.Text(app.t("risk.label", level=app.tr.label(level)),
                        color="#1B1B1F" if dark else "#FFFFFF", weight=ft.FontWeight.W_600,
                        theme_style=ft.TextThemeStyle.LABEL_MEDIUM),
        bgcolor=theme.risk_color(level, dark), border_radius=8,
        padding=ft.Padding.symmetric(horizontal=8, vertical=2))


def _visit(view: CardView, v: VisitItem) -> ft.Control:
    app, t = view.app, view.app.t
    title = t("family.card.visit_place", when=format_datetime(v.at),
              place=app.tr.label(v.place))
    lines: list[ft.Control] = [
        ft.Row([_risk(app, v.risk), _small(app.tr.plural("family.card.services", v.services))],
               spacing=8, wrap=True),
        _small(t("family.card.author", author=v.author)),
        sync_mark(app, v.unsynced),
    ]
    return _tile(title, ft.Icons.HOME_WORK_OUTLINED, lines, f"timeline-visit-{v.id}",
                 on_click=lambda _e: app.spawn(view.go(f"visits/{v.id}")))


def _note(view: CardView, n: NoteItem) -> ft.Control:
    app, t = view.app, view.app.t
    when = format_datetime(n.at)
    title = t("family.card.correction" if n.corrects else "family.card.note", when=when)
    lines: list[ft.Control] = [ft.Text(n.preview),
                               _small(t("family.card.author", author=n.author)),
                               sync_mark(app, n.unsynced)]
    for ref in n.corrected_by:
        lines.append(ft.TextButton(
            t("family.card.corrected_by", when=format_datetime(ref.at), author=ref.author),
            icon=ft.Icons.SUBDIRECTORY_ARROW_RIGHT, key=f"note-corrected-{n.id}-{ref.id}",
            # No fixed height: the words may wrap on a phone; the padding keeps 48 px.
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=12, vertical=14)),
            on_click=lambda _e, rid=ref.id: app.spawn(view.scroll_to(f"note-{rid}"))))
    icon = ft.Icons.EDIT_NOTE if n.corrects else ft.Icons.STICKY_NOTE_2_OUTLINED
    # The note's own screen: its corrections, its reviews, and "Виправити" for its author.
    return ft.Container(content=_tile(title, icon, lines, f"timeline-note-{n.id}",
                                      on_click=lambda _e: app.spawn(view.go(f"notes/{n.id}"))),
                        key=ft.ScrollKey(f"note-{n.id}"))  # type: ignore[call-arg]


def _review(view: CardView, r: ReviewItem) -> ft.Control:
    app, t = view.app, view.app.t
    target_key = ("family.card.review_of_visit" if r.target_kind is RecordKind.VISIT
                  else "family.card.review_of_note")
    approved = r.decision is ReviewDecision.APPROVED
    decision = f"{app.tr.label(r.decision)} {t(target_key, when=format_datetime(r.target_at))}"
    lines: list[ft.Control] = [ft.Text(decision, weight=ft.FontWeight.W_600,
                                       color=None if approved else ft.Colors.ERROR)]
    if r.comment:
        lines.append(ft.Text(t("family.card.review_comment", comment=r.comment)))
    lines += [_small(t("family.card.author", author=r.author)), sync_mark(app, r.unsynced)]
    icon = ft.Icons.TASK_ALT if approved else ft.Icons.ASSIGNMENT_RETURN_OUTLINED
    return _tile(t("family.card.review", when=format_datetime(r.at)), icon, lines,
                 f"timeline-review-{r.id}")
