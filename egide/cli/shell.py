"""Commands the CLI suggests (« pour valider : … »), written so that they can be pasted into a
shell as they are: the program as it was run, each word quoted when the shell needs it, alone on
its line (no French quotation marks, no final full stop for the mouse to catch)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys

__all__ = ["command", "program"]


def program() -> str:
    """``egide`` when that is what the shell finds, else the path it was run by
    (``.venv/bin/egide`` after ``make install``, before the virtualenv is activated)."""
    ran = sys.argv[0] if sys.argv and sys.argv[0] else "egide"
    if os.path.basename(ran) != "egide":
        return "egide"  # run as a module, or by a test: the documented name
    found = shutil.which("egide")
    if found is not None and os.path.realpath(found) == os.path.realpath(ran):
        return "egide"
    return ran


def command(*words: str) -> str:
    """``egide`` and ``words``, quoted for a POSIX shell (a title with spaces, a file name)."""
    return " ".join([shlex.quote(program()), *(shlex.quote(word) for word in words)])
