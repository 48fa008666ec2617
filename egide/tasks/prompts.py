"""The French instructions given to generative models. Placeholders must survive untouched."""

from __future__ import annotations

from collections.abc import Sequence

from egide.models.base import SourceText

__all__ = ["SYSTEM", "LENGTH_INSTRUCTIONS", "summary_prompt", "reduce_prompt", "render_sources"]

SYSTEM = (
    "Tu es l'assistant des agents d'un ministère français. Tu réponds en français, dans un "
    "style administratif clair et sobre. Les données personnelles ont été remplacées par des "
    "marqueurs entre crochets, comme [PERSONNE_1] ou [ADRESSE_2] : recopie-les exactement, sans "
    "les modifier ni chercher à les deviner. N'invente aucun fait absent des documents."
)

LENGTH_INSTRUCTIONS = {
    "court": "en cinq phrases au plus",
    "page": "en une page au plus, sous forme de liste à puces",
    "detaille": "de façon détaillée, partie par partie, sous forme de liste à puces",
}


def render_sources(sources: Sequence[SourceText]) -> str:
    """The passages with their document (when there are several) and their page or paragraph,
    so that the model can cite them. The document's name is pseudonymised like its text."""
    several = len({source.document for source in sources}) > 1
    lines = []
    for source in sources:
        where = (
            f"p. {source.page}"
            if source.page is not None
            else (f"§ {source.paragraph}" if source.paragraph is not None else "")
        )
        if several and source.document:
            where = f"« {source.document} », {where}" if where else f"« {source.document} »"
        lines.append(f"[{where}] {source.text}" if where else source.text)
    return "\n\n".join(lines)


def summary_prompt(sources: Sequence[SourceText], length: str, *, part: str = "") -> str:
    how = LENGTH_INSTRUCTIONS.get(length, LENGTH_INSTRUCTIONS["court"])
    scope = f"la partie {part} du document" if part else "le document"
    return (
        f"Résume {scope} ci-dessous {how}. Indique entre parenthèses la page ou le paragraphe "
        "d'où vient chaque information, par exemple (p. 3).\n\n" + render_sources(sources)
    )


def reduce_prompt(partials: Sequence[str], length: str) -> str:
    how = LENGTH_INSTRUCTIONS.get(length, LENGTH_INSTRUCTIONS["court"])
    joined = "\n\n".join(f"Partie {i}:\n{text}" for i, text in enumerate(partials, start=1))
    return (
        f"Voici les résumés successifs des parties d'un long document. Rédige le résumé de "
        f"l'ensemble {how}, en conservant les références de pages.\n\n{joined}"
    )
