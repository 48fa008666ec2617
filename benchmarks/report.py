"""Readable tables (in French) of a guard benchmark report."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_report"]

_NAMES = {"egide": "Égide", "presidio": "Presidio"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _scored(systems: dict[str, Any]) -> list[str]:
    return [name for name, result in systems.items() if "masking" in result]


def _masking_table(systems: dict[str, Any]) -> Table:
    table = Table(title="Masquage des données personnelles, au caractère, toutes étiquettes (%)")
    table.add_column("Périmètre")
    names = _scored(systems)
    for name in names:
        for column in ("P", "R", "F1"):
            table.add_column(f"{_NAMES.get(name, name)} {column}", justify="right")
    first = systems[names[0]]
    scopes = [("ensemble", "masking"), ("(dates comprises)", "masking_with_dates")]
    scopes += [(kind, kind) for kind in first["masking_by_kind"]]
    for label, key in scopes:
        row = [label]
        for name in names:
            result = systems[name]
            counts = result[key] if key in result else result["masking_by_kind"].get(key)
            row += [_pct(counts["precision"]), _pct(counts["recall"]), _pct(counts["f1"])]
        table.add_row(*row)
    return table


def _labels_table(name: str, result: dict[str, Any], gold: dict[str, int]) -> Table:
    title = f"{_NAMES.get(name, name)} par étiquette (%) : recouvrement ; strict = bornes exactes"
    table = Table(title=title)
    for column in ("Étiquette", "Réf.", "Prédites", "P", "R", "F1", "F1 strict"):
        table.add_column(column, justify="left" if column == "Étiquette" else "right")
    loose, strict = result["labels_overlap"], result["labels_strict"]
    labels = sorted((set(gold) | set(loose)) - {"ALL"})
    for label in [*labels, "ALL"]:
        counts = loose.get(label)
        support = sum(gold.values()) if label == "ALL" else gold.get(label, 0)
        if counts is None:
            table.add_row(label, str(support), "0", "—", "0.0", "0.0", "0.0")
            continue
        table.add_row(
            "toutes" if label == "ALL" else label, str(support), str(counts["predicted"]),
            _pct(counts["precision"]), _pct(counts["recall"]), _pct(counts["f1"]),
            _pct(strict[label]["f1"]),
        )  # fmt: skip
    return table


def _identifiers_table(systems: dict[str, Any]) -> Table:
    table = Table(title="Identifiants à clé de contrôle (%) : rappel ; entièrement masqués")
    table.add_column("Identifiant")
    table.add_column("Réf.", justify="right")
    names = _scored(systems)
    for name in names:
        table.add_column(f"{_NAMES.get(name, name)} rappel", justify="right")
        table.add_column(f"{_NAMES.get(name, name)} masqués", justify="right")
    labels = systems[names[0]]["identifiers"]
    for label, first in labels.items():
        row = [label, str(first["support"])]
        for name in names:
            values = systems[name]["identifiers"][label]
            row += [_pct(values["recall"]), _pct(values["fully_masked"])]
        table.add_row(*row)
    return table


def _speed_table(report: dict[str, Any]) -> Table:
    characters = f"{report['devset']['characters']:,}".replace(",", " ")
    table = Table(title=f"Débit sur {characters} caractères")
    for column in ("Système", "Chargement (s)", "Détection (s)", "Caractères/s", "Accès réseau"):
        table.add_column(column, justify="left" if column == "Système" else "right")
    for name, result in report["systems"].items():
        if "error" in result:
            table.add_row(
                _NAMES.get(name, name), "—", "—", "—", str(len(result["network_attempts"]))
            )
            continue
        speed = result["chars_per_second"]
        table.add_row(
            _NAMES.get(name, name), f"{result['load_seconds']:.1f}",
            f"{result['detect_seconds']:.2f}", f"{speed:,}".replace(",", " ") if speed else "—",
            str(len(result["network_attempts"])),
        )  # fmt: skip
    return table


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    devset, systems = report["devset"], report["systems"]
    kinds = ", ".join(f"{kind} {n}" for kind, n in devset["kinds"].items())
    console.print(f"Jeu de développement : {devset['documents']} documents ({kinds})")
    for name, result in systems.items():
        if "error" in result:
            console.print(f"[bold red]{_NAMES.get(name, name)} : {result['error']}[/]")
    if _scored(systems):
        console.print(_masking_table(systems))
        for name in _scored(systems):
            console.print(_labels_table(name, systems[name], devset["gold_spans"]))
        console.print(_identifiers_table(systems))
    console.print(_speed_table(report))
    ratio = report.get("throughput_ratio_egide_over_presidio")
    if ratio is not None:
        console.print(f"Débit Égide / Presidio : × {ratio:.2f}")
    for name, result in systems.items():
        if result.get("network_attempts"):
            console.print(f"[bold red]{_NAMES.get(name, name)} a tenté d'accéder au réseau : "
                          f"{result['network_attempts'][:3]}[/]")  # fmt: skip
    console.print(f"Durée totale : {report['run_seconds']} s")
