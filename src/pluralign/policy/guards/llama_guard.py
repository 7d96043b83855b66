r"""Llama Guard 3's own format: the category codes to send and the reply to parse.

Llama Guard 3 (Meta, 2024; model cards of Llama-Guard-3-8B, -1B and -11B-Vision) reads a
conversation through its own chat template and answers ``safe``, or ``unsafe`` and on the next
line the violated category codes, comma-separated (``unsafe\nS1,S10``). Its fourteen built-in
categories are S1-S14 (:data:`LLAMA_GUARD_3_CATEGORIES`); ``policy/vocabulary.yaml`` maps the
hazard categories onto them.

The conversation is sent as chat messages (a user turn; for an output check also the assistant
turn) and the *server* applies the model's chat template; building the template into one user
message would wrap it twice. The active categories travel through the template's arguments
(:func:`template_kwargs`, sent by vLLM as ``chat_template_kwargs``):

- ``categories``: code → text for every code this side checks. The 1B and 11B-Vision templates
  list exactly these; the 8B template ignores them and always lists S1-S14.
- ``excluded_category_keys``: the built-in codes this side does not check (read by the same
  templates; harmless where ignored).

Codes: a hazard category uses its vocabulary code; categories sharing a code (S6: financial and
health advice) share one entry and are all named when it is flagged. A *forbid* category with no
Llama Guard 3 code (a tier-2 topic such as gambling, or profanity) gets a custom code after S14
(S15, S16 … in the side's category order): Llama Guard takes new categories zero-shot, by
listing them in its prompt (Inan et al. 2023, "Llama Guard", arXiv 2312.06674, adaptability).
*Require* rules without a code (reading level, disclaimers …) describe behaviour, not content,
and are not sent: judge those with the generic format.

Parsing (:func:`parse_llama_guard`) is whitespace tolerant. A code this side sends maps back
to its categories; a built-in code it does not send (the 8B template shows all fourteen) is
recorded as not checked on this side, and whether it makes the verdict unsafe is left to the
active categories (:mod:`pluralign.policy.guards.judge_verdict`). Anything else — another first
line, an unknown code, ``unsafe`` without codes, extra lines — is unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pluralign.policy.guard_config import GuardCategory
from pluralign.policy.guards.judge_verdict import GuardReading, unreadable
from pluralign.policy.model import Strength
from pluralign.policy.vocabulary import Vocabulary, default_vocabulary

LLAMA_GUARD_3_CATEGORIES: dict[str, str] = {
    "S1": "Violent Crimes.",
    "S2": "Non-Violent Crimes.",
    "S3": "Sex Crimes.",
    "S4": "Child Exploitation.",
    "S5": "Defamation.",
    "S6": "Specialized Advice.",
    "S7": "Privacy.",
    "S8": "Intellectual Property.",
    "S9": "Indiscriminate Weapons.",
    "S10": "Hate.",
    "S11": "Self-Harm.",
    "S12": "Sexual Content.",
    "S13": "Elections.",
    "S14": "Code Interpreter Abuse.",
}
"""Llama Guard 3's built-in hazard categories (Llama Guard 3 model card, "Hazard Taxonomy")."""

_CODE = re.compile(r"S([1-9][0-9]*)")


@dataclass(frozen=True)
class CodeMap:
    """The codes one side sends to Llama Guard 3, and the categories each stands for."""

    categories: dict[str, tuple[GuardCategory, ...]]
    """Code → the active categories it stands for, in code order."""

    def template_kwargs(self) -> dict[str, Any]:
        """The chat template's arguments: ``categories`` and ``excluded_category_keys``."""
        return {
            "categories": {code: _code_text(found) for code, found in self.categories.items()},
            "excluded_category_keys": [
                code for code in LLAMA_GUARD_3_CATEGORIES if code not in self.categories
            ],
        }


def code_map(active: Sequence[GuardCategory]) -> CodeMap:
    """Assign Llama Guard 3 codes to a side's active categories (see the module's rules)."""
    by_code: dict[str, list[GuardCategory]] = {}
    for category in active:
        if category.llama_guard_3 is not None:
            by_code.setdefault(category.llama_guard_3, []).append(category)
    next_number = len(LLAMA_GUARD_3_CATEGORIES) + 1
    for category in active:
        if category.llama_guard_3 is None and category.strength is Strength.FORBID:
            by_code[f"S{next_number}"] = [category]
            next_number += 1
    ordered = sorted(by_code, key=lambda code: int(code[1:]))
    return CodeMap(categories={code: tuple(by_code[code]) for code in ordered})


def _code_text(categories: Sequence[GuardCategory]) -> str:
    return " ".join(f"{category.title}. {category.description}" for category in categories)


def parse_llama_guard(
    reply: str, codes: CodeMap, vocabulary: Vocabulary | None = None
) -> GuardReading:
    r"""Read a Llama Guard 3 reply (``safe`` / ``unsafe\nS1,S10``) against a side's codes."""
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return unreadable("empty reply", reply)
    first = lines[0].lower()
    if first == "safe":
        if len(lines) > 1:
            return unreadable("text after 'safe'", reply)
        return GuardReading(label="safe")
    if first != "unsafe":
        return unreadable("the first line is neither 'safe' nor 'unsafe'", reply)
    if len(lines) != 2:
        problem = "'unsafe' without category codes" if len(lines) == 1 else "extra lines"
        return unreadable(problem, reply)
    return _unsafe(lines[1], reply, codes, vocabulary or default_vocabulary())


def _unsafe(line: str, reply: str, codes: CodeMap, vocabulary: Vocabulary) -> GuardReading:
    named: list[str] = []
    inactive: list[str] = []
    for raw in line.split(","):
        code = raw.strip().upper()
        if not _CODE.fullmatch(code):
            return unreadable(f"{raw.strip()!r} is not a category code", reply)
        if code in codes.categories:
            named += [c.category for c in codes.categories[code] if c.category not in named]
        elif code in LLAMA_GUARD_3_CATEGORIES:
            inactive.append(_inactive_label(code, vocabulary))
        else:
            return unreadable(f"unknown category code {code}", reply)
    return GuardReading(label="unsafe", categories=tuple(named), inactive=tuple(inactive))


def _inactive_label(code: str, vocabulary: Vocabulary) -> str:
    ids = [c.id for c in vocabulary.categories if c.llama_guard_3 == code]
    return f"{code} ({', '.join(ids) if ids else LLAMA_GUARD_3_CATEGORIES[code].rstrip('.')})"
