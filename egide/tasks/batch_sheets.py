"""The example spreadsheet of a template: what an agent fills to draft one letter per row.

Its first sheet has one column per field, headed by the field's label (a column may also carry
the field's name: both are recognised), and one row of the template's examples; choices come as
drop-down lists. A second sheet says, field by field, whether it is required, under which
condition, and which values or format it takes. Every cell goes through
:func:`egide.spreadsheets.safe_cell`: labels and examples come from template files, which an
ambassadeur writes, and must never run as formulas in the agent's spreadsheet software.
"""

from __future__ import annotations

import io

from egide.spreadsheets import csv_bytes, safe_cell
from egide.tasks.templates import DraftTemplate, TemplateField
from egide.tasks.templates.values import DATE_HINT

__all__ = ["example_csv", "example_xlsx", "field_rule", "sheet_header"]

_DATA_SHEET = "Courriers"
_HELP_SHEET = "Mode d'emploi"
_LISTS_SHEET = "Listes"
_VALIDATED_ROWS = 2_000  # the portal's limit of rows per batch
_MAX_WIDTH = 60


def sheet_header(template: DraftTemplate) -> list[str]:
    return [item.label for item in template.fields]


def _example_row(template: DraftTemplate) -> list[str]:
    return [item.example or item.default or "" for item in template.fields]


def field_rule(template: DraftTemplate, item: TemplateField) -> str:
    """« obligatoire », « facultatif », « obligatoire si … », « seulement si … »."""
    if item.when:
        need = "obligatoire" if item.required else "facultatif"
        return f"{need}, seulement si {template.describe(item.when)}"
    if item.required_when and not item.required:
        return f"obligatoire si {template.describe(item.required_when)}, facultatif sinon"
    if item.required:
        return "obligatoire"
    if item.default:
        return f"facultatif (à défaut : {item.default})"
    return "facultatif"


def _format(item: TemplateField) -> str:
    if item.choices:
        return "une valeur parmi : " + " ; ".join(item.choices)
    if item.type == "date":
        return f"une date {DATE_HINT}"
    return "texte libre"


def example_csv(template: DraftTemplate) -> bytes:
    return csv_bytes(sheet_header(template), [_example_row(template)])


def example_xlsx(template: DraftTemplate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data = book.active
    data.title = _DATA_SHEET
    data.append([safe_cell(label) for label in sheet_header(template)])
    data.append([safe_cell(value) for value in _example_row(template)])
    data.freeze_panes = "A2"
    lists = None
    for index, item in enumerate(template.fields, start=1):
        letter = get_column_letter(index)
        data.cell(row=1, column=index).font = Font(bold=True)
        width = max(len(item.label), len(item.example or ""), 12)
        data.column_dimensions[letter].width = min(width + 2, _MAX_WIDTH)
        if item.choices:
            # Choices may hold commas (« Madame, Monsieur »): a list typed in the rule would
            # split them, a range of cells does not.
            if lists is None:
                lists = book.create_sheet(_LISTS_SHEET)
                lists.sheet_state = "hidden"
            for row, choice in enumerate(item.choices, start=1):
                lists.cell(row=row, column=index, value=safe_cell(choice))
            source = f"'{_LISTS_SHEET}'!${letter}$1:${letter}${len(item.choices)}"
            rule = DataValidation(type="list", formula1=source, allow_blank=True)
            rule.error = "Choisissez une des valeurs de la liste."
            rule.errorTitle = item.label[:32]
            rule.showErrorMessage = True
            data.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{_VALIDATED_ROWS + 1}")
    help_sheet = book.create_sheet(_HELP_SHEET)
    notes = [
        f"Modèle « {template.title} » ({template.name}) : une ligne par courrier, à partir de "
        "la ligne 2 de la feuille « Courriers » ; remplacez la ligne d'exemple.",
        "Une colonne peut porter le libellé du champ ou son nom ; l'ordre des colonnes est "
        "libre, les colonnes en trop sont ignorées (Égide les signale).",
        "Une valeur identique pour tous les courriers (service, signataire…) peut être "
        "laissée vide ici : vous la saisirez une fois, au dépôt du tableau.",
        "",
    ]
    for note in notes:
        help_sheet.append([safe_cell(note)])
    help_sheet.append(["Colonne", "Nom du champ", "Règle", "Valeurs ou format", "Exemple"])
    header_row = help_sheet.max_row
    for item in template.fields:
        help_sheet.append([safe_cell(value) for value in (
            item.label, item.name, field_rule(template, item), _format(item), item.example or "",
        )])  # fmt: skip
    for cell in help_sheet[header_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (45, 24, 45, 50, 40), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
