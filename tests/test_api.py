"""The Python API: the documented example runs as written; optional pandas fails clearly."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import pluralign
from pluralign.api import Results
from pluralign.errors import PluralignError

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_documented_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = _python_blocks(DOC.read_text())
    exec(compile(block, str(DOC), "exec"), {"__name__": "docs_example"})
    printed = capsys.readouterr().out
    assert "prosocial/goal/original 1.0" in printed
    assert "report.html" in printed


def test_to_pandas_without_pandas_names_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = pluralign.run(
        models="mockllm/model", suites="hvae", runs=1, targets=["control"], log_dir=tmp_path
    )
    assert isinstance(results, Results) and results.models == ("mockllm/model",)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(PluralignError, match="pip install pandas"):
        results.to_pandas()


def test_the_run_subpackage_stays_reachable_beside_the_run_function() -> None:
    from pluralign.run.config import RunConfig

    assert callable(pluralign.run)
    assert pluralign.run.config.RunConfig is RunConfig
    assert pluralign.run.eval_sets.model_slug("a/b") == "a--b"
