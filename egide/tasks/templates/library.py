"""Where templates come from: the built-in folder, then ``EGIDE_HOME/modeles``.

Both folders are read the same way (one ``.md`` file per template), so that an administrator's
template is exactly as capable as a built-in one and replaces the built-in one of the same name.
A broken file is set aside with its French error; it never prevents the others from loading.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from egide.tasks.templates.errors import InvalidTemplate, TemplateError, TemplateNotFound
from egide.tasks.templates.model import DraftTemplate, TemplateSource
from egide.tasks.templates.parse import parse_template
from egide.tasks.templates.render import fold

__all__ = [
    "ADMIN_FOLDER",
    "BUILTIN_FOLDER",
    "BrokenTemplate",
    "TEMPLATE_SUFFIX",
    "TemplateLibrary",
    "load_templates",
]

BUILTIN_FOLDER = Path(__file__).resolve().parent / "builtin"
ADMIN_FOLDER = "modeles"  # inside EGIDE_HOME
TEMPLATE_SUFFIX = ".md"
_NOT_TEMPLATES = ("lisez", "readme")  # notes an administrator leaves beside the templates
MAX_TEMPLATE_BYTES = 256 * 1024  # a template is a page or two; anything larger is a mistake


@dataclass(frozen=True)
class BrokenTemplate:
    """A template file that could not be loaded, with the reason (file and line included)."""

    name: str  # from the file name: the real name may be in the unreadable part
    path: Path
    source: TemplateSource
    error: str


@dataclass(frozen=True)
class TemplateLibrary:
    templates: dict[str, DraftTemplate]
    broken: tuple[BrokenTemplate, ...] = ()

    def __iter__(self) -> Iterator[DraftTemplate]:
        return iter(sorted(self.templates.values(), key=lambda t: t.name))

    def __len__(self) -> int:
        return len(self.templates)

    def get(self, name: str) -> DraftTemplate:
        wanted = name.strip()
        # An administrator's broken override must not silently fall back to the built-in one.
        for broken in self.broken:
            if broken.source is TemplateSource.ADMIN and broken.name == wanted:
                raise TemplateError(broken.error)
        found = self.templates.get(wanted)
        if found is not None:
            return found
        for broken in self.broken:
            if broken.name == wanted:
                raise TemplateError(broken.error)
        known = ", ".join(sorted(self.templates)) or "aucun"
        raise TemplateNotFound(
            f"modèle inconnu « {wanted} » (modèles disponibles : {known} ; "
            "« egide templates » les décrit)"
        )


def _template_files(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [
        path
        for path in entries
        if path.suffix.lower() == TEMPLATE_SUFFIX
        and not path.name.startswith((".", "_"))
        and not path.stem.lower().startswith(_NOT_TEMPLATES)
        and path.is_file()
    ]


def _read(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as exc:
        raise InvalidTemplate(path, None, f"fichier illisible ({exc.strerror})") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InvalidTemplate(
            path, None, "fichier trop volumineux pour un modèle (256 Kio au plus)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidTemplate(
            path, line, "le fichier n'est pas enregistré en UTF-8 (réenregistrez-le en UTF-8)"
        ) from None


def _load_folder(
    folder: Path, source: TemplateSource
) -> tuple[dict[str, DraftTemplate], list[BrokenTemplate]]:
    found: dict[str, DraftTemplate] = {}
    broken: list[BrokenTemplate] = []
    for path in _template_files(folder):
        try:
            template = parse_template(_read(path), path, source=source)
            taken = found.get(template.name)
            if taken is not None:
                raise InvalidTemplate(
                    path, None, f"le nom « {template.name} » est déjà pris par {taken.path.name}"
                )
        except InvalidTemplate as exc:
            name = fold(path.stem).replace("_", "-")
            broken.append(BrokenTemplate(name, path, source, str(exc)))
            continue
        found[template.name] = template
    return found, broken


def load_templates(home: Path | None, *, builtin: Path = BUILTIN_FOLDER) -> TemplateLibrary:
    """The built-in templates, then the administrator's ones in ``home/modeles`` (read anew at
    every call, so that a file added there appears without restarting anything)."""
    templates, broken = _load_folder(builtin, TemplateSource.BUILTIN)
    if home is not None:
        admin, admin_broken = _load_folder(home / ADMIN_FOLDER, TemplateSource.ADMIN)
        for name, template in admin.items():
            templates[name] = replace(template, overrides=name in templates)
        broken.extend(admin_broken)
    return TemplateLibrary(templates, tuple(broken))
