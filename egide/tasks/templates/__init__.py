"""Drafting templates that administrators and "ambassadeurs IA" write without code.

One Markdown file per template, with a TOML front matter between two ``+++`` lines (title,
category, fields with their French labels) and a body where ``{{ champ }}`` placeholders and
``{% if champ %}…{% endif %}`` blocks are filled by a sandboxed renderer. Built-in templates live
in ``builtin/``; an administrator adds or replaces templates in ``EGIDE_HOME/modeles/``.
"""

from egide.tasks.templates.errors import (
    InvalidTemplate,
    InvalidValues,
    MissingFields,
    TemplateError,
    TemplateNotFound,
)
from egide.tasks.templates.library import (
    ADMIN_FOLDER,
    BUILTIN_FOLDER,
    MAX_TEMPLATE_BYTES,
    TEMPLATE_SUFFIX,
    BrokenTemplate,
    TemplateLibrary,
    load_templates,
)
from egide.tasks.templates.model import (
    KINDS,
    DraftTemplate,
    TemplateField,
    TemplateSource,
)
from egide.tasks.templates.parse import parse_template

__all__ = [
    "ADMIN_FOLDER", "BUILTIN_FOLDER", "KINDS", "MAX_TEMPLATE_BYTES", "TEMPLATE_SUFFIX", "BrokenTemplate", "DraftTemplate",
    "InvalidTemplate", "InvalidValues", "MissingFields", "TemplateError", "TemplateField",
    "TemplateLibrary", "TemplateNotFound", "TemplateSource", "load_templates", "parse_template",
]  # fmt: skip
