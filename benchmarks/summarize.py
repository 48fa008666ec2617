"""Summarising a 100-page PDF with the built-in local engine: time and memory.

    .venv/bin/python benchmarks/summarize.py [--pages 100] [--out benchmarks/results/summarize.json]

Reference, measured in the same run: reading the same PDF into text (egide.documents), so the
figures read as "summarising costs N times reading". Peak memory is the process's maximum
resident set size (ru_maxrss) after each step, and the Python-level peak from tracemalloc.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egide.documents import iter_paragraphs, read_document  # noqa: E402
from egide.models import GenerationRequest  # noqa: E402
from egide.models.base import SourceText  # noqa: E402
from egide.models.local import LocalBackend  # noqa: E402
from tests.documents.pdf_builder import build_pdf, paginate  # noqa: E402

_TOPICS = [
    "la rénovation énergétique des bâtiments de l'État",
    "l'accueil des usagers en préfecture",
    "la délivrance des titres de séjour",
    "la sécurité routière dans le département",
    "le contrôle de légalité des actes des collectivités",
    "la gestion des crises climatiques",
]
_SENTENCES = [
    "Le service a instruit {n} dossiers au cours de la période, soit une hausse de {p} %.",
    "Les délais moyens de traitement s'établissent à {n} jours pour {topic}.",
    "Il ressort de l'analyse que les effectifs affectés à {topic} restent insuffisants.",
    "En conséquence, il est proposé de renforcer l'équipe de {n} agents d'ici la fin de l'année.",
    "La mission a rencontré les représentants des services concernés par {topic}.",
    "Les crédits consommés atteignent {n} millions d'euros, pour un budget de {p} millions.",
    "Le comité de pilotage a validé le calendrier de mise en œuvre relatif à {topic}.",
    "Les usagers signalent des difficultés d'accès aux rendez-vous en ligne.",
    "La dématérialisation des procédures a réduit le nombre de déplacements au guichet.",
    "Il convient de prévoir une évaluation intermédiaire au terme de la première année.",
]


def synthetic_report(pages: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts = []
    for chapter in range(1, pages // 4 + 2):
        topic = rng.choice(_TOPICS)
        parts.append(f"Chapitre {chapter} : {topic}")
        for _ in range(4):
            paragraph = " ".join(
                rng.choice(_SENTENCES).format(
                    n=rng.randint(2, 900), p=rng.randint(1, 60), topic=topic
                )
                for _ in range(rng.randint(5, 9))
            )
            parts.append(paragraph)
    return "\n\n".join(parts)


def build_report_pdf(path: Path, pages: int) -> int:
    text = synthetic_report(pages * 2)
    laid_out = paginate(text)
    while len(laid_out) < pages:
        text += "\n\n" + synthetic_report(pages, seed=len(laid_out))
        laid_out = paginate(text)
    path.write_bytes(build_pdf(laid_out[:pages], title="Rapport d'activité"))
    return pages


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/summarize.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "rapport.pdf"
        build_report_pdf(pdf, args.pages)
        size = pdf.stat().st_size
        read_times, summary_times = [], {}
        document = read_document(pdf)
        for _ in range(args.repeat):
            start = time.perf_counter()
            document = read_document(pdf)
            read_times.append(time.perf_counter() - start)
        rss_after_read = _rss_mb()
        sources = [SourceText(t, page=p, paragraph=q) for t, p, q in iter_paragraphs(document)]
        backend = LocalBackend()
        tracemalloc.start()
        outputs = {}
        for length in ("court", "page", "detaille"):
            timings = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                outputs[length] = backend.complete(
                    GenerationRequest("summarize", (), sources=sources, options={"length": length})
                )
                timings.append(time.perf_counter() - start)
            summary_times[length] = min(timings)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    read_s = min(read_times)
    pages_cited = {
        length: len({int(ref) for ref in __import__("re").findall(r"p\. (\d+)", text)})
        for length, text in outputs.items()
    }
    result = {
        "pages": args.pages,
        "pdf_bytes": size,
        "text_chars": len(document.text),
        "reference": "read_document (PDF → texte), même fichier, même exécution",
        "read_s": round(read_s, 4),
        "summarize_s": {k: round(v, 4) for k, v in summary_times.items()},
        "ratio_to_read": {k: round(v / read_s, 2) for k, v in summary_times.items()},
        "summary_chars": {k: len(v) for k, v in outputs.items()},
        "pages_cited": pages_cited,
        "max_rss_mb_after_read": round(rss_after_read, 1),
        "max_rss_mb": round(_rss_mb(), 1),
        "summarize_python_peak_mb": round(traced_peak / 2**20, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("\nRésumé « court » :\n" + outputs["court"][:1200])


if __name__ == "__main__":
    main()
