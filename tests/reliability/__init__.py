"""Reliability under faults, interruptions, hostile input and secrets."""
