"""Published opinions records: an oversized Python literal is skipped unparsed, with its place.

GlobalOpinionQA stores ``selections`` and ``options`` as Python literal strings; a literal of
a few MiB would cost Python's parser ~100 bytes of syntax tree per element, so literals longer
than the csv module's field limit are refused before parsing.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from pluralign.data.opinions import MAX_LITERAL_CHARS, read_opinions_file

GOOD = {
    "question": "Should the square close to cars on Sundays?",
    "selections": "defaultdict(<class 'list'>, {'Northland': [0.6, 0.35, 0.05]})",
    "options": "['Yes', 'No', 'DK/Refused']",
    "source": "GAS",
}


def test_an_oversized_literal_is_skipped_with_its_record(tmp_path: Path) -> None:
    huge = "[" + "1, " * 1_000_000 + "1]"  # 3 MB: ~300 MB of syntax tree if parsed
    path = tmp_path / "opinions.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "options": huge}]))
    tracemalloc.start()
    try:
        data = read_opinions_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(data.questions) == 1
    (problem,) = data.problems
    assert (problem.location, problem.kind) == ("record 2", "record skipped")
    assert problem.reason == f"options: literal longer than {MAX_LITERAL_CHARS} characters"
    assert peak < 64 * 2**20 + 10 * path.stat().st_size


def test_a_literal_at_the_limit_is_still_read(tmp_path: Path) -> None:
    options = "['Yes', 'No', '" + "x" * (MAX_LITERAL_CHARS - 20) + "']"
    assert len(options) <= MAX_LITERAL_CHARS
    path = tmp_path / "opinions.json"
    path.write_text(json.dumps([{**GOOD, "options": options}]))
    data = read_opinions_file(path)
    assert data.problems == () or all("literal longer" not in p.reason for p in data.problems)
