"""The review place's screens: ``/more/review`` (list) and ``/more/review/{kind}/{id}`` (detail:
a visit or note, ``review_detail``; a needs-assessment act or a closure, ``case_review``).

Phones: the list, and the detail pushed above it with a back arrow. Wide screens: one view of
two panes, the list on the left (the open row selected) and the detail or a hint on the right.
The list's title follows the role the session signed in with: the queue for supervisors,
coordinators and admins, "returned for changes" for workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.services.reviews import is_reviewer_role
from field_app.ui.screen import Screen
from field_app.ui.views.case_review import CaseReviewDetail
from field_app.ui.views.common import DetailHint, two_panes
from field_app.ui.views.review_detail import ReviewDetail
from field_app.ui.views.review_list import ReviewList

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route


def list_title(app: ViewContext) -> str:
    """"Черга перевірки" for reviewers, "На доопрацювання" (returned to me) for workers."""
    reviewer = is_reviewer_role(app.session.role)
    return app.t("review.queue.title" if reviewer else "review.returned.title")


def queue(app: ViewContext, _route: Route) -> Screen:
    """The list (with an empty detail pane when wide)."""
    if app.wide:
        t = app.t
        which = "queue" if is_reviewer_role(app.session.role) else "returned"
        hint = DetailHint(ft.Icons.ARTICLE_OUTLINED, t(f"review.{which}.choose"),
                          (t(f"review.{which}.none_pane"), t(f"review.{which}.none_pane_hint")))
        return Screen(title=list_title(app), scroll=False,
                      body=two_panes(ReviewList(app, None, hint.list_loaded).root,
                                     hint.control))
    return Screen(title=list_title(app), body=ReviewList(app).root, scroll=False)


def item(app: ViewContext, route: Route) -> Screen:
    """One visit, note, act or closure: the detail (beside the list when wide)."""
    kind, target_id = route.params["kind"], route.params["target_id"]
    detail: ft.Control
    if kind in ("assessment", "case"):
        title = app.t(f"casereview.detail.{kind}")
        detail = CaseReviewDetail(app, kind, target_id).scroller
    else:
        title = app.t("review.detail.note" if kind == "note" else "review.detail.visit")
        detail = ReviewDetail(app, kind, target_id).scroller
    if app.wide:
        return Screen(title=title, scroll=False,
                      body=two_panes(ReviewList(app, target_id).root, detail))
    return Screen(title=title, body=detail, scroll=False)
