"""The bounds suite object: per-kind limit, presets, identity, options; undefined rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inspect_ai import eval as inspect_eval

from pluralign.errors import ChoiceError
from pluralign.policy.scenarios import load_scenarios
from pluralign.run.config import RunConfig
from pluralign.run.execute import suite_limit
from pluralign.suite import Preset, RunSettings
from pluralign.suites.bounds.options import BoundsOptions
from pluralign.suites.bounds.records import BoundsSampleMeta
from pluralign.suites.bounds.report_section import BoundsSection
from pluralign.suites.bounds.selection import per_kind_selection
from pluralign.suites.bounds.suite import SUITE
from pluralign.suites.bounds.task import bounds_task
from pluralign.testing import scripted_model
from tests.suites.bounds.support import TINY, KeywordGuard, reply

# A model guard: building the task resolves no model, so no server is needed.
MODEL_GUARD = BoundsOptions(scenarios=TINY, guard="mockllm/model")


def _settings(preset: Preset = Preset.QUICK, limit: int | None = None) -> RunSettings:
    return RunSettings(
        preset=preset, mode="verbal", seed=0, temperature=None, limit=limit, extractor=None
    )


def _kinds(settings: RunSettings) -> Counter[tuple[str, str]]:
    (task,) = SUITE.build(MODEL_GUARD, settings)
    metas = [BoundsSampleMeta.model_validate(s.metadata) for s in task.dataset]
    return Counter((m.kind, m.condition) for m in metas)


def test_limit_takes_k_scenarios_of_each_kind_under_every_condition() -> None:
    counts = _kinds(_settings(limit=1))
    assert set(counts.values()) == {1} and len(counts) == 9
    assert _kinds(_settings()) == Counter(
        {
            (k, c): 1
            for k in ("in_bounds", "out_of_bounds", "near_boundary")
            for c in ("raw", "rendered", "guarded")
        }
    )
    # the paper preset takes every scenario (3 in bounds, 2 out of bounds, 3 near)
    assert _kinds(_settings(Preset.PAPER))[("near_boundary", "raw")] == 3


def test_inspect_never_cuts_a_kind() -> None:
    assert SUITE.itemised is False
    assert SUITE.own_policy is True  # renders each scenario's stack itself
    assert SUITE.read_outs == ("verbal",)  # the judge reads replies; no log-probabilities
    config = RunConfig.of(suites=("bounds",), limit=1, models=("mockllm/model",))
    assert suite_limit(config, "bounds") is None


TINY_SCENARIOS = load_scenarios(TINY)


@settings(deadline=None, max_examples=25)
@given(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=3))
def test_a_larger_limit_extends_a_smaller_one(smaller: int, seed: int) -> None:
    scenarios = TINY_SCENARIOS
    small = per_kind_selection(scenarios, smaller, seed)
    large = per_kind_selection(scenarios, smaller + 1, seed)
    assert set(s.id for s in small) <= set(s.id for s in large)
    for kind in ("in_bounds", "out_of_bounds", "near_boundary"):
        of_kind = [s for s in large if s.kind == kind]
        splits = [s.split for s in of_kind]
        assert splits == sorted(splits, key=lambda split: split != "test")  # held out first


def test_identity_and_options() -> None:
    identity = SUITE.identity(MODEL_GUARD, _settings())
    assert identity["bounds_guard"] == "mockllm/model"
    assert str(identity["bounds_scenarios"]).startswith(str(TINY.resolve()))
    assert BoundsOptions(judge=("self",)).judge_model() is None
    assert BoundsOptions(judge="a/b,c/d").judge_model() == "a/b"  # type: ignore[arg-type]
    with pytest.raises(ChoiceError):
        BoundsOptions(guard_format="llama-guard-2")


def test_every_metric_row_is_present_when_undefined(tmp_path: Path) -> None:
    only = [s for s in TINY_SCENARIOS if s.id.endswith("ib-a-01")]  # train, in bounds
    (log,) = inspect_eval(
        bounds_task(only, checker=KeywordGuard()),
        model=scripted_model(reply),
        model_roles={"judge": scripted_model(reply, name="mockllm/judge")},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    rows = {(r.task, r.group, r.metric): r for r in BoundsSection().rows([log])}
    for condition in ("raw", "rendered", "guarded"):
        for metric, kind in (
            ("bound_violation_rate", "out-of-bounds"),
            ("over_refusal_rate", "near-boundary"),
        ):
            row = rows[(f"bounds[{condition}]", "all", metric)]
            assert row.estimate is None and row.n == 0
            assert row.note == f"no {kind} scenario in this run"
        assert rows[(f"bounds[{condition}]", "all", "personalisation_fidelity_parsed")].note == (
            "every judge verdict was unreadable"
        )
    for metric in ("guard_precision", "guard_recall_parsed", "guard_f1", "guard_unparsed_share"):
        row = rows[("bounds[guarded]", "all", metric)]
        assert row.estimate is None
        assert row.note == "no held-out (test-split) scenario in the guarded condition"
    # a separate judge model: no pipeline-check label
    assert all("pipeline check" not in r.note for r in rows.values())
