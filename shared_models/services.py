"""Catalogue of social services (classifier, Ministry of Social Policy order No. 429, 2020).

Kept as data so a code can be corrected without touching logic. A service we provide that has
no classifier code (early intervention, for instance) has an ASCII ``key`` and an empty
``code``; exports show the classifier code where there is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Service:
    """One social service as recorded in a visit."""

    key: str          # stable id stored in visits: the classifier code, or an ASCII slug
    code: str         # classifier code for ЄІССС exports; "" when none was found
    name_uk: str
    name_en: str
    verified: bool = True   # False for codes taken from secondary sources (docs/domain.md)

    def name(self, lang: str) -> str:
        """Name in the given UI language ("uk" or "en")."""
        return self.name_en if lang == "en" else self.name_uk


_CATALOGUE: tuple[Service, ...] = (
    Service("001.0", "001.0", "Інформування", "Informing"),
    Service("002.0", "002.0", "Консультування", "Counselling"),
    Service("003.0", "003.0", "Посередництво (медіація)", "Mediation"),
    Service("004.0", "004.0", "Представництво інтересів", "Representation of interests"),
    Service("005.0", "005.0", "Надання притулку", "Shelter"),
    Service("006.0", "006.0", "Соціальна профілактика", "Social prevention", verified=False),
    Service("009.1", "009.1", "Підтримане проживання", "Supported living"),
    Service("010.1", "010.1",
            "Соціальний супровід сімей (осіб), які перебувають у складних життєвих обставинах",
            "Social support of families in difficult life circumstances", verified=False),
    Service("010.2", "010.2",
            "Соціальний супровід сімей, у яких виховуються діти-сироти і діти, "
            "позбавлені батьківського піклування",
            "Social support of families raising orphans and children without parental care"),
    Service("012.0", "012.0", "Кризове та екстрене втручання", "Crisis and emergency intervention"),
    Service("013.0", "013.0", "Соціальна адаптація", "Social adaptation"),
    Service("014.0", "014.0", "Соціальна інтеграція та реінтеграція",
            "Social integration and reintegration"),
    Service("015.1", "015.1", "Догляд вдома", "Home care"),
    Service("015.3", "015.3", "Денний догляд", "Day care"),
    Service("017.1", "017.1", "Соціальна реабілітація", "Social rehabilitation"),
    Service("018.1", "018.1", "Тимчасовий відпочинок для батьків або осіб, які їх замінюють",
            "Respite for parents or carers"),
    Service("019.0", "019.0", "Натуральна допомога", "In-kind assistance"),
    Service("020.0", "020.0", "Супровід під час інклюзивного навчання",
            "Support during inclusive education"),
    Service("021.0", "021.0", "Фізичний супровід", "Physical accompaniment"),
    Service("022.0", "022.0", "Переклад жестовою мовою", "Sign-language interpretation"),
    Service("early-intervention", "", "Раннє втручання", "Early intervention"),
    Service("positive-parenting", "", "Позитивне батьківство (програма)",
            "Positive parenting (programme)"),
    Service("psychological-support", "", "Психологічна підтримка", "Psychological support"),
)

SERVICES: dict[str, Service] = {s.key: s for s in _CATALOGUE}
_RANK: dict[str, int] = {s.key: i for i, s in enumerate(_CATALOGUE)}


def catalogue_order(keys: Iterable[str]) -> list[str]:
    """Service keys in the catalogue's order (the classifier's), whatever order they were
    ticked in, so every screen lists a visit's services alike; unknown keys go last."""
    return sorted(keys, key=lambda k: _RANK.get(k, len(_RANK)))


def service(key: str) -> Service:
    """Look a service up by key; raises ``KeyError`` naming the unknown key."""
    try:
        return SERVICES[key]
    except KeyError:
        raise KeyError(f"unknown service: {key!r}") from None


def search_services(query: str, lang: str = "uk") -> list[Service]:
    """Services whose code or name (in either language) contains ``query``, case-insensitive."""
    q = query.strip().casefold()
    if not q:
        return list(_CATALOGUE)
    return [s for s in _CATALOGUE
            if q in s.key.casefold() or q in s.name_uk.casefold() or q in s.name_en.casefold()]
