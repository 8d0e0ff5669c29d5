"""The snippet rule: every ```bash and ```python block of README.md and docs/**/*.md runs as written.

A block immediately preceded by a line ``<!-- snippet: skip (reason) -->`` is skipped with that
reason. Blocks of other languages (text, json, toml, console output) are not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RUN = ("bash", "python")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
SKIP = re.compile(r"^\s*<!-- snippet: skip(?: \((?P<reason>[^)]+)\))? -->\s*$")


@dataclass
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    skip: str | None  # the reason, when marked to be skipped

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def pages(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def blocks(path: Path, root: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        lang = m.group("lang").lower()
        if lang not in RUN:
            continue
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1] if m.start() else ""
        skip = SKIP.match(before)
        if skip and not skip.group("reason"):
            raise ValueError(
                f"{path.relative_to(root)}:{line}: a skipped snippet needs its reason: <!-- snippet: skip (reason) -->"
            )
        indent = m.group("indent")
        code = "\n".join(l[len(indent) :] if l.startswith(indent) else l for l in m.group("body").splitlines())
        if not skip and re.search(r"\bpip\s+install\b|\bapt-get\b", code):
            raise ValueError(
                f"{path.relative_to(root)}:{line}: a snippet that installs packages must be marked "
                "<!-- snippet: skip (reason) --> (the release test installs the wheel instead)"
            )
        found.append(Block(str(path.relative_to(root)), line, lang, code, skip.group("reason") if skip else None))
    return found
