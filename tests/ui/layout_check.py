"""A layout check for flow tests: controls Flutter cannot lay out, found without a browser.

A flexible child (``expand``) inside a wrapping ``Row``/``Column`` makes Flutter throw during
layout; in the release web build that shows as a grey box, while the semantics tree (what
browser tests read) still looks right. Walking the control tree finds it in a flow test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import flet as ft
from flet.controls.base_control import BaseControl


def _children(control: BaseControl) -> Iterator[BaseControl]:
    for f in dataclasses.fields(control):
        if f.name.startswith("_"):
            continue
        value = getattr(control, f.name, None)
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, BaseControl):
                yield item


def flex_in_wrap(root: Any) -> list[str]:
    """Descriptions of flexible children placed in a wrapping row or column."""
    found: list[str] = []

    def visit(control: BaseControl) -> None:
        wrapping = isinstance(control, ft.Row | ft.Column) and getattr(control, "wrap", False)
        for child in _children(control):
            if wrapping and getattr(child, "expand", None):
                found.append(f"{type(child).__name__}({getattr(child, 'value', '')!r}) "
                             f"with expand in a wrapping {type(control).__name__}")
            visit(child)

    for view in root if isinstance(root, list) else [root]:
        visit(view)
    return found


def expand_in_unbounded_row(root: Any) -> list[str]:
    """Expanding controls wrapped (``content``) in a child of a ``Row`` that does not expand.

    A ``Row`` lets a child that does not expand be as wide as it likes; an expanding control
    inside it (a dropdown filling the width, say) then has no width to fill, and Flutter
    cannot lay it out: in the web build it is drawn over the screen, out of place.
    """
    found: list[str] = []

    def inner(control: BaseControl, row_child: BaseControl) -> None:
        content = getattr(control, "content", None)
        while isinstance(content, BaseControl) and not isinstance(content, ft.Row | ft.Column):
            if getattr(content, "expand", None):
                found.append(f"{type(content).__name__} with expand inside "
                             f"{type(row_child).__name__} in a Row")
            content = getattr(content, "content", None)

    def visit(control: BaseControl) -> None:
        for child in _children(control):
            if isinstance(control, ft.Row) and not getattr(control, "wrap", False) \
                    and not getattr(child, "expand", None):
                inner(child, child)
            visit(child)

    for view in root if isinstance(root, list) else [root]:
        visit(view)
    return found


def _small_print(text: ft.Text) -> bool:
    return bool(text.size and text.size <= 13) or text.theme_style in (
        ft.TextThemeStyle.BODY_SMALL, ft.TextThemeStyle.LABEL_SMALL)


def unbounded_text(root: Any, longer_than: int = 28) -> list[str]:
    """Long texts of body size placed straight in a ``Row`` without ``expand``.

    Such a text is not given the row's width: it never wraps, and on a phone whatever does
    not fit is cut off at the screen's edge. Short labels (a count, a date) and small print
    (12-13 px marks such as "sent to the server", which fit a phone) are left out.
    """
    found: list[str] = []

    def visit(control: BaseControl) -> None:
        for child in _children(control):
            if isinstance(control, ft.Row) and not getattr(control, "wrap", False) \
                    and isinstance(child, ft.Text) and not getattr(child, "expand", None) \
                    and len(str(child.value or "")) > longer_than \
                    and not _small_print(child):
                found.append(f"Text({child.value!r}) without expand in a Row")
            visit(child)

    for view in root if isinstance(root, list) else [root]:
        visit(view)
    return found


def helper_cut(root: Any, longer_than: int = 30) -> list[str]:
    """Text fields whose long helper line would be cut: Flutter shows a helper on one line
    with "…" unless ``helper_max_lines`` allows more (on a phone "Що саме треба виправити
    (обов'язков…" lost the words that said the comment is required)."""
    found: list[str] = []

    def visit(control: BaseControl) -> None:
        for child in _children(control):
            if isinstance(child, ft.TextField) and isinstance(child.helper, str) \
                    and len(child.helper) > longer_than and (child.helper_max_lines or 1) < 2:
                found.append(f"TextField({child.label!r}) helper {child.helper!r} on one line")
            visit(child)

    for view in root if isinstance(root, list) else [root]:
        visit(view)
    return found
