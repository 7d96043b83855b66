"""Where the PRISM task's participants come from: the published files, or the illustrative set.

The illustrative set (``illustrative/survey.jsonl`` and ``illustrative/conversations.jsonl``,
in PRISM's published layout) was written for pluralign: 16 *invented* participants in four
invented countries, with stated preferences, self-descriptions, system strings, one opening
prompt each and three or four responses (written for pluralign, attributed to invented model
names) with made-up ratings. It checks the pipeline offline and describes no one. PRISM itself
(CC-BY-4.0 human text, CC-BY-NC-4.0 model text) is not shipped: pass ``--prism-survey`` and
``--prism-conversations`` (or ``--prism-dir``).
"""

from __future__ import annotations

import logging
from importlib.resources import as_file, files
from typing import Final

from pluralign.data.prism import (
    CONVERSATIONS_FILE,
    SURVEY_FILE,
    PrismData,
    read_prism,
)
from pluralign.errors import InputError

ILLUSTRATIVE_FOLDER: Final = "illustrative"
"""The illustrative set's folder inside this package."""

logger = logging.getLogger(__name__)


def illustrative_source() -> str:
    """The illustrative set's name in messages and metadata."""
    return f"pluralign.suites.prism/{ILLUSTRATIVE_FOLDER}"


def load_illustrative() -> PrismData:
    """The shipped illustrative participants and conversations."""
    folder = files("pluralign.suites.prism").joinpath(ILLUSTRATIVE_FOLDER)
    with (
        as_file(folder.joinpath(SURVEY_FILE)) as survey,
        as_file(folder.joinpath(CONVERSATIONS_FILE)) as conversations,
    ):
        return read_prism(survey, conversations, illustrative=True)


def load_prism(survey: str | None, conversations: str | None) -> tuple[PrismData, str]:
    """The data and its name in messages (both None = the illustrative set).

    Problems met while loading the files are logged with their count and the first of them
    (each is also in the task metadata).
    """
    if survey is None and conversations is None:
        return load_illustrative(), illustrative_source()
    if survey is None or conversations is None:
        given = survey or conversations or ""
        raise InputError(given, "PRISM needs both the survey and the conversations file")
    data = read_prism(survey, conversations)
    if data.problems:
        logger.warning(
            "PRISM: %d problems while loading (first: %s)",
            len(data.problems),
            data.problems[0].describe(),
        )
    return data, f"{survey} + {conversations}"
