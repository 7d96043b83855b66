"""``--limit K``: K scenarios of each kind, chosen the same way whatever K is (pure).

Within a kind, held-out (``test``) scenarios come first — the guard metrics can only use
those — then the rest; each group is ordered by a hash of the seed and the scenario id. The
order does not depend on K, so a larger limit extends a smaller one (Inspect reuses the samples
already run).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol, TypeVar

from pluralign.suites.bounds.records import KINDS


class Labelled(Protocol):
    """What the selection reads of a scenario."""

    @property
    def id(self) -> str:
        """Unique scenario id."""
        ...

    @property
    def kind(self) -> str:
        """in_bounds, out_of_bounds or near_boundary."""
        ...

    @property
    def split(self) -> str:
        """The guard split: ``train`` or ``test``."""
        ...


S = TypeVar("S", bound=Labelled)


def _order(seed: int, scenario: Labelled) -> tuple[bool, str]:
    digest = hashlib.sha256(f"{seed}:{scenario.id}".encode()).hexdigest()
    return (scenario.split != "test", digest)


def per_kind_selection(scenarios: Sequence[S], per_kind: int | None, seed: int = 0) -> list[S]:
    """Up to ``per_kind`` scenarios of each kind (None = all), in kind order."""
    chosen: list[S] = []
    for kind in KINDS:
        of_kind = sorted((s for s in scenarios if s.kind == kind), key=lambda s: _order(seed, s))
        chosen.extend(of_kind if per_kind is None else of_kind[:per_kind])
    return chosen
