"""Any suite under a tier stack: the policy leads every prompt, is hashed, and is audited."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ChatMessage, ChatMessageUser
from inspect_ai.scorer import match
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver, system_message
from typer.testing import CliRunner

from pluralign import cli
from pluralign.api import run as api_run
from pluralign.errors import PluralignError
from pluralign.policy.commands import app as policy_app
from pluralign.policy.loading import resolve
from pluralign.policy.runtime import PolicyStack
from pluralign.policy.runtime import load_profile as load_tier3
from pluralign.report.results import ResultsDocument
from pluralign.run.config import RunConfig
from pluralign.run.execute import build_tasks
from pluralign.run.policy_stack import POLICY_STACK_KEY, lead_with_policy
from pluralign.run.registry import ENTRY_POINT_GROUP, registered_suites
from pluralign.suite import RunSettings, Suite
from tests.run import tiny_suite

SUITE_SYSTEM = "You are the probe suite's own assistant."
"""The probe suite's own system message: the policy must come before it."""


@solver
def clearing_dialogue() -> Solver:
    """Ask, then clear the conversation and ask again (as a suite may rebuild its dialogue)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state = await generate(state)
        state.messages.clear()
        state.messages.append(ChatMessageUser(content="Say A again."))
        return await generate(state)

    return solve


@task
def policy_probe() -> Task:
    """Two samples with a suite system message and a dialogue that rebuilds itself."""
    return Task(
        dataset=[Sample(input=f"Say A ({k})", target="A", id=f"probe-{k}") for k in range(2)],
        solver=[system_message(SUITE_SYSTEM), clearing_dialogue()],
        scorer=match(),
        metadata={"suite": "policy_probe", "placement": tiny_suite.PLACEMENT.as_metadata()},
    )


@task
def policy_own() -> Task:
    """A task of a suite that renders policies itself."""
    return Task(
        dataset=[Sample(input="Say A", target="A", id="own-0")],
        solver=generate(),
        scorer=match(),
        metadata={"suite": "policy_own", "placement": tiny_suite.PLACEMENT.as_metadata()},
    )


class ProbeSection(tiny_suite.TinySection):
    """The tiny suite's section under another suite name."""

    def __init__(self, suite: str) -> None:
        self.suite = suite
        self.title = suite


BUILT: list[tuple[Task, Solver]] = []
"""Every probe task built, with the solver it was built with."""


def _suite(name: str, factory: Callable[[], Task], own_policy: bool) -> Suite:
    def build(options: object, settings: RunSettings) -> list[Task]:
        built = factory()
        BUILT.append((built, built.solver))
        return [built]

    def identity(options: object, settings: RunSettings) -> Mapping[str, object]:
        return {}

    return dataclasses.replace(
        tiny_suite.SUITE,
        name=name,
        build=build,
        identity=identity,
        section=ProbeSection(name),
        inspect_tasks=(),
        own_policy=own_policy,
    )


PROBE_SUITE = _suite("policy_probe", policy_probe, own_policy=False)
OWN_SUITE = _suite("policy_own", policy_own, own_policy=True)

STACK = {"tier2": "childrens-tutor", "profile": "blunt-informal"}


@pytest.fixture
def probes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The probe suites and the tiny suite, registered through a real entry point."""
    info = tmp_path / "site" / "policy_probe-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: policy-probe\nVersion: 0.1\n")
    module = __name__
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\npolicy_probe = {module}:PROBE_SUITE\n"
        f"policy_own = {module}:OWN_SUITE\ntiny = tests.run.tiny_suite:SUITE\n"
    )
    monkeypatch.syspath_prepend(str(info.parent))
    registered_suites.cache_clear()
    yield
    registered_suites.cache_clear()


def _rendered() -> str:
    stack = PolicyStack.load(tier1="baseline", tier2=STACK["tier2"])
    return stack.personalise(load_tier3(STACK["profile"], stack.vocabulary)).system_instructions


def _log(out: Path, suite: str) -> EvalLog:
    (path,) = (out / suite).rglob("*.eval")
    return read_eval_log(str(path), resolve_attachments=True)


def test_a_run_under_a_stack_leads_every_prompt_and_records_the_stack(
    probes: None, tmp_path: Path
) -> None:
    out = tmp_path / "logs"
    results = api_run("mockllm/model", ["policy_probe", "policy_own"], log_dir=out, **STACK)
    policy = _rendered()

    probe = _log(out, "policy_probe")
    for sample in probe.samples or []:
        assert (sample.messages[0].role, sample.messages[0].text) == ("system", policy)
        inputs = [e.input for e in sample.events if isinstance(e, ModelEvent)]
        assert len(inputs) == 2  # before and after the dialogue was cleared
        for messages in inputs:
            assert (messages[0].role, messages[0].text) == ("system", policy)
            assert [m.text for m in messages].count(policy) == 1
    first_call = next(e for e in probe.samples[0].events if isinstance(e, ModelEvent))  # type: ignore[index]
    assert [m.text for m in first_call.input[:2]] == [policy, SUITE_SYSTEM]

    record = (probe.eval.metadata or {})[POLICY_STACK_KEY]
    assert record["given"] == {"tier1": "baseline", **STACK}
    assert record["leads_prompts"] is True and record["system_instructions"] == policy
    explain = record["explain"]
    assert {r["tier"] for r in explain["rules"]} == {1, 2, 3}
    assert ("childrens-tutor", "no-profanity") in {
        (r["origin"], r["rule"]["id"]) for r in explain["rules"]
    }
    rejected = {r["placed"]["rule"]["id"]: r for r in explain["rejected"]}
    assert rejected["casual-swearing"]["blocked_by"]["rule_id"] == "no-profanity"
    assert "never relax" in rejected["casual-swearing"]["reason"]

    own = _log(out, "policy_own")
    assert [m.role for m in own.samples[0].messages] == ["user", "assistant"]  # type: ignore[index]
    assert (own.eval.metadata or {})[POLICY_STACK_KEY]["leads_prompts"] is False

    document = ResultsDocument.model_validate_json((out / "results.json").read_text())
    assert document == results.document
    (use,) = document.policy_stacks
    assert (use.tier1, use.tier2, use.profile) == ("baseline", "childrens-tutor", "blunt-informal")
    assert (use.tasks, use.own_policy_tasks) == (("policy_probe",), ("policy_own",))
    page = (out / "report.html").read_text()
    assert "Policy stack: tier 1 baseline (jurisdiction baseline), tier 2 childrens-tutor" in page

    explained = CliRunner().invoke(policy_app, ["explain", *_flags(STACK), "--json"])
    assert record["explain"] == json.loads(explained.stdout)  # the `policy explain` record

    before = sorted(out.rglob("*.eval"))
    api_run("mockllm/model", ["policy_probe", "policy_own"], log_dir=out, **STACK)
    assert sorted(out.rglob("*.eval")) == before  # the same stack resumes the same logs


def _flags(stack: Mapping[str, str]) -> list[str]:
    return [part for key, value in stack.items() for part in (f"--{key}", value)]


def test_the_stack_is_part_of_the_configuration_hash(probes: None) -> None:
    plain = RunConfig.of(suites=("tiny",))
    stacked = RunConfig.of(suites=("tiny",), **STACK)
    assert stacked.tier1 == "baseline"
    assert stacked.config_hash() != plain.config_hash()
    assert stacked.identity()["policy_stack"] == {
        "tier1": "baseline",
        "tier2": "childrens-tutor",
        "profile": "blunt-informal",
        "instructions_sha256": stacked.run_policy().instructions_sha256[:16],  # type: ignore[union-attr]
    }
    other = RunConfig.of(suites=("tiny",), tier2="childrens-tutor")
    assert len({stacked.config_hash(), other.config_hash(), plain.config_hash()}) == 3


def test_without_a_stack_the_hash_is_the_one_before_stacks_existed(probes: None) -> None:
    """The hash the tiny suite's default configuration had before the stack fields were added."""
    config = RunConfig.of(suites=("tiny",))
    assert (config.tier1, config.tier2, config.profile, config.run_policy()) == (None,) * 4
    assert "policy_stack" not in config.identity()
    assert config.config_hash() == "99af2607900b"
    assert RunConfig.of(suites=("tiny",), tier1=None, profile=None).config_hash() == "99af2607900b"


def test_without_a_stack_tasks_are_left_as_built(probes: None) -> None:
    (built,) = build_tasks(RunConfig.of(suites=("policy_probe",)), "policy_probe")
    assert BUILT[-1] == (built, built.solver)  # the suite's own solver, not wrapped
    assert POLICY_STACK_KEY not in (built.metadata or {})
    (led,) = build_tasks(RunConfig.of(suites=("policy_probe",), **STACK), "policy_probe")
    assert led.solver is not BUILT[-1][1]
    assert (led.metadata or {})[POLICY_STACK_KEY]["leads_prompts"] is True
    (own,) = build_tasks(RunConfig.of(suites=("policy_own",), **STACK), "policy_own")
    assert BUILT[-1] == (own, own.solver)  # a suite with its own policy is left unwrapped
    assert (own.metadata or {})[POLICY_STACK_KEY]["leads_prompts"] is False


def test_a_policy_file_works_like_a_pack(probes: None, tmp_path: Path) -> None:
    copy = tmp_path / "tutor.yaml"
    copy.write_text(resolve("childrens-tutor", (2,)).read_text())
    by_file = RunConfig.of(suites=("tiny",), tier2=copy)
    by_name = RunConfig.of(suites=("tiny",), tier2="childrens-tutor")
    assert by_file.tier2 == str(copy)
    assert by_file.config_hash() == by_name.config_hash()  # named by content, not by path


def test_a_bad_pack_name_is_one_clear_error() -> None:
    with pytest.raises(PluralignError, match=r"no-such-deployment.*valid choices: childrens-tutor"):
        RunConfig.of(suites=("hvae",), tier2="no-such-deployment")


def _cli(argv: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["pluralign", *argv])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    return int(exited.value.code or 0)


def test_the_cli_exits_2_on_a_bad_pack_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["run", "--model", "mockllm/model", "--suite", "hvae", "--log-dir", str(tmp_path)]
    code = _cli([*argv, "--profile", "no-such-profile"], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2
    assert "no-such-profile" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing ran


def test_config_file_keys_name_the_stack(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(json.dumps({"run": {"tier1": "no-such-tier1", "suite": ["hvae"]}}))
    code = _cli(["--config", str(config), "run", "--model", "mockllm/model"], monkeypatch)
    assert code == 2
    assert "no-such-tier1" in capsys.readouterr().err


def test_the_policy_message_is_moved_first_and_kept_single() -> None:
    messages: list[ChatMessage] = [ChatMessageUser(content="hi")]
    lead_with_policy(messages, "P")
    lead_with_policy(messages, "P")
    assert [(m.role, m.text) for m in messages] == [("system", "P"), ("user", "hi")]
    first = messages[0]
    messages.insert(0, messages.pop())  # something put a message before the policy
    lead_with_policy(messages, "P")
    assert messages[0] is first and len(messages) == 2
