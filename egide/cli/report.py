"""The readable French report of ``egide scan``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from egide.guard.findings import Finding, ScanResult
from egide.guard.labels import label_fr
from egide.policy.levels import Level

__all__ = ["print_scan_report"]

_LEVEL_STYLE = {
    Level.PUBLIC: "green",
    Level.INTERNE: "green",
    Level.PERSONNEL: "yellow",
    Level.SENSIBLE: "red",
    Level.DIFFUSION_RESTREINTE: "bold red",
    Level.CLASSIFIE: "bold white on red",
}


def print_scan_report(
    path: Path,
    result: ScanResult,
    findings: Sequence[tuple[int, Finding]],
    *,
    console: Console | None = None,
) -> None:
    console = console or Console(highlight=False)
    style = _LEVEL_STYLE[result.level]
    console.print(f"[bold]Analyse de {path}[/bold]")
    console.print(f"Niveau de sensibilité : [{style}]{result.level.label_fr}[/{style}]")
    if result.level is Level.CLASSIFIE:
        console.print(
            "[bold red]Ce document porte une classification : Égide ne le traitera pas.[/bold red]"
        )
    if result.reasons:
        console.print("Raisons :")
        for reason in sorted(result.reasons, key=lambda r: -r.level):
            console.print(f"  • {reason.label_fr} : {reason.count} ({reason.level.label_fr})")
    else:
        console.print("Aucune donnée personnelle ni sensible détectée.")
    if not findings:
        return
    table = Table(title=f"{len(findings)} données détectées", title_justify="left")
    table.add_column("Ligne", justify="right")
    table.add_column("Catégorie")
    table.add_column("Valeur")
    table.add_column("Confiance", justify="right")
    for line, finding in findings:
        table.add_row(
            str(line),
            label_fr(finding.label),
            finding.text.replace("\n", " ⏎ "),
            f"{finding.score:.0%}".replace("%", " %"),
        )
    console.print(table)
