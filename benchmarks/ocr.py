"""Reading scanned letters by OCR: time per page and accuracy, through the real parse pool.

    .venv/bin/python benchmarks/ocr.py [--pages 5] [--out benchmarks/results/ocr.json]

Each case is a one-page letter drawn by the test helpers (tests/documents/scanned.py), read by
``read_document_bytes`` exactly as an upload is (parse worker, Tesseract in its child). Reported:
seconds per page (p50, max over ``--pages`` runs), the character error rate against the text that
was drawn (edit distance / length, on the lines of the letter, spaces folded), and whether the
guard's identifiers survived (the NIR read exactly). Reference, same run: reading the same letter
as a PDF *with* a text layer (no OCR), so that "OCR costs N times reading text" is measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egide.documents import ParseLimits, ParsePool, read_document_bytes  # noqa: E402
from tests.documents.pdf_builder import build_pdf  # noqa: E402
from tests.documents.scanned import (  # noqa: E402
    letter_lines,
    nir,
    page_image,
    phone_photo,
    png,
    scanned_pdf,
    tiff,
)


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _cases() -> dict[str, bytes]:
    lines = letter_lines()
    return {
        "texte (PDF avec couche texte, référence)": build_pdf(["\n".join(lines)]),
        "PDF numérisé 200 ppp": scanned_pdf([page_image(lines, dpi=200)]),
        "PDF numérisé 300 ppp, grain": scanned_pdf(
            [page_image(lines, dpi=300, noise=1.0)], dpi=300
        ),
        "photo JPEG de côté (EXIF), 150 ppp": phone_photo(
            page_image(lines, dpi=150, noise=1.5), quality=70
        ),
        "PNG 200 ppp": png(page_image(lines, dpi=200)),
        "TIFF 200 ppp": tiff([page_image(lines, dpi=200)]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5, help="passages par cas")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/ocr.json")
    args = parser.parse_args()
    expected = _squeeze("\n".join(letter_lines()))
    truth_nir = nir("1 85 05 69 123 456")
    pool = ParsePool(ParseLimits(), workers=1)
    results = []
    try:
        read_document_bytes(b"x", name="chauffe.txt", pool=pool)  # start the worker first
        for label, data in _cases().items():
            times, text = [], ""
            for _ in range(args.pages):
                started = time.perf_counter()
                document = read_document_bytes(data, name="courrier", pool=pool)
                times.append(time.perf_counter() - started)
                text = document.text
            read = _squeeze(text)
            results.append(
                {
                    "cas": label,
                    "octets": len(data),
                    "s_par_page_p50": statistics.median(times),
                    "s_par_page_max": max(times),
                    "taux_erreur_caracteres": _distance(read, expected) / len(expected),
                    "nir_exact": truth_nir in text,
                }
            )
    finally:
        pool.close()
    print(f"{'cas':44} {'p50 (s)':>8} {'max (s)':>8} {'erreurs':>8}  NIR exact")
    for row in results:
        print(
            f"{row['cas']:44} {row['s_par_page_p50']:8.2f} {row['s_par_page_max']:8.2f} "
            f"{100 * row['taux_erreur_caracteres']:7.1f} %  {'oui' if row['nir_exact'] else 'non'}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
