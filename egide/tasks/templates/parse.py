"""Reading a template file: TOML front matter between two ``+++`` lines, then the body.

Every problem raises :class:`InvalidTemplate` with the file and, when it can be found, the line,
so that the person who wrote the template can fix it without help (docs/gabarits.md).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from egide.folding import fold
from egide.tasks.templates.errors import InvalidTemplate
from egide.tasks.templates.model import (
    FIELD_TYPES,
    KINDS,
    DraftTemplate,
    TemplateField,
    TemplateSource,
)
from egide.tasks.templates.render import BUILTIN_VARIABLES, TemplateCodeError, compile_body
from egide.tasks.templates.values import TODAY_WORDS, Condition, ValueProblem, read_date

__all__ = ["parse_template"]

_DELIMITER = "+++"
_TOP_KEYS = ("nom", "titre", "categorie", "description", "champs")
_FIELD_KEYS = (
    "nom", "libelle", "obligatoire", "defaut", "exemple", "choix", "type", "si", "obligatoire_si",
)  # fmt: skip
_TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")
_TOML_POSITION = re.compile(r"\(at line (\d{1,9}), column \d{1,9}\)")
_TOML_FR = (
    ("Invalid value", "valeur invalide (un texte s'écrit entre guillemets)"),
    ("Expected '=' after a key", "« = » attendu après le nom de la clé"),
    ("Unclosed array", "liste non refermée (« ] » manquant)"),
    ("Unterminated string", "texte non refermé (guillemet manquant)"),
    ("Illegal character", "caractère non permis (un texte s'écrit entre guillemets)"),
    ("Cannot overwrite a value", "clé déclarée deux fois"),
    ("Cannot declare", "table déclarée deux fois"),
    ("Invalid statement", "ligne incorrecte"),
    ("Expected newline", "fin de ligne attendue"),
)


class _Locator:
    """Line numbers in the file for keys of the front matter (which starts on line 2)."""

    def __init__(self, front_lines: Sequence[str]) -> None:
        self.lines = front_lines
        self.headers = [i for i, line in enumerate(front_lines) if line.strip() == "[[champs]]"]

    def _find(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
        for index in range(start, end):
            if pattern.match(self.lines[index]):
                return index + 2
        return None

    def top(self, key: str) -> int | None:
        end = self.headers[0] if self.headers else len(self.lines)
        return self._find(key, 0, end)

    def field(self, number: int, key: str | None = None) -> int | None:
        if number >= len(self.headers):
            return None
        start = self.headers[number]
        end = self.headers[number + 1] if number + 1 < len(self.headers) else len(self.lines)
        found = self._find(key, start, end) if key else None
        return found or start + 2


def _split(text: str, path: Path) -> tuple[list[str], str, int]:
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != _DELIMITER:
        raise InvalidTemplate(
            path, 1, "le fichier doit commencer par une ligne « +++ », suivie de l'en-tête"
        )
    for index in range(1, len(lines)):
        if lines[index].strip() == _DELIMITER:
            return lines[1:index], "\n".join(lines[index + 1 :]), index + 2
    raise InvalidTemplate(
        path, len(lines), "en-tête non refermé : ajoutez une ligne « +++ » après l'en-tête"
    )


def _toml(front: list[str], path: Path) -> dict[str, Any]:
    try:
        # The final newline matters: without it, an error on the last line has no position.
        return tomllib.loads("\n".join(front) + "\n")
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line = int(found.group(1)) + 1 if found else None
        french = next((fr for en, fr in _TOML_FR if message.startswith(en)), None)
        raise InvalidTemplate(
            path, line, f"en-tête incorrect : {french or 'syntaxe TOML incorrecte'}"
        ) from None


def _text(value: Any, what: str, path: Path, line: int | None, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise InvalidTemplate(path, line, f"{what} manquant")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidTemplate(
            path, line, f"{what} : un texte non vide entre guillemets est attendu"
        )
    return value.strip()


def _conditions(
    raw: Any, key: str, name: str, earlier: Sequence[TemplateField], path: Path, line: int | None
) -> tuple[Condition, ...]:
    """``si = { sens = "défavorable" }`` or ``{ sens = ["défavorable", "partiel"] }``: fields
    declared before this one, and values among their choices when they have some."""
    example = f'{key} = {{ sens = "défavorable" }}'
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise InvalidTemplate(
            path, line, f"{key} : une condition s'écrit entre accolades, par exemple {example}"
        )
    conditions = []
    for other, wanted in raw.items():
        target = next((f for f in earlier if f.name == other), None)
        if target is None:
            raise InvalidTemplate(
                path, line, f"{key} du champ « {name} » : « {other} » n'est pas un champ déclaré "
                "avant lui (une condition porte sur un champ déclaré plus haut)",
            )  # fmt: skip
        values = [wanted] if isinstance(wanted, str) else wanted
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v for v in values)
        ):
            raise InvalidTemplate(
                path, line, f"{key} : un texte ou une liste de textes est attendu pour « {other} »"
            )
        for value in values:
            if target.choices and value not in target.choices:
                listed = ", ".join(f"« {c} »" for c in target.choices)
                raise InvalidTemplate(
                    path, line, f"{key} du champ « {name} » : « {value} » n'est pas un des "
                    f"choix de « {other} » ({listed})",
                )  # fmt: skip
        conditions.append(Condition(other, tuple(values)))
    return tuple(conditions)


def _parse_field(
    raw: Any, number: int, where: _Locator, path: Path, earlier: Sequence[TemplateField]
) -> TemplateField:
    line = where.field(number)
    if not isinstance(raw, dict):
        raise InvalidTemplate(path, line, "chaque champ se déclare dans un bloc [[champs]]")
    for key in raw:
        if key not in _FIELD_KEYS:
            raise InvalidTemplate(
                path,
                where.field(number, key),
                f"clé inconnue « {key} » dans un champ (clés permises : {', '.join(_FIELD_KEYS)})",
            )
    name = _text(raw.get("nom"), "nom du champ", path, where.field(number, "nom"), required=True)
    assert name is not None
    if not _FIELD_NAME.fullmatch(name) or name in BUILTIN_VARIABLES:
        raise InvalidTemplate(
            path,
            where.field(number, "nom"),
            f"nom de champ « {name} » incorrect : lettres minuscules sans accents, chiffres et "
            "« _ », sans tiret ni espace (par exemple « date_demande ») ; "
            f"« {'», «'.join(BUILTIN_VARIABLES)} » est réservé",
        )
    label = _text(raw.get("libelle"), f"libellé du champ « {name} »", path, line, required=True)
    when = _conditions(raw.get("si"), "si", name, earlier, path, where.field(number, "si"))
    required_when = _conditions(
        raw.get("obligatoire_si"), "obligatoire_si", name, earlier, path,
        where.field(number, "obligatoire_si"),
    )  # fmt: skip
    required = raw.get("obligatoire", not required_when)
    if not isinstance(required, bool):
        raise InvalidTemplate(
            path, where.field(number, "obligatoire"), "obligatoire : true ou false attendu"
        )
    if required and required_when:
        raise InvalidTemplate(
            path, where.field(number, "obligatoire"), f"le champ « {name} » a une condition "
            "« obligatoire_si » : retirez obligatoire = true (il est facultatif hors de ce cas)",
        )  # fmt: skip
    default = _text(
        raw.get("defaut"), "defaut", path, where.field(number, "defaut"), required=False
    )
    example = _text(
        raw.get("exemple"), "exemple", path, where.field(number, "exemple"), required=False
    )
    choices = raw.get("choix", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
        raise InvalidTemplate(
            path, where.field(number, "choix"), "choix : une liste de textes est attendue"
        )
    kind = raw.get("type", "texte")
    if kind not in FIELD_TYPES:
        raise InvalidTemplate(
            path, where.field(number, "type"), f"type : « texte » ou « date » attendu pour {name}"
        )
    if required and default:
        raise InvalidTemplate(
            path,
            where.field(number, "defaut"),
            f"le champ « {name} » a une valeur par défaut : déclarez-le obligatoire = false",
        )
    if default and choices and default not in choices:
        raise InvalidTemplate(
            path, where.field(number, "defaut"), f"la valeur par défaut de « {name} » n'est pas "
            "parmi ses choix",
        )  # fmt: skip
    if kind == "date":
        for key, value in (("defaut", default), ("exemple", example)):
            if value and fold(value) not in TODAY_WORDS:
                try:
                    read_date(value)
                except ValueProblem as exc:
                    raise InvalidTemplate(
                        path, where.field(number, key), f"{key} : {exc}"
                    ) from None
    assert label is not None
    return TemplateField(
        name, label, required, default, example, tuple(choices), kind, when, required_when
    )


def parse_template(
    text: str, path: Path, *, source: TemplateSource = TemplateSource.ADMIN
) -> DraftTemplate:
    """Parse and check a template file; raise :class:`InvalidTemplate` naming file and line."""
    front, body, body_line = _split(text, path)
    raw = _toml(front, path)
    where = _Locator(front)
    for key in raw:
        if key not in _TOP_KEYS:
            raise InvalidTemplate(
                path, where.top(key), f"clé inconnue « {key} » (clés permises : "
                f"{', '.join(_TOP_KEYS)})",
            )  # fmt: skip
    default_name = fold(path.stem).replace("_", "-")
    name = _text(raw.get("nom"), "nom", path, where.top("nom"), required=False) or default_name
    if not _TEMPLATE_NAME.fullmatch(name):
        raise InvalidTemplate(
            path,
            where.top("nom"),
            f"nom de modèle « {name} » incorrect : lettres minuscules sans accents, chiffres, "
            "« - » et « _ » (par exemple « accuse-reception »)",
        )
    title = _text(raw.get("titre"), "titre", path, where.top("titre"), required=True)
    kind = _text(raw.get("categorie"), "categorie", path, where.top("categorie"), required=True)
    if kind not in KINDS:
        raise InvalidTemplate(
            path, where.top("categorie"), f"categorie « {kind} » inconnue (choix : "
            f"{', '.join(KINDS)})",
        )  # fmt: skip
    description = _text(
        raw.get("description"), "description", path, where.top("description"), required=False
    )
    raw_fields = raw.get("champs", [])
    if not isinstance(raw_fields, list):
        raise InvalidTemplate(path, where.top("champs"), "les champs se déclarent en [[champs]]")
    fields: list[TemplateField] = []
    for number, raw_field in enumerate(raw_fields):
        parsed = _parse_field(raw_field, number, where, path, fields)
        if any(f.name == parsed.name for f in fields):
            raise InvalidTemplate(
                path, where.field(number, "nom"), f"champ « {parsed.name} » déclaré deux fois"
            )
        fields.append(parsed)
    if not body.strip():
        raise InvalidTemplate(path, body_line, "le texte du modèle est vide après l'en-tête")
    try:
        compiled, names = compile_body(body)
    except TemplateCodeError as exc:
        line = body_line + exc.line - 1 if exc.line else None
        raise InvalidTemplate(path, line, exc.problem) from None
    declared = {f.name for f in fields} | set(BUILTIN_VARIABLES)
    for used, line in names.items():
        if used not in declared:
            raise InvalidTemplate(
                path,
                body_line + line - 1,
                f"{{{{ {used} }}}} n'est pas un champ déclaré : ajoutez un bloc [[champs]] "
                f"avec nom = « {used} », ou corrigez la faute de frappe",
            )
    assert title is not None and kind is not None
    return DraftTemplate(
        name=name,
        title=title,
        kind=kind,
        description=description or "",
        fields=tuple(fields),
        body=body,
        path=path,
        source=source,
        compiled=compiled,
    )
