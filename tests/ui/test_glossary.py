"""Every Ukrainian string a person can read uses the glossary's term (field_app/texts/glossary.py).

Walked: the app's string tables (``field_app.i18n.UK`` and every ``field_app/texts`` module
with a ``UK`` table, registered or not), the models' validation messages, the services' and
communities' names, and every Ukrainian literal of the server, the demo data and the tools
(what the server answers, exports and seeds). A failure names the key (or file:line), the
text, and the term to use instead.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import field_app.texts
from field_app.i18n import UK
from field_app.texts.glossary import GLOSSARY, Variant, normalise, offences
from shared_models import messages
from shared_models.communities import COMMUNITIES
from shared_models.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = re.compile("[а-яіїєґА-ЯІЇЄҐ]")
#: Walked as tables above, or the glossary itself (which lists the wrong variants).
_TABLE_FILES = {"field_app/i18n.py", "shared_models/messages.py", "shared_models/services.py",
                "shared_models/communities.py"}


def _tables() -> Iterator[tuple[str, str]]:
    yield from UK.items()
    for info in pkgutil.iter_modules(field_app.texts.__path__):
        module = importlib.import_module(f"field_app.texts.{info.name}")
        table = getattr(module, "UK", None)
        if isinstance(table, dict):
            yield from ((key, text) for key, text in table.items() if UK.get(key) != text)
    # The models' messages are in UK as valid.<code> (texts/validation.py): any that is not.
    for code, (uk, _) in messages.MESSAGES.items():
        if UK.get(f"valid.{code}") != uk:
            yield f"shared_models.messages:{code}", uk
    if UK.get("valid.invalid") != messages.explain({}, "uk"):
        yield "shared_models.messages:fallback", messages.explain({}, "uk")
    for key, service in SERVICES.items():
        yield f"service:{key}", service.name("uk")
    for code, community in COMMUNITIES.items():
        yield f"community:{code.value}", community.name("uk")


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _literals() -> Iterator[tuple[str, str]]:
    """Ukrainian string literals in code (docstrings and comments are for developers)."""
    for package in ("field_app", "shared_models", "sync_server", "tools"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in _TABLE_FILES or name.startswith("field_app/texts/"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                        and id(node) not in skip and CYRILLIC.search(node.value)):
                    yield f"{name}:{node.lineno}", node.value


def test_every_ukrainian_string_uses_the_glossary_terms() -> None:
    found = [str(o) for key, text in [*_tables(), *_literals()] for o in offences(key, text)]
    assert not found, ("Ukrainian strings that do not use the glossary's term "
                       "(field_app/texts/glossary.py; change the value, keep the key; if the "
                       "words are right there, add the key to the variant's allowed_in):\n"
                       + "\n".join(found))


def test_the_walk_reaches_every_place_people_read() -> None:
    keys = {key for key, _ in [*_tables(), *_literals()]}
    assert {"unlock.wrong", "valid.date_parsing", "placement.birth_family",
            "valid.placement_same_family", "service:010.2",
            "community:malynska"} <= keys
    assert any(k.startswith("sync_server/errors.py:") for k in keys)
    assert any(k.startswith("sync_server/seed.py:") for k in keys)


@pytest.mark.parametrize("variant", [v for term in GLOSSARY for v in term.variants],
                         ids=lambda v: v.example)
def test_each_variant_catches_its_own_example(variant: Variant) -> None:
    assert any(o.variant is variant for o in offences("any.key", variant.example))


@pytest.mark.parametrize(("text", "term"), [
    ("Повернення до власної сім'ї", "рідна сім'я"),
    ("Патронатна сім'я не може бути власною сім’єю дитини", "рідна сім'я"),
    ("Дані прийомних батьків", "патронатний вихователь"),
    ("Прийомна мати дитини", "патронатний вихователь"),
    ("До якої прийомної сім'ї?", "патронатна сім'я"),
    ("Дата рішення органу опіки", "орган опіки та піклування"),
    ("Погоджено з ООП", "орган опіки та піклування"),
    ("ВПО-сімʼя", "сім'я, у якій є ВПО"),
    ("Допомога сім'ям ВПО", "сім'я, у якій є ВПО"),
    ("Сім'ю закрито", "випадок відкрито / закрито"),
    ("Відкриті сім'ї за рівнем ризику", "випадок відкрито / закрито"),
    ("Справу закрито", "випадок відкрито / закрито"),
    ("НЕВІРНИХ спроб", "неправильний"),
    ("Розглянути розбіжність", "конфлікт змін"),
    ("Подальші дії", "наступні кроки"),
    ("Зверніться до керівника", "супервізор"),
    ("Нове відвідування сім'ї", "візит"),
])
def test_inflected_and_capitalised_variants_are_caught(text: str, term: str) -> None:
    assert term in {o.term.uk for o in offences("any.key", text)}


@pytest.mark.parametrize(("key", "text"), [
    ("enum.PlacementOutcome.long_term_family", "влаштування в прийомну сім'ю"),
    ("family.card.sen", "ООП"),
    ("visit.others_hint", "Напр.: бабуся, класний керівник"),
    ("any.key", "Рішення органу опіки та піклування"),
    ("any.key", "Органом опіки і піклування"),
    ("any.key", "Сім'я, у якій є ВПО"),
    ("any.key", "Повернення до рідної сім'ї"),
    ("any.key", "Випадок закрито. Сім'я із закритим випадком"),
    ("any.key", "Дитина відвідує школу; відвідування закладу освіти нерегулярне"),
    ("any.key", "інвалідність · особливі освітні потреби"),
    ("any.key", "Сім'я проживає у власному будинку"),
])
def test_right_words_pass(key: str, text: str) -> None:
    assert offences(key, text) == []


def test_the_long_term_form_is_wrong_outside_placement_endings() -> None:
    assert offences("placement.choose_foster", "влаштування в прийомну сім'ю")


def test_the_failure_says_which_key_and_which_term() -> None:
    [offence] = offences("placement.row_birth", "Власна сім'я: {birth}")
    message = str(offence)
    assert message.startswith("placement.row_birth: ")
    assert "use «рідна сім'я»" in message


def test_apostrophes_read_alike() -> None:
    assert normalise("Сім’я") == normalise("Сімʼя") == normalise("сім'я") == "сім'я"
