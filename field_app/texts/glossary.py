"""The glossary: the one Ukrainian term for each thing of the trade, and the wrong variants.

Data, not a string table (it is not in ``TABLES``): ``tests/ui/test_glossary.py`` walks every
Ukrainian string the app and the server can show and fails on a variant listed here, naming
the key and the term to use. The terms follow ``docs/domain.md`` ("Terms of art"); where the
app named one thing two ways (conflicts, next steps, who to contact), the choice is made here.

Variants are regular expressions over ``normalise(text)``: lower case, every apostrophe as
``'``, so ``сім'я``, ``сім’я`` and ``сімʼя`` read alike. They match stems, because Ukrainian
inflects: ``власн\\w*\\s+сім'`` catches "власна сім'я", "власної сім'ї", "власною сім'єю".
A variant that is right in some places says where: ``allowed_in`` (key patterns, ``fnmatch``)
or ``except_phrases`` (phrases removed before matching: a class teacher is "класний
керівник", not our supervisor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

#: Apostrophes Ukrainian text is typed with; the app's tables use the ASCII one.
APOSTROPHES = "’ʼ‘`´"
_TO_ASCII = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


def normalise(text: str) -> str:
    """``text`` as the variants are matched: lower case, one apostrophe, one kind of space."""
    return re.sub(r"\s+", " ", text.translate(_TO_ASCII).lower())


@dataclass(frozen=True)
class Variant:
    """A wrong way of saying a glossary term."""

    #: Regular expression over ``normalise(text)``.
    pattern: str
    #: The variant as a person would write it (for the failure message).
    example: str
    #: Why it is wrong.
    why: str
    #: Keys (``fnmatch`` patterns) where these words are right.
    allowed_in: tuple[str, ...] = ()
    #: Phrases (regular expressions) removed before matching, where the words mean another thing.
    except_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    """One thing of the trade: its Ukrainian term, what it is in English, its wrong variants."""

    uk: str
    en: str
    variants: tuple[Variant, ...] = field(default=())
    #: Where the choice needs saying (which of two right words the app uses, and when).
    note: str = ""


def _v(pattern: str, example: str, why: str, *, allowed_in: tuple[str, ...] = (),
       except_phrases: tuple[str, ...] = ()) -> Variant:
    return Variant(pattern, example, why, allowed_in, except_phrases)


_LONG_TERM = ("прийомна сім'я and прийомні батьки are the long-term form of care (1-4 children, "
              "for years); patronage is temporary care by a патронатний вихователь")
#: Where "прийомна сім'я" is right: where a child moves on to the long-term forms of care
#: (how a patronage placement ends; a case closed because the child was placed).
_PLACEMENT_ENDINGS = ("enum.PlacementOutcome.*", "placement.outcome.*",
                      "enum.ClosureReason.child_placed")

GLOSSARY: tuple[Term, ...] = (
    Term("патронатний вихователь", "foster carer (family patronage, up to 3-6 months)", (
        _v(r"прийомн\w*\s+(?:бат|мат)", "прийомні батьки", _LONG_TERM),
        _v(r"патронатн\w*\s+(?:бат|мат)", "патронатні батьки / патронатна мати",
           "the carer's title in resolution 893 is патронатний вихователь"),
        _v(r"фостер", "фостерна сім'я", "a calque of English; not a Ukrainian legal term"),
    )),
    Term("помічник патронатного вихователя", "foster carer's assistant", (
        _v(r"асистент\w*\s+(?:патронатн|прийомн)", "асистент патронатного вихователя",
           "the title in resolution 893 is помічник патронатного вихователя"),
    )),
    Term("патронатна сім'я", "foster family (family patronage)", (
        _v(r"прийомн\w*\s+сім", "прийомна сім'я", _LONG_TERM + "; a placement may end in a "
           "прийомна сім'я, and only those keys may name it", allowed_in=_PLACEMENT_ENDINGS),
    )),
    Term("сім'я, у якій є ВПО", "family with internally displaced persons (IDPs)", (
        _v(r"сім'\w*\s+впо\b", "сім'я ВПО",
           "ВПО (внутрішньо переміщена особа) is the status of a person, not of a family"),
        _v(r"\bвпо\s*-\s*сім", "ВПО-сім'я",
           "ВПО is the status of a person, not of a family"),
        _v(r"переміщен\w*\s+сім'", "внутрішньо переміщена сім'я",
           "the IDP certificate is per person: a family is not displaced, its members are"),
    )),
    Term("орган опіки та піклування", "guardianship authority", (
        _v(r"орган\w*\s+опіки(?!\s+(?:та|і|й)\s+піклування)", "орган опіки",
           "the authority's name is always in full: орган опіки та піклування"),
        _v(r"\bооп\b", "ООП", "not abbreviated (and in this app ООП means особливі освітні "
           "потреби, only on the special-educational-needs keys)",
           allowed_in=("family.card.sen", "family.m.special_educational_needs")),
    )),
    Term("рідна сім'я", "the child's birth family", (
        _v(r"власн\w*\s+сім'", "власна сім'я дитини",
           "the birth family is рідна (or біологічна) сім'я, not власна"),
        _v(r"біологічн\w*\s+сім'", "біологічна сім'я",
           "correct Ukrainian, but one term on every screen: the app says рідна сім'я"),
    )),
    Term("випадок відкрито / закрито", "the case is opened / closed", (
        _v(r"справ\w*\s+(?:за|від)кри|(?:за|від)кри\w*\s+справ", "справу закрито",
           "the unit of work is a випадок (ведення випадку), not a справа"),
        _v(r"сім'\w*\s+(?:за|від)крит|(?:за|від)крит\w*\s+сім'|(?:за|від)крит\w*\s+сімей"
           r"|(?:за|від)крий\w*\s+сім'",
           "сім'ю закрито / закрита сім'я",
           "a case is opened and closed, not the family: випадок відкрито / закрито"),
    )),
    Term("неправильний", "wrong, not valid (input)", (
        _v(r"невірн", "невірний", "a calque of Russian неверный; Ukrainian says неправильний"),
    )),
    Term("конфлікт змін", "edit conflict", (
        _v(r"розбіжн", "розбіжність", "one term on every screen: the app says конфлікт змін"),
    )),
    Term("наступні кроки", "(agreed) next steps", (
        _v(r"подальш\w*\s+(?:ді|крок)", "подальші дії",
           "one term on every screen: the visit form says наступні кроки"),
        _v(r"наступн\w*\s+ді(?:ї|й|ям|ями)\b", "наступні дії",
           "one term on every screen: the visit form says наступні кроки"),
    )),
    Term("візит", "(home) visit", (
        _v(r"відвідуван", "відвідування", "one term on every screen: the app says візит",
           except_phrases=(r"відвідуван\w*\s+(?:\w+\s+)?(?:школ|заклад|урок|занят|гурт|садк|"
                           r"навчан|заход|лікар)",)),
    ), note="a child's attendance (відвідування закладу освіти) is another thing and may say so"),
    Term("супервізор", "supervisor (reviews the workers' records, decides)", (
        _v(r"керівни", "керівник", "the app's role is супервізор; contact for the phone's "
           "problems is the supervisor, for accounts the координатор, for the server the "
           "адміністратор", except_phrases=(r"класн\w*\s+керівни", r"керівництв",
                                            r"керівни\w*\s+(?:закладу|школи|гуртка)")),
        _v(r"супервайзер", "супервайзер", "the app spells it супервізор"),
    ), note="who to contact: the phone and its data -> супервізор; the account, a revoked "
            "phone -> координатор; the server, its address or certificate -> адміністратор "
            "(the roles of enum.Role, in the genitive: зверніться до супервізора)"),
    Term("перевірка (рішення супервізора)", "review (the supervisor's decision)", (
        _v(r"рецензі", "рецензія", "one term on every screen: the app says перевірка and "
           "рішення супервізора"),
    )),
    Term("фахівець із соціальної роботи", "social worker", (
        _v(r"соціальн\w*\s+працівни|соцпрацівни", "соціальний працівник",
           "the position at the centres of social services is фахівець із соціальної роботи "
           "(соціальний працівник is another position, home care)"),
    )),
    Term("громада", "(territorial) community, hromada", (
        _v(r"\bотг\b", "ОТГ", "об'єднані громади are just територіальні громади since 2020"),
        _v(r"общин", "община", "a Russianism: громада"),
    )),
    Term("картка сім'ї", "family card", (
        _v(r"картк\w*\s+родин|анкет\w*\s+сім'", "картка родини",
           "one term on every screen: the app says картка сім'ї"),
    )),
    Term("ведення випадку; випадок", "case management; the case", (
        _v(r"кейс", "кейс-менеджмент", "an anglicism: ведення випадку, випадок"),
    )),
    Term("план соціального супроводу", "support plan", (
        _v(r"план\w*\s+спільних\s+дій", "план спільних дій",
           "correct in practice, but one term on every screen: the document of order 318 is "
           "the план соціального супроводу"),
    )),
    Term("соціальний супровід", "social support (the service)", (
        _v(r"соціальн\w*\s+супроводжен", "соціальне супроводження",
           "the service's name in law 2671-VIII and the classifier is соціальний супровід"),
    )),
    Term("складні життєві обставини (СЖО)", "difficult life circumstances", (
        _v(r"скрутн\w*\s+життєв", "скрутні життєві обставини",
           "the legal term (law 2671-VIII) is складні життєві обставини"),
    )),
    Term("дитина з інвалідністю / інвалідність", "child with a disability / disability", (
        _v(r"\bінвалід(?:и|ів|ам|ами|ом|а|у|ові)?\b", "інвалід", "person-first: дитина "
           "(особа) з інвалідністю"),
    )),
    Term("PIN-код", "PIN", (
        _v(r"\bпін\b|\bпін-код", "пін-код", "one spelling on every screen: PIN-код"),
    )),
)


@dataclass(frozen=True)
class Offence:
    """A wrong variant found in one string."""

    key: str
    text: str
    term: Term
    variant: Variant
    found: str

    def __str__(self) -> str:
        return (f"{self.key}: {self.text!r} says «{self.found}» ({self.variant.example}): "
                f"use «{self.term.uk}» [{self.term.en}]: {self.variant.why}")


def offences(key: str, text: str) -> list[Offence]:
    """Every wrong variant in ``text`` (shown under ``key``) that its key does not allow."""
    norm = normalise(text)
    found: list[Offence] = []
    for term in GLOSSARY:
        for variant in term.variants:
            if any(fnmatchcase(key, pattern) for pattern in variant.allowed_in):
                continue
            checked = norm
            for phrase in variant.except_phrases:
                checked = re.sub(phrase, " ", checked)
            match = re.search(variant.pattern, checked)
            if match:
                found.append(Offence(key, text, term, variant, match.group(0)))
    return found
