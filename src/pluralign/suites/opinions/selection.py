"""Which countries are steered to and which questions are asked in one run."""

from __future__ import annotations

from collections.abc import Sequence

from pluralign.data.opinions import OpinionQuestion, OpinionsData
from pluralign.errors import InputError


def steered_countries(
    data: OpinionsData, requested: Sequence[str], default_count: int
) -> tuple[str, ...]:
    """The cross-national countries: those requested, else the ``default_count`` with most.

    Countries are ranked by their number of questions in the data, ties by name.

    Raises:
        InputError: a requested country has no question in the data (the message lists some
            that do).
    """
    ranked = [country for country, _ in data.countries_by_questions()]
    if not requested:
        return tuple(ranked[:default_count])
    unknown = [c for c in requested if c not in ranked]
    if unknown:
        shown = ", ".join(ranked[:12]) + (" …" if len(ranked) > 12 else "")
        raise InputError(
            "--countries",
            f"no questions for {', '.join(unknown)} in {data.meta.source}; countries with "
            f"the most questions: {shown}",
        )
    return tuple(dict.fromkeys(requested))


def asked_questions(
    data: OpinionsData, countries: Sequence[str], limit: int | None
) -> tuple[OpinionQuestion, ...]:
    """The questions with data for at least one steered country, in file order.

    At most ``limit`` of them (None = all).
    """
    chosen = set(countries)
    eligible = [q for q in data.questions if chosen & set(q.selections)]
    return tuple(eligible if limit is None else eligible[:limit])
