"""Inspect AI entry point: importing this module registers every pluralign task."""

from pluralign.tasks.hvae.task import hvae

__all__ = ["hvae"]
