"""A per-process cache of composed policies: what a server calls on every request.

Composing and rendering a stack costs about a millisecond (``benchmarks/policy_compose.py``);
a gateway answers the same few (stack, profile) combinations over and over. ``PolicyCache``
keeps each composed :class:`~pluralign.policy.runtime.UserPolicy` keyed by the references of
its tier-1 pack, tier-2 deployment and tier-3 profile, so a repeated request costs a dictionary
look-up plus one ``os.stat`` per policy file.

Invalidation: every file a cached entry was built from is stamped with its modification time
(nanoseconds), size and inode when it is read; a hit whose files changed on disk (edited,
replaced, or deleted) is composed again from the new files. A bad new file raises the same
:class:`~pluralign.errors.InputError` as loading it would — the old policy is never served in
its place.

Example:
    >>> cache = PolicyCache()
    >>> first = cache.user_policy("baseline", "childrens-tutor", "blunt-informal")
    >>> cache.user_policy("baseline", "childrens-tutor", "blunt-informal") is first
    True

"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from pluralign.policy.composition import compose
from pluralign.policy.guard_config import render_guard_config
from pluralign.policy.instructions import render_system_instructions
from pluralign.policy.loading import PolicyRef, load_policy, load_profile, resolve
from pluralign.policy.model import Policy
from pluralign.policy.profile import Profile
from pluralign.policy.runtime import UserPolicy
from pluralign.policy.vocabulary import Vocabulary, default_vocabulary

__all__ = ["DEFAULT_MAX_ENTRIES", "PolicyCache", "ProfileRef"]

DEFAULT_MAX_ENTRIES = 4096
"""Composed policies kept (least recently used first out): one per (stack, profile) in use."""

ProfileRef = PolicyRef | Profile
"""A tier-3 profile: a file path, a shipped profile pack name, or a ``Profile`` built in code."""

_Stamp = tuple[int, int, int]
"""(mtime_ns, size, inode) of a file when it was read."""


@dataclass(frozen=True)
class _Entry:
    user: UserPolicy
    files: tuple[tuple[str, _Stamp], ...]
    """Every file the entry was built from, with its stamp when read."""


class PolicyCache:
    """Composed policies by (tier 1, tier 2, profile), re-composed when a file changes.

    Thread-safe; a profile given as a ``Profile`` object is keyed by its value (profiles are
    frozen), so two equal profiles share one entry.
    """

    def __init__(
        self, vocabulary: Vocabulary | None = None, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        """An empty cache validating policies against ``vocabulary`` (default: shipped one)."""
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.vocabulary = vocabulary or default_vocabulary()
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        """Look-ups answered from the cache."""
        self.compositions = 0
        """Look-ups that composed (a first use, or a changed file)."""

    def user_policy(
        self,
        tier1: PolicyRef = "baseline",
        tier2: PolicyRef | None = None,
        profile: ProfileRef | None = None,
    ) -> UserPolicy:
        """The stack composed with the profile, from the cache when no file changed.

        Raises:
            InputError: a policy or profile file is malformed (file, location, reason).
            ChoiceError: an unknown pack name.
        """
        key = (_key(tier1), _key(tier2), _key(profile))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and _unchanged(entry.files):
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.user
        built = self._build(tier1, tier2, profile)
        with self._lock:
            self._entries[key] = built
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            self.compositions += 1
        return built.user

    def clear(self) -> None:
        """Forget every composed policy."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        """The number of composed policies held."""
        return len(self._entries)

    def _build(
        self, tier1: PolicyRef, tier2: PolicyRef | None, profile: ProfileRef | None
    ) -> _Entry:
        files: list[tuple[str, _Stamp]] = []
        first = self._load(tier1, 1, files)
        second = self._load(tier2, 2, files) if tier2 is not None else None
        user_profile = self._profile(profile, files)
        effective = compose(first, second, user_profile)
        user = UserPolicy(
            effective=effective,
            system_instructions=render_system_instructions(effective, self.vocabulary),
            guard_config=render_guard_config(effective, self.vocabulary),
        )
        return _Entry(user=user, files=tuple(files))

    def _load(self, ref: PolicyRef, tier: int, files: list[tuple[str, _Stamp]]) -> Policy:
        path = resolve(ref, (tier,))
        stamp = _stamp(path)
        policy = load_policy(path, tier, self.vocabulary)
        files.append((str(path), stamp))
        return policy

    def _profile(
        self, profile: ProfileRef | None, files: list[tuple[str, _Stamp]]
    ) -> Profile | None:
        if profile is None or isinstance(profile, Profile):
            return profile
        path = resolve(profile, (3,))
        stamp = _stamp(path)
        loaded = load_profile(path, self.vocabulary)
        files.append((str(path), stamp))
        return loaded


def _key(ref: ProfileRef | None) -> object:
    """A hashable key: paths and names as strings, profiles by value."""
    if ref is None or isinstance(ref, Profile):
        return ref
    return os.fspath(ref)


def _stamp(path: Path | str) -> _Stamp:
    """The file's stamp; a missing file gets an impossible one (it then never matches)."""
    try:
        info = os.stat(path)  # noqa: PTH116 -- no Path object per request on the hot path
    except OSError:
        return (-1, -1, -1)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _unchanged(files: tuple[tuple[str, _Stamp], ...]) -> bool:
    return all(_stamp(path) == stamp for path, stamp in files)
