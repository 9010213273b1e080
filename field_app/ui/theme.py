"""One look: Material 3 from a single calm-blue seed, light and dark; risk colours.

Risk is always shown by word and colour together (``risk_color`` only picks the colour).
"""

from __future__ import annotations

import flet as ft

from shared_models.enums import RiskLevel

SEED = "#3B6EA8"
#: Smallest touch target (Material and our phone-first rule).
TOUCH = 48
#: Width from which the app uses the navigation rail and two panes.
WIDE_FROM = 840
#: Width of the list pane in the two-pane layout.
LIST_PANE = 380
#: Widest a form column grows on a laptop.
FORM_MAX = 560

_RISK = {
    RiskLevel.LOW: ("#2E7D32", "#81C784"),
    RiskLevel.MEDIUM: ("#8A5A00", "#FFCA6B"),
    RiskLevel.HIGH: ("#B3261E", "#F2B8B5"),
}

_THEME_MODES = {"system": ft.ThemeMode.SYSTEM, "light": ft.ThemeMode.LIGHT,
                "dark": ft.ThemeMode.DARK}


def light_theme() -> ft.Theme:
    """The light theme.

    Standard visual density everywhere: Flutter makes desktop and web "compact" (40 px
    radios and icon buttons), and the app must keep 48 px touch targets on a laptop too.
    """
    return ft.Theme(color_scheme_seed=SEED, use_material3=True,
                    visual_density=ft.VisualDensity.STANDARD)


def dark_theme() -> ft.Theme:
    """The dark theme (same seed; Flutter derives the dark scheme)."""
    return ft.Theme(color_scheme_seed=SEED, use_material3=True,
                    visual_density=ft.VisualDensity.STANDARD)


def theme_mode(name: str) -> ft.ThemeMode:
    """The Flet theme mode of a settings value ("system", "light", "dark")."""
    return _THEME_MODES.get(name, ft.ThemeMode.SYSTEM)


def risk_color(level: RiskLevel, dark: bool = False) -> str:
    """Green, amber or red for low, medium, high — always shown beside the word."""
    light_c, dark_c = _RISK[level]
    return dark_c if dark else light_c


def apply(page: ft.Page, mode: str) -> None:
    """Set both themes and the mode on ``page``."""
    page.theme = light_theme()
    page.dark_theme = dark_theme()
    page.theme_mode = theme_mode(mode)
