"""``egide models list`` and ``egide models check``: the configured models, as the charter sees
them, and whether each one answers and streams (a fixed probe, no data)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from egide.cli.common import EXIT_ERROR, EXIT_OK, CliError, settings_from

if TYPE_CHECKING:
    from egide.config import ModelSettings, Settings
    from egide.models.check import ModelCheck
    from egide.policy.levels import Level

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = subparsers.add_parser(
        "models", help="les modèles configurés : ce que la charte leur permet, s'ils répondent"
    )
    commands = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = commands.add_parser(
        "list", help="les modèles configurés et ce qu'ils peuvent recevoir"
    )
    listing.add_argument("--json", action="store_true", help="sortie JSON (supervision)")
    listing.set_defaults(handler=run_list)
    check = commands.add_parser(
        "check",
        help="vérifier que chaque modèle répond et diffuse sa réponse en flux (texte d'essai fixe)",
    )
    check.add_argument("names", nargs="*", metavar="NOM", help="modèles à vérifier (défaut : tous)")
    check.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDES",
        help="délai d'attente de chaque modèle, sans nouvelle tentative (défaut : 30)",
    )  # fmt: skip
    check.add_argument("--json", action="store_true", help="sortie JSON (supervision)")
    check.set_defaults(handler=run_check)


def _levels(levels: tuple[Level, ...]) -> str:
    return ", ".join(level.label_fr for level in levels) or "rien"


def _charter_sentence(accepts: tuple[Level, ...], refuses: tuple[Level, ...]) -> str:
    sentence = f"la charte lui permet de recevoir : {_levels(accepts)}"
    if refuses:
        sentence += f" ; jamais : {_levels(refuses)}"
    return sentence


def _where(model: ModelSettings) -> str:
    if model.backend == "openai":
        served = f", modèle « {model.model} »" if model.model else ""
        if len(model.endpoints) > 1:
            urls = ", ".join(model.endpoints)
            return f"{len(model.endpoints)} serveurs compatibles OpenAI ({urls}){served}"
        return f"serveur compatible OpenAI {model.endpoints[0]}{served}"
    if model.backend == "llama_cpp":
        return f"fichier GGUF {model.path}, dans le processus d'Égide (llama.cpp)"
    return "moteur intégré à Égide : rien ne quitte le serveur"


def _selected(settings: Settings, names: list[str]) -> list[ModelSettings]:
    if not names:
        return list(settings.models)
    known = {model.name: model for model in settings.models}
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(known) or "aucun"
        raise CliError(f"modèle inconnu : {', '.join(unknown)} (modèles configurés : {listed})")
    return [known[name] for name in names]


def run_list(args: argparse.Namespace) -> int:
    from egide.models import model_label_fr
    from egide.models.check import charter_levels

    settings = settings_from(args, documents=False)
    rows: list[dict[str, Any]] = []
    for model in settings.models:
        accepts, refuses = charter_levels(model)
        rows.append(
            {
                "nom": model.name,
                "nature": model_label_fr(model),
                "tier": model.tier.value,
                "moteur": model.backend,
                "ou": _where(model),
                "niveau_max": model.effective_max_sensitivity.key,
                "peut_recevoir": [level.key for level in accepts],
                "charte": _charter_sentence(accepts, refuses),
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{_count(len(rows))} configuré{'s' if len(rows) > 1 else ''} ({_source(settings)}) :")
    for row in rows:
        print(f"\n« {row['nom']} » — {row['nature']}")
        print(f"  {row['ou']}")
        print(f"  {row['charte']}")
    return EXIT_OK


def _count(number: int) -> str:
    return f"{number} modèle{'s' if number > 1 else ''}"


def _source(settings: Settings) -> str:
    return (
        f"fichier {settings.config_path}"
        if settings.config_path
        else "valeurs par défaut intégrées"
    )


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s".replace(".", ",")


def _print_check(report: ModelCheck, model: ModelSettings) -> None:
    print(f"\n« {report.name} » — {report.label_fr}")
    print(f"  {_where(model)}")
    if report.load_s is not None:
        print(f"  chargement du fichier : {_seconds(report.load_s)}")
    if report.answers:
        print(
            f"  ✓ répond : « {report.excerpt} » (premier morceau en "
            f"{_seconds(report.first_chunk_s)}, réponse complète en {_seconds(report.total_s)})"
        )
    for problem in report.problems:
        print(f"  ✗ ne répond pas : {problem}")
    for replica in report.replicas:
        if replica.answers:
            print(
                f"  ✓ réplique {replica.url} : répond (premier morceau en "
                f"{_seconds(replica.first_chunk_s)})"
            )
        else:
            print(f"  ✗ réplique {replica.url} : {replica.problem}")
    if not report.generative:
        print(
            "  flux : sans objet (il renvoie des extraits des documents fournis, il ne rédige pas)"
        )
    elif report.streams:
        print(f"  ✓ diffuse sa réponse en flux ({report.chunks} morceaux)")
    elif report.answers:
        print(
            "  ⚠ pas de flux : la réponse est arrivée d'un bloc ; les agents la verront s'afficher "
            "d'un coup (vérifiez que le serveur accepte « stream »)"
        )
    for note in report.notes:
        print(f"  ⚠ {note}")
    print(f"  {_charter_sentence(report.accepts, report.refuses)}")


def run_check(args: argparse.Namespace) -> int:
    from egide.models.check import PROBE, check_model

    if args.timeout <= 0:
        raise CliError("--timeout attend un nombre de secondes positif")
    settings = settings_from(args, documents=False)
    models = _selected(settings, args.names)
    reports = [(check_model(model, timeout_s=args.timeout), model) for model in models]
    working = sum(report.ok for report, _ in reports)
    if args.json:
        print(json.dumps([_as_json(report) for report, _ in reports], ensure_ascii=False, indent=2))
    else:
        print(f"Vérification de {_count(len(reports))} ({_source(settings)}).")
        print(f"Texte d'essai envoyé à chacun, fixe et sans aucune donnée : « {PROBE} »")
        for report, model in reports:
            _print_check(report, model)
        verb = "répond" if working < 2 else "répondent"
        print(f"\nBilan : {_count(working)} sur {len(reports)} {verb} sans erreur.")
    if working < len(reports):
        if not args.json:
            print(
                "Les agents ne peuvent pas utiliser un modèle qui ne répond pas : corrigez sa "
                "configuration ou son serveur, puis relancez « egide models check ».",
                file=sys.stderr,
            )
        return EXIT_ERROR
    return EXIT_OK


def _as_json(report: ModelCheck) -> dict[str, Any]:
    return {
        "nom": report.name,
        "nature": report.label_fr,
        "ou": report.where,
        "generatif": report.generative,
        "repond": report.answers,
        "flux": report.streams,
        "morceaux": report.chunks,
        "chargement_s": report.load_s,
        "premier_morceau_s": report.first_chunk_s,
        "total_s": report.total_s,
        "extrait": report.excerpt,
        "peut_recevoir": [level.key for level in report.accepts],
        "problemes": report.problems,
        "remarques": report.notes,
        "repliques": [
            {
                "adresse": replica.url,
                "repond": replica.answers,
                "premier_morceau_s": replica.first_chunk_s,
                "probleme": replica.problem,
            }
            for replica in report.replicas
        ],
        "ok": report.ok,
    }
