"""CommunityBench PI, DP and CI as Inspect tasks (Lin & Wei, arXiv 2601.13669)."""
