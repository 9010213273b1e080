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
