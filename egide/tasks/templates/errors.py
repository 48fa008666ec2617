"""What can go wrong with a template or its data; every message is French and names no value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from egide.tasks.templates.model import DraftTemplate, TemplateField

__all__ = [
    "InvalidTemplate",
    "InvalidValues",
    "MissingFields",
    "TemplateError",
    "TemplateNotFound",
]


class TemplateError(ValueError):
    """A template cannot be used as asked; ``str()`` says why and what to do, in French.

    ``problems`` maps a field's name to what is wrong with its value (a French sentence, no
    value quoted), for a form to show beside each field; ``missing`` lists the required fields
    left empty. Both are empty when the error is not about the values.
    """

    problems: Mapping[str, str] = {}
    missing: tuple[TemplateField, ...] = ()
    # One line, field by field (« Nom » : ce champ est obligatoire ; …): what a batch's report
    # says of a row. Empty when the error is not about the values.
    brief: str = ""


class InvalidTemplate(TemplateError):
    """A template file is broken: the message names the file and, when known, the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}, ligne {line}" if line else str(path)
        super().__init__(f"modèle invalide ({where}) : {problem}")
        self.path = Path(path)
        self.line = line
        self.problem = problem


class TemplateNotFound(TemplateError):
    pass


class MissingFields(TemplateError):
    """Required fields without a value; the message lists them with their labels and examples."""

    def __init__(
        self,
        template_name: str,
        missing: Sequence[TemplateField],
        *,
        problems: Mapping[str, str] | None = None,
        template: DraftTemplate | None = None,
    ) -> None:
        lines = []
        for item in missing:
            hint = f", par exemple « {item.example} »" if item.example else ""
            conditions = item.when or item.required_when
            if conditions and template is not None:
                hint = f" (obligatoire quand {template.describe(conditions)}){hint}"
            lines.append(f"  - {item.name} : {item.label}{hint}")
        plural = "s" if len(missing) > 1 else ""
        super().__init__(
            f"champ{plural} obligatoire{plural} manquant{plural} pour le modèle "
            f"« {template_name} » :\n" + "\n".join(lines)
        )
        self.missing = tuple(missing)
        self.problems = dict(problems or {})
        self.brief = _brief(self.problems, missing, template)


def _brief(
    problems: Mapping[str, str], fields: Sequence[TemplateField], template: DraftTemplate | None
) -> str:
    labels = {item.name: item.label for item in fields}
    if template is not None:
        labels.update({item.name: item.label for item in template.fields})
    return " ; ".join(f"« {labels.get(name, name)} » : {text}" for name, text in problems.items())


class InvalidValues(TemplateError):
    """Unknown field names or values a field cannot take (the values are never quoted: this
    message may end up in a batch journal)."""

    def __init__(
        self,
        message: str,
        *,
        problems: Mapping[str, str] | None = None,
        missing: Sequence[TemplateField] = (),
        template: DraftTemplate | None = None,
    ) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})
        self.missing = tuple(missing)
        self.brief = _brief(self.problems, missing, template)
