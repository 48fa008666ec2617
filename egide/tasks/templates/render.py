"""The safe renderer: Jinja2's immutable sandbox, restricted further to plain field names.

A template may only print fields (``{{ nom }}``, ``{{ nom | upper }}``) and test them
(``{% if reference %}…{% elif … %}…{% else %}…{% endif %}``, ``==``, ``!=``, ``not``, ``and``,
``or``). Attribute and index access, calls, loops, macros, includes and assignments are refused
when the template is loaded, so a template file can never reach Python objects.
"""

from __future__ import annotations

import re

from jinja2 import StrictUndefined, nodes
from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Re-exported: they were defined here before living where they belong.
from egide.folding import fold
from egide.tasks.templates.values import french_date, parse_date, today

__all__ = [
    "BUILTIN_VARIABLES",
    "TemplateCodeError",
    "compile_body",
    "fold",
    "french_date",
    "parse_date",
    "tidy",
    "today",
]

# Variables every template may use without declaring them.
BUILTIN_VARIABLES = ("date_du_jour",)

_FILTERS = ("upper", "lower", "capitalize", "title", "trim")
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.Compare,
    nodes.Operand,
    nodes.Filter,
)
_COMPARISONS = ("eq", "ne")
_FORBIDDEN_FR = {
    "Getattr": "accès à un attribut avec « . »",
    "Getitem": "accès indexé avec « [ ] »",
    "Call": "appel de fonction",
    "For": "boucle « for »",
    "Macro": "macro",
    "Assign": "affectation « set »",
    "AssignBlock": "affectation « set »",
    "Include": "inclusion d'autres fichiers",
    "Import": "import d'autres fichiers",
    "FromImport": "import d'autres fichiers",
    "Extends": "héritage de modèles",
    "Block": "bloc",
}

_BLANK_RUN = re.compile(r"\n{3,}")


class TemplateCodeError(ValueError):
    """A construction the safe renderer refuses; ``line`` is relative to the body."""

    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=False,  # plain text, not HTML
        undefined=StrictUndefined,
        trim_blocks=True,  # a line holding only {% if %} leaves no empty line behind
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters = {name: env.filters[name] for name in _FILTERS}
    env.tests = {}
    env.globals = {}
    return env


_ENV = _environment()


def _check(node: nodes.Node, names: dict[str, int]) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        kind = type(node).__name__
        what = _FORBIDDEN_FR.get(kind, f"« {kind} »")
        raise TemplateCodeError(
            getattr(node, "lineno", None),
            f"construction non permise dans un modèle ({what}) : utilisez seulement "
            "{{ champ }} et {% if champ %}…{% endif %}",
        )
    if isinstance(node, nodes.Name):
        if node.ctx != "load":
            raise TemplateCodeError(node.lineno, "les affectations ne sont pas permises")
        names.setdefault(node.name, node.lineno)
    elif isinstance(node, nodes.Operand) and node.op not in _COMPARISONS:
        raise TemplateCodeError(
            node.lineno, "seules les comparaisons « == » et « != » sont permises"
        )
    elif isinstance(node, nodes.Filter) and node.node is None:
        raise TemplateCodeError(node.lineno, "les blocs « filter » ne sont pas permis")
    for child in node.iter_child_nodes():
        _check(child, names)


def compile_body(body: str) -> tuple[JinjaTemplate, dict[str, int]]:
    """The compiled body and the names it uses, each with the first line (in the body) using it.

    Raises :class:`TemplateCodeError` for a syntax error or a forbidden construction.
    """
    try:
        tree = _ENV.parse(body)
    except TemplateSyntaxError as exc:
        raise TemplateCodeError(exc.lineno, f"syntaxe incorrecte ({_syntax_fr(exc)})") from None
    names: dict[str, int] = {}
    _check(tree, names)
    try:
        return _ENV.from_string(body), names
    except TemplateSyntaxError as exc:  # an unknown filter is only found when compiling
        raise TemplateCodeError(exc.lineno, f"syntaxe incorrecte ({_syntax_fr(exc)})") from None


def _syntax_fr(exc: TemplateSyntaxError) -> str:
    message = exc.message or ""
    if message.startswith("No filter named"):
        return f"filtre inconnu ; filtres permis : {', '.join(_FILTERS)}"
    if "endif" in message or "end of template" in message:
        return "un {% if %} n'est pas refermé par {% endif %}"
    if message.startswith("Encountered unknown tag"):
        return (
            "balise inconnue ; seules {% if %}, {% elif %}, {% else %} et {% endif %} sont permises"
        )
    return message


def tidy(text: str) -> str:
    """No trailing spaces, at most one empty line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
