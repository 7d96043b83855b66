"""The repository never cites the project's design notes, which are not shipped with it.

Sources, tests, benchmarks and docs cite the paper, the item or formula, or a doc under
``docs/`` instead. The note names are built from parts so that this file does not cite them.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("src", "tests", "benchmarks", "docs", "README.md", "pyproject.toml", "Makefile")
"""What ships: every text file under these paths is scanned."""
SKIPPED_DIRS = frozenset({"__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache"})
NOTE_STEMS = (
    "hvae",
    "communitybench",
    "bounds",
    "alignment-goals",
    "embedded-model",
    "conventions",
)
"""The unshipped design notes, by name without their extension."""
MD = r"\.md"
CITATION = re.compile(
    rf"(?<![\w.-])(?:{'|'.join(re.escape(stem) for stem in NOTE_STEMS)}){MD}\b"
    rf"|\bspec/README{MD}\b",
    re.IGNORECASE,
)


def _files(root: Path) -> list[Path]:
    """Every file under the scanned paths of ``root``, build caches left out."""
    files: list[Path] = []
    for name in SCANNED:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                found
                for found in sorted(path.rglob("*"))
                if found.is_file() and not SKIPPED_DIRS.intersection(found.parts)
            )
    return files


def citations(root: Path) -> list[str]:
    """``file:line: text`` for every line under ``root`` that cites an unshipped note."""
    hits: list[str] = []
    for path in _files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if CITATION.search(line):
                hits.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return hits


def test_the_scanner_finds_a_planted_citation(tmp_path: Path) -> None:
    """A citation of any note, in any scanned place, is reported with its file and line."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(f'x = 1\n"""See {NOTE_STEMS[0]}.md §7."""\n')
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "b.md").write_text(f"Per `{NOTE_STEMS[2]}.md` §2.\n")
    (tmp_path / "README.md").write_text("Specs: spec/" + "README.md\n")
    assert sorted(hit.split(": ")[0] for hit in citations(tmp_path)) == [
        "README.md:1",
        "docs/b.md:1",
        "src/a.py:2",
    ]


def test_the_scanner_leaves_shipped_docs_alone(tmp_path: Path) -> None:
    """Links to the repository's own docs, and longer names ending in a note's name, pass."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "c.md").write_text(
        f"See docs/policy.md, README.md and docs/within-{NOTE_STEMS[2]}.md.\n"
    )
    assert citations(tmp_path) == []


def test_the_repository_cites_no_unshipped_note() -> None:
    """No source, test, benchmark or doc cites a design note that the repository lacks."""
    hits = citations(REPO)
    assert not hits, "cite the paper, item or formula, or docs/, instead:\n" + "\n".join(hits)
