"""Optical character recognition of scanned pages, with Tesseract, inside the parse worker.

Préfectures receive paper: a PDF without a text layer, a photo of a letter. Each page image is
handed to ``tesseract`` (Debian's ``tesseract-ocr`` with ``tesseract-ocr-fra``) in a child of
the parse worker, so that OCR runs under the same kind of limits as any reader:

- **memory**: the child inherits the worker's address-space limit (``RLIMIT_AS``), its ban on
  writing files and its bare environment; it reads the image on its standard input and answers
  on its standard output;
- **time**: the whole OCR of a file has ``ocr_timeout_s`` (the worker tells the service when OCR
  starts, and the service extends its wait by that much, once); each page's child is killed
  when that budget is spent, and the pages left are named in a warning;
- **pages**: at most ``ocr_pages`` pages of a file are recognised.

Tesseract's TSV output gives each word with its confidence: the text is rebuilt line by line
and paragraph by paragraph, words it was unsure of are reported to the agent, and runs of digits
where OCR read a letter for a digit ("1 85 O5", "l2/03") are folded back to digits, so that the
guard finds identifiers in the text exactly as a model would receive it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from egide.documents.limits import french_page_list, limit_exceeded
from egide.documents.model import DocumentError, DocumentProblem

if TYPE_CHECKING:
    from PIL.Image import Image

    from egide.documents.limits import Budget

__all__ = [
    "FIND_OCR", "MAX_OCR_PIXELS", "OCR_DPI", "OcrEngine", "find_engine", "OcrPage", "OcrSession", "fold_digits", "image_to_pgm",
    "ocr_warnings", "parse_tsv",
]  # fmt: skip

# The resolution Tesseract is trained for; scanned PDF pages are rendered at it.
OCR_DPI = 300
# A page image holds at most this many pixels (an A4 page at 300 dpi: 8.7 million): a page
# declared huge is rendered at a lower resolution, an image larger than this is refused.
MAX_OCR_PIXELS = 40_000_000
# Below this confidence (0-100), a word is reported to the agent as uncertain.
UNCERTAIN_BELOW = 60.0
_MAX_QUOTED = 12
# A page whose darkest and lightest pixels are this close holds no ink: it is not sent to OCR.
_BLANK_CONTRAST = 40
_MISSING = (
    "la reconnaissance de caractères (OCR) n'est pas installée sur ce serveur : l'administrateur "
    "doit installer les paquets Debian tesseract-ocr et tesseract-ocr-fra ; en attendant, "
    "demandez une version texte du document"
)
_DISABLED = (
    "la reconnaissance de caractères (OCR) est désactivée sur ce serveur (réglage documents.ocr) "
    "; demandez une version texte du document"
)


@dataclass(frozen=True, slots=True)
class OcrEngine:
    """How to run Tesseract: ``command`` is its absolute path, None when it is not installed."""

    command: str | None
    languages: str = "fra"

    def to_wire(self) -> dict[str, str | None]:
        return {"command": self.command, "languages": self.languages}

    @classmethod
    def from_wire(cls, raw: object) -> OcrEngine | None:
        if not isinstance(raw, dict):
            return None
        command, languages = raw.get("command"), raw.get("languages")
        if command is not None and not isinstance(command, str):
            return None
        return cls(command, languages if isinstance(languages, str) else "fra")


# "Look Tesseract up in PATH": the default of ParsePool and configure().
FIND_OCR = OcrEngine(command="", languages="")


def find_engine(command: str = "tesseract", languages: str = "fra") -> OcrEngine:
    """Tesseract as this process finds it (the worker has no PATH): absolute path, or None."""
    path = shutil.which(command)
    return OcrEngine(os.path.abspath(path) if path else None, languages)


@dataclass(frozen=True, slots=True)
class OcrPage:
    number: int
    text: str
    uncertain: tuple[str, ...] = ()  # words read with a low confidence, as read
    confidence: float = 100.0  # mean word confidence of the page


@dataclass
class OcrSession:
    """The OCR of one file: its engine, its deadline, and what happened to its pages."""

    name: str
    budget: Budget
    pages: list[OcrPage] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # pages left out: time or page limit
    skipped_for: str = ""  # "pages" or "time"
    _deadline: float | None = None

    def unavailable(self) -> str | None:
        """Why this server cannot recognise characters (French), or None when it can."""
        if self.budget.ocr is None:
            return _DISABLED
        if self.budget.ocr.command is None:
            return _MISSING
        return None

    def wants(self, number: int) -> bool:
        """Whether page ``number`` may still be recognised (page and time budgets)."""
        if self.skipped:
            self.skipped.append(number)
            return False
        if len(self.pages) >= self.budget.limits.ocr_pages:
            self.skipped_for = "pages"
            self.skipped.append(number)
            return False
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.skipped_for = "time"
            self.skipped.append(number)
            return False
        return True

    def recognise(self, image: Image, number: int, *, dpi: int) -> None:
        """OCR one page image (any Pillow mode) and keep its text."""
        if self._deadline is None:
            self._deadline = time.monotonic() + self.budget.begin_ocr()
        gray = image if image.mode == "L" else image.convert("L")
        low, high = gray.getextrema()
        if float(high) - float(low) < _BLANK_CONTRAST:  # type: ignore[arg-type]
            self.pages.append(OcrPage(number, ""))
            return
        self.pages.append(self._tesseract(image_to_pgm(gray), number, dpi))

    def _tesseract(self, pgm: bytes, number: int, dpi: int) -> OcrPage:
        engine = self.budget.ocr
        assert engine is not None and engine.command is not None
        assert self._deadline is not None
        command = [
            engine.command, "stdin", "stdout", "-l", engine.languages, "--dpi", str(dpi),
            "--psm", "3", "tsv",
        ]  # fmt: skip
        remaining = self._deadline - time.monotonic()
        try:
            done = subprocess.run(
                command,
                input=pgm,
                capture_output=True,
                timeout=max(remaining, 0.1),
                # One thread: the service's cores are shared by every request; no PATH, no
                # secrets, like the worker itself.
                env={"OMP_THREAD_LIMIT": "1", "LC_ALL": "C"},
                cwd="/",
                check=False,
            )
        except subprocess.TimeoutExpired:
            self._out_of_time(number)
            return OcrPage(number, "")
        except OSError:
            raise DocumentError(f"« {self.name} » : {_MISSING}", DocumentProblem.SCANNED) from None
        if done.returncode != 0:
            raise self._failure(done)
        return parse_tsv(done.stdout.decode("utf-8", "replace"), number)

    def _out_of_time(self, number: int) -> None:
        self.skipped_for = "time"
        self.skipped.append(number)
        if not any(page.text for page in self.pages):
            raise limit_exceeded(self.name, "ocr_time", self.budget.limits)

    def _failure(self, done: subprocess.CompletedProcess[bytes]) -> DocumentError:
        errors = done.stderr.decode("utf-8", "replace")
        if "Failed loading language" in errors or "Could not initialize" in errors:
            languages = self.budget.ocr.languages if self.budget.ocr else "fra"
            return DocumentError(
                f"« {self.name} » : les données de langue de la reconnaissance de caractères "
                f"(« {languages} ») sont absentes de ce serveur : l'administrateur doit installer "
                "le paquet Debian tesseract-ocr-fra (ou régler documents.ocr_languages)",
                DocumentProblem.SCANNED,
            )
        if done.returncode < 0 or "alloc" in errors:
            # Killed by a signal, or an allocation refused under the worker's memory limit.
            return limit_exceeded(self.name, "memory", self.budget.limits)
        return DocumentError(
            f"la reconnaissance de caractères n'a pas pu lire « {self.name} » : l'image est "
            "probablement endommagée"
        )


def image_to_pgm(gray: Image) -> bytes:
    """A grayscale image as binary PGM: no encoding cost, and Leptonica reads it from a pipe."""
    width, height = gray.size
    return b"P5\n%d %d\n255\n" % (width, height) + gray.tobytes()


# A run of digits in which OCR read O, o, l, I or | for a digit: folded only when the run holds
# a real digit and touches no other letter, so that words ("Il", "lO" alone) are left alone.
_DIGIT_RUN = re.compile(r"(?<![^\W\d_])(?=[0-9OolI|]*\d)[0-9OolI|]{2,}(?![^\W\d_])")
_DIGIT_OF = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})


def fold_digits(text: str) -> str:
    """``"1 85 O5 69"`` → ``"1 85 05 69"``; ``"Il est né"`` is unchanged. Same length."""
    return _DIGIT_RUN.sub(lambda match: match.group().translate(_DIGIT_OF), text)


def parse_tsv(tsv: str, number: int) -> OcrPage:
    """Tesseract's TSV for one page → its text (lines, paragraphs) and its uncertain words."""
    paragraphs: dict[tuple[str, str], dict[str, list[str]]] = {}
    uncertain: list[str] = []
    confidences: list[float] = []
    for row in _rows(tsv):
        level, _page, block, par, line, _word, *_box, conf, text = row
        if level != "5" or not text.strip():
            continue
        word = fold_digits(text.strip())
        paragraphs.setdefault((block, par), {}).setdefault(line, []).append(word)
        try:
            confidence = float(conf)
        except ValueError:
            continue
        confidences.append(confidence)
        if confidence < UNCERTAIN_BELOW and sum(ch.isalnum() for ch in word) >= 2:
            uncertain.append(word)
    text = "\n\n".join(
        "\n".join(" ".join(words) for words in lines.values()) for lines in paragraphs.values()
    )
    mean = sum(confidences) / len(confidences) if confidences else 100.0
    return OcrPage(number, text, tuple(uncertain), mean)


def _rows(tsv: str) -> Iterator[list[str]]:
    for line in tsv.splitlines()[1:]:  # the first line names the columns
        cells = line.split("\t")
        if len(cells) == 12:
            yield cells


def ocr_warnings(session: OcrSession) -> list[str]:
    """What the agent must know: which pages OCR read, the words it was unsure of, the pages it
    had no time or room for. Blank pages are for the caller, who knows what else the file holds.
    """
    warnings: list[str] = []
    name = session.name
    read = [page.number for page in session.pages if page.text]
    if read:
        which, verb = ("la page", "a été lue") if len(read) == 1 else ("les pages", "ont été lues")
        warnings.append(
            f"{which} {french_page_list(read)} de « {name} » {verb} par reconnaissance de "
            "caractères (OCR) : relisez le texte, des lettres ou des chiffres peuvent avoir été "
            "mal lus"
        )
    quoted = [f"« {word} » (p. {page.number})" for page in session.pages for word in page.uncertain]
    if quoted:
        shown = ", ".join(quoted[:_MAX_QUOTED])
        more = f" et {len(quoted) - _MAX_QUOTED} autres" if len(quoted) > _MAX_QUOTED else ""
        warnings.append(f"lecture incertaine (OCR) dans « {name} » : {shown}{more}")
    if session.skipped:
        limits = session.budget.limits
        why = (
            f"la reconnaissance de caractères est limitée à {limits.ocr_pages} pages par fichier"
            if session.skipped_for == "pages"
            else f"la reconnaissance de caractères a dépassé {limits.ocr_timeout_s:g} secondes"
        )
        if len(session.skipped) == 1:
            which, verb, them = "la page", "n'a pas été lue", "la"
        else:
            which, verb, them = "les pages", "n'ont pas été lues", "les"
        warnings.append(
            f"{which} {french_page_list(session.skipped)} de « {name} » {verb} ({why}) : "
            f"découpez le fichier pour {them} lire"
        )
    return warnings
