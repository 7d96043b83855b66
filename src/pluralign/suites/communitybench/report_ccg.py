"""The CCG part of the CommunityBench report: its tables, notes and per-sample values."""

from __future__ import annotations

import html
from collections.abc import Sequence

from inspect_ai.log import EvalLog

from pluralign.report.html import rows_table
from pluralign.report.results import ResultRow
from pluralign.report.section import SampleValue
from pluralign.suites.communitybench.report_ccg_rows import (
    CCG_COUNTS,
    CCG_HEADLINE,
    PIPELINE_CHECK_NOTE,
)
from pluralign.suites.communitybench.report_ccg_runs import (
    CCG_LABEL,
    UNAVAILABLE_PREFIX,
    ccg_scored,
)
from pluralign.suites.communitybench.report_rows import profile_group

_BASELINES = ("uniform", "chance", "other_communities", "gold_reply", "no_community_signal")

_INTRO = (
    "<p>CCG: the model writes a reply to a community's post, shown the community's own "
    "profile, none, or another community's. A panel of judge models (each an Inspect model "
    "role) labels every reply consistent with the community's identity and bond or not, "
    "with a one-sentence reason (schema-constrained JSON; an answer that does not parse is "
    "an unparsed vote, counted). The judges always see the item's own community profile. The "
    "majority decides; a tie or no parsed vote is <em>undecided</em> and counts as not "
    "consistent in <code>judged_consistent</code> (the <code>_parsed</code> row leaves it "
    "out). Agreement is Krippendorff's α (nominal; 0 = chance). Similarities are cosines of "
    "all-MiniLM-L6-v2 sentence embeddings: to the item's top-voted real reply "
    "(<code>similarity_own</code>) and, as the baseline, the mean over the other "
    "communities' top replies (<code>similarity_other</code>); <code>similarity_gap</code> "
    "is their difference per reply and <code>own_closer</code> the share of replies closer "
    "to their own community. Each reply, verdict and judge reason is in the Inspect log "
    "(score explanation and metadata).</p>"
)


def _ccg(rows: Sequence[ResultRow]) -> list[ResultRow]:
    return [r for r in rows if r.task == CCG_LABEL]


def _variant(row: ResultRow) -> int:
    """Table order of a row's profile variant: own, none, other."""
    order = [profile_group(p) for p in ("own", "none", "other")]
    return order.index(row.group) if row.group in order else len(order)


def ccg_html(rows: Sequence[ResultRow]) -> list[str]:
    """The CCG heading, its explanation, the scores table and the counts table."""
    ccg = _ccg(rows)
    if not ccg:
        return []
    parts = ["<h3>CCG — community-consistent generation</h3>", _INTRO]
    if any(PIPELINE_CHECK_NOTE in r.note for r in ccg):
        parts.append(
            "<p class='note'>No judge model was configured (<code>--judge MODEL</code>): the "
            "evaluated model judged its own replies. These CCG figures are a <strong>pipeline "
            "check</strong>, not a finding; with one judge α is undefined.</p>"
        )
    unavailable = sorted({r.note for r in ccg if UNAVAILABLE_PREFIX in r.note})
    if unavailable:
        reason = unavailable[0].split(UNAVAILABLE_PREFIX, 1)[1]
        parts.append(
            f"<p class='note'>{html.escape(UNAVAILABLE_PREFIX + reason)}: the similarity rows "
            "are empty; everything else ran.</p>"
        )
    headline = sorted(
        (r for r in ccg if r.metric in CCG_HEADLINE),
        key=lambda r: (r.model, _variant(r), CCG_HEADLINE.index(r.metric)),
    )
    counts = sorted(
        (r for r in ccg if r.metric in CCG_COUNTS),
        key=lambda r: (r.model, _variant(r), CCG_COUNTS.index(r.metric)),
    )
    parts.append(rows_table(headline, _BASELINES))
    parts.append(rows_table(counts))
    return parts


def ccg_notes(rows: Sequence[ResultRow]) -> list[str]:
    """A note when CCG was judged by the evaluated model alone (a pipeline check)."""
    if any(PIPELINE_CHECK_NOTE in r.note for r in _ccg(rows)):
        return [
            "CommunityBench CCG was judged by the evaluated model itself (no --judge given): "
            "its judged-consistent rate is a pipeline check."
        ]
    return []


def ccg_sample_values(log: EvalLog) -> list[SampleValue]:
    """Per sample: ``judged_consistent`` and ``similarity_gap`` of one CCG log.

    ``judged_consistent`` is the headline value (an empty reply or an undecided panel = 0,
    the policy's worst value, already in the value); ``similarity_gap`` is None where it was
    not computed (empty reply, tied top, no embeddings) and left out of a pairing.
    """
    group = profile_group(str((log.eval.metadata or {})["profile"]))
    out: list[SampleValue] = []
    for scored in ccg_scored(log):
        for metric, value in (
            ("judged_consistent", scored.value.judged_consistent),
            ("similarity_gap", scored.value.similarity_gap),
        ):
            out.append(
                SampleValue(
                    sample_id=scored.sample_id,
                    epoch=scored.epoch,
                    group=group,
                    metric=metric,
                    value=value,
                    task=CCG_LABEL,
                )
            )
    return out
