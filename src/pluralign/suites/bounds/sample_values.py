"""Per-sample values of the bounds headline rates, for paired comparisons between models.

A sample (one scenario under one condition) gives one value of its kind's rate — 1 or 0 —
under the rows' task label (``bounds[<condition>]``) and group ``all``, and its unparsed flag
as ``unparsed_share``. An unreadable judge verdict is ``unreadable`` (None): it counts at the
rate's worst value, as in the rows.
"""

from __future__ import annotations

from pluralign.report.section import SampleValue
from pluralign.scoring.unreadable import UNPARSED_SHARE
from pluralign.suites.bounds.report_rows import task_label
from pluralign.suites.bounds.schema import KIND_METRIC, BoundsSampleScore


def sample_values(score: BoundsSampleScore) -> list[SampleValue]:
    """The sample's value of its kind's rate and of the unparsed share."""
    detail = score.detail
    task = task_label(detail.condition)
    _, parsed = score.value.headline(detail.kind)
    unreadable = parsed is None
    return [
        SampleValue(
            sample_id=score.sample_id,
            epoch=score.epoch,
            group="all",
            metric=KIND_METRIC[detail.kind],
            value=parsed,
            unreadable=unreadable,
            task=task,
        ),
        SampleValue(
            sample_id=score.sample_id,
            epoch=score.epoch,
            group="all",
            metric=UNPARSED_SHARE,
            value=score.value.unparsed,
            task=task,
        ),
    ]
