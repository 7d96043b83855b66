"""The community builder: make a CommunityBench dataset from your own forum dumps.

Four stages, after CommunityBench (Lin & Wei, arXiv 2601.13669):

1. *read and clean* (``ingest``, with ``dumps``, ``cleaning``, ``governance``): dumps into
   DuckDB; deleted or removed texts, bots, duplicates and too-short texts removed (counted per
   rule); authors hashed with a per-dataset salt, personal data scrubbed; queries selected.
2. *profile* (``profiles``): a two-layer CICB profile per community, written by any Inspect
   model as schema-constrained JSON, validated, retried, resumable.
3. *construct* (``candidates``, ``assemble``): n candidates per query that differ in content,
   emotional polarity and popularity; the ``vote_share`` gold rule; seeded splits.
4. *write* (``pipeline``, ``manifest``): the pluralign JSONL dataset and its manifest.

``commands`` holds the ``pluralign community build`` command.
"""
