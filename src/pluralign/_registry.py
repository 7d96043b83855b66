"""Inspect AI entry point: importing this module registers every pluralign task."""
