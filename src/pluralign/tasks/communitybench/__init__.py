"""CommunityBench PI, DP and CI as Inspect tasks (communitybench.md §3, §6)."""
