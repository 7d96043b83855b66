"""Where the opinions task's questions come from: a file, or the shipped illustrative set.

The illustrative set (``illustrative_opinions.jsonl``) was written for pluralign: eight
invented survey questions (Pew- and WVS-style, three with "Don't know"/"No answer" options)
answered by ten *invented* countries with made-up shares. It checks the pipeline offline and
describes no real population. GlobalOpinionQA itself (CC-BY-NC-SA-4.0) is not shipped: convert
it with ``pluralign data import-opinions`` and pass ``--opinions-data``.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from typing import Final

from pluralign.data.opinions import OpinionsData, parse_opinions_jsonl, read_opinions_file

ILLUSTRATIVE_RESOURCE: Final = "illustrative_opinions.jsonl"
"""The illustrative question set inside this package."""

logger = logging.getLogger(__name__)


def load_illustrative() -> OpinionsData:
    """The shipped illustrative question set."""
    resource = files("pluralign.suites.opinions").joinpath(ILLUSTRATIVE_RESOURCE)
    return parse_opinions_jsonl(resource.read_bytes(), illustrative_source())


def illustrative_source() -> str:
    """The illustrative set's name in messages and metadata."""
    return f"pluralign.suites.opinions/{ILLUSTRATIVE_RESOURCE}"


def load_questions(dataset: str | None) -> tuple[OpinionsData, str]:
    """The question set and its name in messages (None = the illustrative set).

    A file may be pluralign's opinions JSONL or a published CSV/JSON/JSONL; problems met while
    loading a published file are logged with their count and the first of them.
    """
    if dataset is None:
        return load_illustrative(), illustrative_source()
    data = read_opinions_file(dataset)
    if data.problems:
        logger.warning(
            "%s: %d records skipped, %d country distributions dropped (first: %s)",
            dataset,
            data.count("record skipped"),
            data.count("country dropped"),
            data.problems[0].describe(),
        )
    return data, dataset
