"""The community builder: make a CommunityBench dataset from a forum dump."""
