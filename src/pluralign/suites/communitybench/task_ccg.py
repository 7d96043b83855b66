"""The CCG Inspect task: ``inspect eval pluralign/communitybench_ccg``.

Community-consistent generation (CommunityBench, Lin & Wei, arXiv 2601.13669): the model writes
a reply to a community's post, shown the community's own profile, none, or another community's
(profile sensitivity). A judge panel (model roles ``judge_1`` … ``judge_n``; by default the
evaluated model itself, which makes the result a pipeline check) labels each reply consistent
with the community or not, and the reply is compared with the community's top-voted real reply
by sentence-embedding similarity (``ccg_scorer``).
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from pluralign import __version__
from pluralign.data.dataset import CommunityDataset
from pluralign.errors import ChoiceError, InputError
from pluralign.suites.communitybench import prompts
from pluralign.suites.communitybench.ccg_schema import CcgSampleMeta
from pluralign.suites.communitybench.ccg_scorer import ccg_scorer
from pluralign.suites.communitybench.dataset_source import load_dataset
from pluralign.suites.communitybench.judging import SELF_JUDGE, judge_role
from pluralign.suites.communitybench.metrics import item_reducer
from pluralign.suites.communitybench.placement import COMMUNITYBENCH_CHOICE
from pluralign.suites.communitybench.records import PROFILE_VARIANTS, ProfileVariant
from pluralign.suites.communitybench.samples import interleaved_items
from pluralign.suites.communitybench.task import TASK_VERSION
from pluralign.suites.communitybench.variants import other_community

CCG_MAX_TOKENS = 160
"""Default token limit of a CCG reply (a few sentences; a reply cut there is judged as is)."""


def judge_list(judges: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The configured judges: model names (``self`` = the evaluated model), comma lists split."""
    if judges is None:
        return ()
    parts = [judges] if isinstance(judges, str) else list(judges)
    return tuple(name.strip() for part in parts for name in part.split(",") if name.strip())


def judge_roles(judges: tuple[str, ...]) -> dict[str, str]:
    """The Task's model roles: ``judge_i`` → model name, except ``self`` (left unbound)."""
    return {judge_role(i): name for i, name in enumerate(judges) if name != SELF_JUDGE}


@task
def communitybench_ccg(
    dataset: str | None = None,
    profile: ProfileVariant = "own",
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = CCG_MAX_TOKENS,
    judges: str | list[str] | None = None,
) -> Task:
    """CCG, community-consistent generation: the reply a member of the community would write.

    Args:
        dataset: a pluralign CommunityBench JSONL file (with profiles); None = the illustrative
            dataset.
        profile: show the writer the community's own profile, none, or another community's.
        seed: generation seed (writer and judges) and base seed of the ``other`` draw.
        temperature: the writer's sampling temperature (default greedy); judges are greedy.
        max_tokens: token limit of the reply (a reply cut there is judged as written, counted).
        judges: judge models (Inspect model names; ``self`` = the evaluated model), a list or
            comma-separated; none = the evaluated model alone, a pipeline check.

    """
    if profile not in PROFILE_VARIANTS:
        raise ChoiceError("profile variant", profile, PROFILE_VARIANTS)
    data, source = load_dataset(dataset)
    names = judge_list(judges)
    panel = len(names) or 1
    return Task(
        dataset=MemoryDataset(ccg_samples(data, profile, seed, source), name=data.meta.name),
        solver=generate(),
        scorer=ccg_scorer(dataset=dataset, judges=panel, seed=seed),
        epochs=Epochs(1, item_reducer()),
        config=GenerateConfig(seed=seed, temperature=temperature, max_tokens=max_tokens),
        model_roles=judge_roles(names) or None,
        version=TASK_VERSION,
        metadata=_metadata(data, profile, names, source),
    )


def ccg_samples(
    data: CommunityDataset, profile: ProfileVariant, seed: int, source: str
) -> list[Sample]:
    """One sample per item, in ``interleaved_items`` order.

    Raises:
        InputError: a community has no profile (the judges need the item's own profile).

    """
    pool = tuple(c.community_id for c in data.communities if c.profile is not None)
    samples: list[Sample] = []
    for item in interleaved_items(data):
        own = data.community(item.community_id).profile
        if own is None:
            raise InputError(
                source,
                "CCG needs every community's profile (the judges read it); write profiles first",
                location=f"community {item.community_id}",
            )
        shown = {
            "own": item.community_id,
            "none": None,
            "other": other_community(item.community_id, pool, seed) if profile == "other" else None,
        }[profile]
        shown_profile = None if shown is None else data.community(shown).profile
        top = data.gold(item).top_index
        meta = CcgSampleMeta(
            item_id=item.item_id,
            community_id=item.community_id,
            profile=profile,
            shown_profile=shown,
            top_reply=None if top is None else item.responses[top].text,
            illustrative=data.meta.illustrative or data.community_of(item).illustrative,
        )
        samples.append(
            Sample(
                id=item.item_id,
                input=prompts.generation_prompt(item.query, shown_profile),
                target=meta.top_reply or "",
                metadata=meta.model_dump(mode="json"),
            )
        )
    return samples


def _metadata(
    data: CommunityDataset, profile: ProfileVariant, judges: tuple[str, ...], source: str
) -> dict[str, Any]:
    illustrative = data.meta.illustrative or any(c.illustrative for c in data.communities)
    return {
        "suite": "communitybench",
        "cb_task": "ccg",
        "profile": profile,
        "mode": "generation",
        "judges": list(judges) or [SELF_JUDGE],
        "pipeline_check": all(name == SELF_JUDGE for name in judges),
        "placement": COMMUNITYBENCH_CHOICE.as_metadata(),
        "pluralign_version": __version__,
        "dataset": {**data.meta.model_dump(mode="json"), "path": source},
        "illustrative": illustrative,
        "deviations": [],
    }
