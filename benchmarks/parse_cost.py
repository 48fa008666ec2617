"""What parsing in a worker process costs, against parsing in the service's own process.

    .venv/bin/python benchmarks/parse_cost.py [--runs N] [--out benchmarks/results/parse_cost.json]

Both sides run in this process, on the same fictitious files, in the same run, alternating:

- reference: ``egide.documents.parse.parse_document`` here, in-process (what Égide did before
  untrusted files were parsed in workers, and what a worker does inside);
- worker: ``read_document_bytes`` through a warm :class:`~egide.documents.ParsePool` (the file
  goes down a pipe, the answer comes back as JSON and is checked).

Also measured: the start of a worker (a fresh pool's first file: a Python process importing the
readers), and the first file after a worker was killed at its time limit (its successor is
started at once). Figures: median and p95 in milliseconds, and the ratio worker / reference.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
import openpyxl  # noqa: E402

from egide.documents import LimitExceeded, ParseLimits, ParsePool, read_document_bytes  # noqa: E402
from egide.documents.limits import Budget  # noqa: E402
from egide.documents.parse import parse_document  # noqa: E402
from egide.documents.spreadsheet import parse_table  # noqa: E402
from egide.tasks.tables import read_table_bytes  # noqa: E402
from tests.security.files.file_bombs import pdf_from_streams, pdf_heavy_pages  # noqa: E402

PARAGRAPH = (
    "La préfecture a reçu la demande de renouvellement du titre de séjour. Le dossier est "
    "complet ; la décision sera notifiée par courrier recommandé dans un délai de quatre mois."
)


def _pdf(pages: int) -> bytes:
    lines = b"".join(b"(" + PARAGRAPH[:90].encode("cp1252") + b") Tj T*\n" for _ in range(45))
    page = b"BT /F1 10 Tf 14 TL 50 800 Td\n" + lines + b"ET\n"
    return pdf_from_streams([10] * pages, {10: page})


def _docx(paragraphs: int) -> bytes:
    document = docx.Document()
    for _ in range(paragraphs):
        document.add_paragraph(PARAGRAPH)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["objet", "texte", "service"])
    for number in range(rows):
        sheet.append([f"Demande {number}", PARAGRAPH, "Accueil"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _compare(
    runs: int, in_process: Callable[[], object], in_worker: Callable[[], object]
) -> dict[str, float]:
    in_worker()  # warm both sides (imports, caches)
    in_process()
    reference, worker = [], []
    for _ in range(runs):
        reference.append(_timed(in_process))
        worker.append(_timed(in_worker))
    ref50, work50 = statistics.median(reference), statistics.median(worker)
    return {
        "reference_p50_ms": round(ref50, 2),
        "reference_p95_ms": round(percentile(reference, 0.95), 2),
        "worker_p50_ms": round(work50, 2),
        "worker_p95_ms": round(percentile(worker, 0.95), 2),
        "added_p50_ms": round(work50 - ref50, 2),
        "ratio_p50": round(work50 / ref50, 2) if ref50 else 0.0,
    }


def measure(runs: int) -> dict[str, object]:
    results: dict[str, object] = {}
    starts = []
    for _ in range(5):
        pool = ParsePool(ParseLimits(), workers=1)
        starts.append(_timed(lambda p=pool: read_document_bytes(b"x", name="a.txt", pool=p)))
        pool.close()
    results["worker_start_ms"] = {
        "p50": round(statistics.median(starts), 1),
        "max": round(max(starts), 1),
    }

    pool = ParsePool(ParseLimits(), workers=2)
    files = {
        "txt_1_ko": (b"Bonjour, ceci est une note courte.", "note.txt"),
        "pdf_20_pages": (_pdf(20), "rapport.pdf"),
        "pdf_200_pages": (_pdf(200), "rapport.pdf"),
        "docx_200_paragraphes": (_docx(200), "note.docx"),
    }
    for label, (data, name) in files.items():
        results[label] = {
            "bytes": len(data),
            **_compare(
                runs,
                lambda d=data, n=name: parse_document(d, n, Budget()),
                lambda d=data, n=name: read_document_bytes(d, name=n, pool=pool),
            ),
        }
    table = _xlsx(2_000)
    results["xlsx_2000_lignes"] = {
        "bytes": len(table),
        **_compare(
            max(runs // 4, 3),
            lambda: parse_table(table, "t.xlsx", Budget()),
            lambda: read_table_bytes(table, name="t.xlsx", pool=pool),
        ),
    }
    pool.close()

    # After a kill at the time limit: the next file's wait (its successor started at the kill).
    quick = ParsePool(ParseLimits(timeout_s=1.0), workers=1)
    read_document_bytes(b"x", name="a.txt", pool=quick)
    with contextlib.suppress(LimitExceeded):  # it is refused: that is the point
        read_document_bytes(pdf_heavy_pages(), name="bombe.pdf", pool=quick)
    time.sleep(0.5)  # what an agent takes to notice and send the next file, at the least
    results["first_file_after_a_kill_ms"] = round(
        _timed(lambda: read_document_bytes(b"x", name="a.txt", pool=quick)), 1
    )
    quick.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/parse_cost.json")
    args = parser.parse_args()
    results = measure(args.runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
