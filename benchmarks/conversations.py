"""Search across the whole text of one agent's conversations, which are sealed at rest.

The store cannot search ciphertext: the portal decrypts the agent's own titles, questions and
answers and folds them (case, accents, apostrophes, spacing) in Python. This measures what that
costs at the scale of one agent: N conversations of E exchanges (a question of about 200
characters, an answer of about 1,500), plus as many belonging to another agent (never read),
in a SQLite store with its key. Reference, same run: listing the same conversations without
search (one query, titles decrypted).

    .venv/bin/python benchmarks/conversations.py [--conversations 500] [--exchanges 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from egide.config import load_settings
from egide.store import open_store
from egide.store.conversation_rows import ConversationRow
from egide.store.workspace import WorkRequestRow
from egide.workspace import Workspace

QUESTION = (
    "Pouvez-vous me rappeler les pièces à fournir pour le dossier n° {n} de Madame Hélène "
    "Dupont-{n}, demeurant 12 rue des Lilas, et le délai d'instruction applicable ?"
)
ANSWER = (
    "Pour le dossier n° {n}, les pièces à fournir sont : un justificatif d'identité en cours "
    "de validité, un justificatif de domicile de moins de trois mois, trois photographies "
    "d'identité conformes aux normes, et le formulaire Cerfa dûment rempli et signé. "
) * 4 + "Le délai d'instruction est de deux mois à compter du dépôt du dossier complet."


def _fill(workspace: Workspace, owner: str, conversations: int, exchanges: int) -> None:
    """The rows as the portal writes them (sealed the same way), in one transaction: the
    measure is the search, not a thousand commits."""
    store = workspace.store
    titles, turns = store.cipher.for_table("conversations"), store.cipher.for_table("work_requests")
    now = datetime.now(UTC)
    with store.session() as session:
        for c in range(conversations):
            conversation_id = str(uuid.uuid4())
            moment = now - timedelta(minutes=conversations - c)
            session.add(
                ConversationRow(
                    id=conversation_id,
                    owner=owner,
                    title=titles.seal(f"Dossier {c} — pièces et délai", "title", conversation_id),
                    created_at=moment,
                    updated_at=moment,
                )
            )
            for e in range(exchanges):
                n, turn_id = c * exchanges + e, str(uuid.uuid4())
                session.add(
                    WorkRequestRow(
                        id=turn_id,
                        owner=owner,
                        task="chat",
                        title=turns.seal(f"Question {n}", "title", turn_id),
                        prompt=turns.seal(QUESTION.format(n=n), "prompt", turn_id),
                        options="{}",
                        document_ids="[]",
                        conversation_id=conversation_id,
                        status="envoyee",
                        error=None,
                        warnings="[]",
                        model="local",
                        draft_id=None,
                        created_at=moment + timedelta(seconds=e),
                        updated_at=moment + timedelta(seconds=e),
                        answer=turns.seal(ANSWER.format(n=n), "answer", turn_id),
                        level="personnel",
                        tier="interne",
                        sent_digest=turns.seal("0" * 64, "sent_digest", turn_id),
                    )
                )


def _timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    """Wall-clock and CPU time: on a shared machine, the CPU time is the work itself."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--exchanges", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/conversations.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(environ={"EGIDE_HOME": str(Path(folder) / "home")})
        with open_store(settings) as store:
            workspace = Workspace(settings, lambda: store)
            started = time.perf_counter()
            _fill(workspace, "agent", args.conversations, args.exchanges)
            _fill(workspace, "voisin", args.conversations, args.exchanges)
            filled_s = time.perf_counter() - started
            service = workspace.conversations
            last = args.conversations * args.exchanges - 1
            cases = {
                "liste (référence)": lambda: service.list("agent", limit=50),
                "recherche absente (tout lu)": lambda: service.search("agent", "introuvable"),
                "un numéro de dossier (une seule)": lambda: service.search(
                    "agent", f"dossier n° {last}"
                ),
                "sans accents ni majuscules, partout": lambda: service.search(
                    "agent", "DELAI D’INSTRUCTION"
                ),
            }
            results = {name: _timed(action, args.runs) for name, action in cases.items()}
            found = len(service.search("agent", "delai d'instruction"))
    characters = args.conversations * args.exchanges * (len(QUESTION) + len(ANSWER))
    report = {
        "conversations": args.conversations,
        "exchanges": args.exchanges,
        "characters_searched": characters,
        "fill_s": round(filled_s, 1),
        "found_everywhere": found,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(
        f"{args.conversations} conversations × {args.exchanges} échanges "
        f"(~{characters / 1e6:.1f} M caractères déchiffrés et comparés), "
        f"remplissage {filled_s:.0f} s"
    )
    for name, figures in results.items():
        print(
            f"  {name:36} p50 {figures['p50_ms']:7.1f} ms   max {figures['max_ms']:7.1f} ms"
            f"   CPU p50 {figures['cpu_p50_ms']:7.1f} ms"
        )


if __name__ == "__main__":
    main()
