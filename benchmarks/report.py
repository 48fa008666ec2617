"""Readable tables (in French) of a guard benchmark report, split by split."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_report"]

_NAMES = {"egide": "Égide", "presidio": "Presidio"}
_SPLITS = {"dev": "dev (mise au point)", "fresh": "fresh (jamais regardée)"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _name(system: str) -> str:
    return _NAMES.get(system, system)


def _scored(systems: dict[str, Any]) -> list[str]:
    return [name for name, result in systems.items() if "masking" in result]


def _summary_table(report: dict[str, Any]) -> Table:
    table = Table(title="Synthèse par partition (%) : F1 du masquage au caractère, rappel minimal "
                        "des identifiants à clé, leurres signalés")  # fmt: skip
    for column in ("Partition", "Système", "Masquage F1", "courrier", "clinique", "decision",
                   "PERSON F1", "Identifiants (min)", "… déguisés (min)", "Leurres"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("Partition", "Système") else "right")
    for split, data in report["splits"].items():
        for name in _scored(data["systems"]):
            result = data["systems"][name]
            kinds = result["masking_by_kind"]
            recalls = [v["recall"] for v in result["identifiers"].values() if v["support"]]
            hostile = [v["recall"] for v in result["identifiers_hostile"].values() if v["support"]]
            decoys = result["decoys"]
            table.add_row(
                _SPLITS.get(split, split), _name(name), _pct(result["masking"]["f1"]),
                *(_pct(kinds.get(k, {}).get("f1")) for k in ("courrier", "clinique", "decision")),
                _pct(result["labels_overlap"].get("PERSON", {}).get("f1")),
                _pct(min(recalls) if recalls else None), _pct(min(hostile) if hostile else None),
                f"{decoys['flagged']}/{decoys['support']}",
            )  # fmt: skip
    return table


def _masking_table(split: str, systems: dict[str, Any]) -> Table:
    table = Table(title=f"{_SPLITS.get(split, split)} — masquage au caractère (%)")
    table.add_column("Périmètre")
    names = _scored(systems)
    for name in names:
        for column in ("P", "R", "F1"):
            table.add_column(f"{_name(name)} {column}", justify="right")
    first = systems[names[0]]
    scopes = [("ensemble", "masking", None), ("(dates comprises)", "masking_with_dates", None)]
    scopes += [(kind, "masking_by_kind", kind) for kind in first["masking_by_kind"]]
    scopes += [(f"groupe {g}", "masking_by_group", g) for g in first["masking_by_group"]]
    for label, key, sub in scopes:
        row = [label]
        for name in names:
            counts = systems[name][key] if sub is None else systems[name][key].get(sub, {})
            row += [_pct(counts.get("precision")), _pct(counts.get("recall")),
                    _pct(counts.get("f1"))]  # fmt: skip
        table.add_row(*row)
    return table


def _labels_table(split: str, name: str, result: dict[str, Any], gold: dict[str, int]) -> Table:
    title = (f"{_SPLITS.get(split, split)} — {_name(name)} par étiquette (%) : recouvrement ; "
             "strict = bornes exactes")  # fmt: skip
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


def _identifiers_table(split: str, systems: dict[str, Any]) -> Table:
    table = Table(title=f"{_SPLITS.get(split, split)} — identifiants à clé (%) : rappel ; "
                        "entièrement masqués ; rappel sur les valeurs déguisées")  # fmt: skip
    table.add_column("Identifiant")
    table.add_column("Réf.", justify="right")
    names = _scored(systems)
    for name in names:
        for column in ("rappel", "masqués", "déguisés"):
            table.add_column(f"{_name(name)} {column}", justify="right")
    for label, first in systems[names[0]]["identifiers"].items():
        row = [label, str(first["support"])]
        for name in names:
            values = systems[name]["identifiers"][label]
            hostile = systems[name]["identifiers_hostile"][label]
            row += [_pct(values["recall"]), _pct(values["fully_masked"]), _pct(hostile["recall"])]
        table.add_row(*row)
    return table


def _institutional_table(split: str, systems: dict[str, Any]) -> Table:
    table = Table(title=f"{_SPLITS.get(split, split)} — coordonnées institutionnelles et exemples "
                        "(%) : reconnus comme tels ; encore masqués")  # fmt: skip
    table.add_column("Étiquette")
    table.add_column("Réf.", justify="right")
    names = _scored(systems)
    for name in names:
        table.add_column(f"{_name(name)} reconnus", justify="right")
        table.add_column(f"{_name(name)} masqués", justify="right")
    for label, first in systems[names[0]]["institutional"].items():
        row = [label, str(first["support"])]
        for name in names:
            values = systems[name]["institutional"][label]
            row += [_pct(values["recall"]), _pct(values["masked"])]
        table.add_row(*row)
    return table


def _speed_table(report: dict[str, Any]) -> Table:
    characters = f"{report['characters']:,}".replace(",", " ")
    table = Table(title=f"Coût sur {characters} caractères (toutes partitions)")
    for column in ("Système", "Chargement (s)", "Détection (s)", "Caractères/s",
                   "Démarrage à froid (s)", "Accès réseau"):  # fmt: skip
        table.add_column(column, justify="left" if column == "Système" else "right")
    for name, result in report["systems"].items():
        if "error" in result:
            table.add_row(_name(name), "—", "—", "—", "—", str(len(result["network_attempts"])))
            continue
        speed = result["chars_per_second"]
        startup = result.get("startup", {})
        table.add_row(
            _name(name), f"{result['load_seconds']:.1f}", f"{result['detect_seconds']:.2f}",
            f"{speed:,}".replace(",", " ") if speed else "—",
            f"{startup['process_seconds']:.2f}" if "process_seconds" in startup else "—",
            str(len(result["network_attempts"])),
        )  # fmt: skip
    return table


def _public_table(public: dict[str, Any]) -> Table:
    table = Table(title=f"Pages publiques ({public['path']}) : pages signalées alors qu'elles ne "
                        "nomment personne (%)")  # fmt: skip
    for column in ("Système", "Pages", "Au-dessus d'« interne »", "Données personnelles",
                   "Raisons les plus fréquentes"):  # fmt: skip
        table.add_column(
            column,
            justify="left" if column in ("Système", "Raisons les plus fréquentes") else "right",
        )
    egide = public.get("egide")
    if egide:
        reasons = ", ".join(
            f"{k} {v}" for k, v in list(egide["reasons_of_flagged_pages"].items())[:6]
        )
        table.add_row("Égide", str(egide["pages"]), _pct(egide["share_above_interne"]),
                      _pct(egide["share_with_personal_data"]), reasons)  # fmt: skip
    presidio = public.get("presidio")
    if presidio:
        labels = ", ".join(
            f"{k} {v}" for k, v in list(presidio["labels_of_flagged_pages"].items())[:6]
        )
        table.add_row("Presidio", str(presidio["pages"]), "—", _pct(presidio["share_flagged"]),
                      labels)  # fmt: skip
    return table


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console(width=160)
    for name, result in report["systems"].items():
        if "error" in result:
            console.print(f"[bold red]{_name(name)} : {result['error']}[/]")
    for split, data in report["splits"].items():
        devset = data["devset"]
        kinds = ", ".join(f"{kind} {n}" for kind, n in devset["kinds"].items())
        groups = ", ".join(f"{group} {n}" for group, n in devset["groups"].items())
        console.print(f"Partition {_SPLITS.get(split, split)} : {devset['documents']} documents "
                      f"({kinds} ; {groups})")  # fmt: skip
        systems = data["systems"]
        if not _scored(systems):
            continue
        console.print(_masking_table(split, systems))
        for name in _scored(systems):
            console.print(_labels_table(split, name, systems[name], devset["gold_spans"]))
        console.print(_identifiers_table(split, systems))
        if systems[_scored(systems)[0]]["institutional"]:
            console.print(_institutional_table(split, systems))
    if any(_scored(d["systems"]) for d in report["splits"].values()):
        console.print(_summary_table(report))
    if report.get("public_pages"):
        console.print(_public_table(report["public_pages"]))
        labels = report["public_pages"].get("egide", {}).get("institutional_labels")
        if labels:
            console.print("Étiquettes institutionnelles d'Égide sur ces pages : "
                          + ", ".join(f"{k} {v}" for k, v in labels.items()))  # fmt: skip
    console.print(_speed_table(report))
    ratio = report.get("throughput_ratio_egide_over_presidio")
    if ratio is not None:
        console.print(f"Débit Égide / Presidio : × {ratio:.2f}")
    for name, result in report["systems"].items():
        if result.get("network_attempts"):
            console.print(f"[bold red]{_name(name)} a tenté d'accéder au réseau : "
                          f"{result['network_attempts'][:3]}[/]")  # fmt: skip
    console.print(f"Durée totale : {report['run_seconds']} s")
