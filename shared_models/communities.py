"""The 11 territorial communities (hromadas) of Zhytomyr oblast in the UNICEF partnership.

The ASCII slug is our stable identifier: it appears in every record, cursor and permission.
KATOTTG codes come from Ukraine's classifier of administrative units (see docs/domain.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CommunityCode(StrEnum):
    """Stable ASCII code of a community; the value stored and sent everywhere."""

    ZHYTOMYRSKA = "zhytomyrska"
    ZVIAHELSKA = "zviahelska"
    ANDRUSHIVSKA = "andrushivska"
    BARANIVSKA = "baranivska"
    KHOROSHIVSKA = "khoroshivska"
    RADOMYSHLSKA = "radomyshlska"
    MALYNSKA = "malynska"
    BRUSYLIVSKA = "brusylivska"
    KRASNOPILSKA = "krasnopilska"
    CHOPOVYTSKA = "chopovytska"
    PULYNSKA = "pulynska"


@dataclass(frozen=True, slots=True)
class Community:
    """One hromada as shown to users."""

    code: CommunityCode
    name_uk: str
    name_en: str
    raion_uk: str
    raion_en: str
    katottg: str
    centre_uk: str

    def name(self, lang: str) -> str:
        """Name in the given UI language ("uk" or "en"); Ukrainian is the fallback."""
        return self.name_en if lang == "en" else self.name_uk


OBLAST_KATOTTG = "UA18000000000041385"

_ROWS: tuple[tuple[CommunityCode, str, str, str, str, str, str], ...] = (
    (CommunityCode.ZHYTOMYRSKA, "Житомирська", "Zhytomyr", "Житомирський", "Zhytomyr",
     "UA18040190000029215", "Житомир"),
    (CommunityCode.ZVIAHELSKA, "Звягельська", "Zviahel", "Звягельський", "Zviahel",
     "UA18080150000022496", "Звягель"),
    (CommunityCode.ANDRUSHIVSKA, "Андрушівська", "Andrushivka", "Бердичівський", "Berdychiv",
     "UA18020010000059904", "Андрушівка"),
    (CommunityCode.BARANIVSKA, "Баранівська", "Baranivka", "Звягельський", "Zviahel",
     "UA18080010000090720", "Баранівка"),
    (CommunityCode.KHOROSHIVSKA, "Хорошівська", "Khoroshiv", "Житомирський", "Zhytomyr",
     "UA18040570000099817", "Хорошів"),
    (CommunityCode.RADOMYSHLSKA, "Радомишльська", "Radomyshl", "Житомирський", "Zhytomyr",
     "UA18040450000079138", "Радомишль"),
    (CommunityCode.MALYNSKA, "Малинська", "Malyn", "Коростенський", "Korosten",
     "UA18060130000061781", "Малин"),
    (CommunityCode.BRUSYLIVSKA, "Брусилівська", "Brusyliv", "Житомирський", "Zhytomyr",
     "UA18040050000049937", "Брусилів"),
    (CommunityCode.KRASNOPILSKA, "Краснопільська", "Krasnopil", "Бердичівський", "Berdychiv",
     "UA18020090000092001", "Краснопіль"),
    (CommunityCode.CHOPOVYTSKA, "Чоповицька", "Chopovychi", "Коростенський", "Korosten",
     "UA18060250000078729", "Чоповичі"),
    (CommunityCode.PULYNSKA, "Пулинська", "Pulyny", "Житомирський", "Zhytomyr",
     "UA18040430000080827", "Пулини"),
)

COMMUNITIES: dict[CommunityCode, Community] = {
    code: Community(code, uk + " громада", en + " community", r_uk + " район", r_en + " raion",
                    katottg, centre)
    for code, uk, en, r_uk, r_en, katottg, centre in _ROWS
}


def community(code: str) -> Community:
    """Look a community up by its code; raises ``KeyError`` naming the unknown code."""
    try:
        return COMMUNITIES[CommunityCode(code)]
    except ValueError:
        raise KeyError(f"unknown community code: {code!r}") from None
