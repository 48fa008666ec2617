"""The small Markdown subset the writers understand: "# " headings, "- " bullets, **bold**."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Block", "BlockKind", "inline_runs", "parse_blocks"]

_BULLETS = ("- ", "* ", "• ")
_MAX_HEADING_LEVEL = 3


class BlockKind(StrEnum):
    HEADING = "heading"
    BULLET = "bullet"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 1  # headings only: 1 for "# ", 2 for "## ", 3 for "### " and deeper


def _heading(line: str) -> Block | None:
    hashes = len(line) - len(line.lstrip("#"))
    if 1 <= hashes <= 6 and line[hashes : hashes + 1] == " " and line[hashes:].strip():
        return Block(BlockKind.HEADING, line[hashes:].strip(), min(hashes, _MAX_HEADING_LEVEL))
    return None


def _parse_one(body: str) -> list[Block]:
    blocks: list[Block] = []
    lines: list[str] = []  # the paragraph being gathered; single line breaks are kept

    def flush() -> None:
        if lines:
            blocks.append(Block(BlockKind.PARAGRAPH, "\n".join(lines)))
            lines.clear()

    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _heading(line)
        if heading is not None:
            flush()
            blocks.append(heading)
        elif line.startswith(_BULLETS) and line[2:].strip():
            flush()
            blocks.append(Block(BlockKind.BULLET, line[2:].strip()))
        elif raw[:1].isspace() and not lines and blocks and blocks[-1].kind is BlockKind.BULLET:
            # An indented line right after a bullet continues that bullet.
            blocks[-1] = Block(BlockKind.BULLET, f"{blocks[-1].text} {line}")
        else:
            lines.append(line)
    flush()
    return blocks


def parse_blocks(body: str | Sequence[str]) -> list[Block]:
    """Blocks from one text, or from a list where each item is one or more blocks."""
    if isinstance(body, str):
        return _parse_one(body)
    return [block for item in body for block in _parse_one(item)]


def inline_runs(text: str) -> list[tuple[str, bool]]:
    """``"a **b** c"`` → ``[("a ", False), ("b", True), (" c", False)]``; unpaired ``**`` stay."""
    parts = text.split("**")
    if len(parts) % 2 == 0:
        return [(text, False)]
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]
