r"""Read the single option letter a model chose out of its free-text reply.

The parser is strict: a reply that does not name exactly one option is *unparsed* (`None`) and
must be counted as such, never replaced by a default letter. It accepts, in order:

1. a reply (or first line) that is just a letter, optionally bracketed or followed by `.`, `)`
   or `:` — `B`, `B.`, `(C)`, `D:` (any case, as nothing else could be meant);
2. otherwise, explicit statements: a choice verb or an answer noun followed by the letter —
   `I choose D`, `I'd go with option E`, `My choice is F.`, `Answer: G`, `the best option is
   H`, `\boxed{C}`. If there are any, the reply's letter is theirs, together with a leading
   letter-with-separator (`B) … I choose B`); two different letters → unparsed;
3. otherwise, a leading letter with a separator (`A) because …`, `C. This …`) and weaker
   mentions (`Option E`, `(E)`), which again must agree on one letter.

Outside the bare-letter form, option letters must be upper case, so the articles "a"/"I" in
prose are not read as answers; a capital `I` followed by a verb or an apostrophe (`I think`,
`I'm`) is the pronoun. A letter followed by a payoff pair (`A: 85, 85`) is an echoed option
line, not a choice. Markdown emphasis (`**E**`) is ignored. Reasoning inside
`<think>…</think>` is removed first (see `strip_reasoning`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.IGNORECASE | re.DOTALL)
_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
_MARKDOWN = re.compile(r"[*`_]|^\s*#+\s*", re.MULTILINE)
_PAYOFF_PAIR = r"\s*\d+\s*,\s*\d+"
_PRONOUN_FOLLOWER = re.compile(
    r"\s*['’]\w|\s+(?:am|think|believe|would|will|shall|should|could|can|must|might|may|"
    r"choose|chose|pick|select|go|opt|prefer|feel|guess|want|need|have|had|do|did|like|"
    r"see|agree|also|really|just|was|understand|know|apologi[sz]e|hope)\b",
    re.IGNORECASE,
)
_CHOICE_VERB = (
    r"(?i:choose|chose|chosen|choosing|pick|picked|picking|select|selected|selecting|"
    r"go\s+(?:with|for)|going\s+(?:with|for)|opt\s+for|opting\s+for)"
)
_ANSWER_NOUN = (
    r"(?i:answer|choice|selection|decision|pick|option)\s*(?i:is|would\s+be|will\s+be|:|=|-)"
)
_NO_LETTER_FOLLOWS = r"(?![A-Za-z0-9])"


def strip_reasoning(reply: str) -> str:
    """Return the visible answer of a reply, without `<think>…</think>` reasoning.

    Complete blocks are removed; text up to a stray closing tag (a template that opened the
    block in the prompt) is dropped; text from an unterminated opening tag on is dropped, so a
    reply that is still thinking when it stops yields "" — no answer.
    """
    text = _THINK_BLOCK.sub(" ", reply)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        text = text[closes[-1].end() :]
    opening = _THINK_OPEN.search(text)
    if opening:
        text = text[: opening.start()]
    return text.strip()


def _letter_group(letters: tuple[str, ...], name: str) -> str:
    alternatives = "|".join(re.escape(letter) for letter in sorted(letters, key=len, reverse=True))
    return rf"(?<![A-Za-z0-9])(?P<{name}>{alternatives}){_NO_LETTER_FOLLOWS}"


@dataclass(frozen=True)
class _Patterns:
    """The compiled patterns for one set of option letters."""

    leading: re.Pattern[str]
    """A first token that is a letter followed by a separator, not by a payoff pair."""
    statement: re.Pattern[str]
    """An explicit choice: verb or answer noun, the letter, maybe an offered alternative."""
    mentions: tuple[re.Pattern[str], ...]
    """Weaker references to one option: `Option E`, `(E)`, `E)`."""


@cache
def _patterns(letters: tuple[str, ...]) -> _Patterns:
    letter = _letter_group(letters, "letter")
    alternative = _letter_group(letters, "alt")
    return _Patterns(
        leading=re.compile(rf"^[(\[]?{letter}(?:[.):\]]|\s+[-–—])(?!{_PAYOFF_PAIR})\s*\S"),
        statement=re.compile(
            rf"(?:\b{_CHOICE_VERB}|\b{_ANSWER_NOUN}|\\boxed\{{)\s*:?\s*(?:(?i:option|letter)\s+)?"
            rf"[(\[]?{letter}(?:[)\]]?\s*(?i:or|and|/)\s*(?:(?i:option)\s+)?[(\[]?{alternative})?"
        ),
        mentions=(
            re.compile(rf"(?i:option)\s+[(\[]?{letter}"),
            re.compile(rf"{letter}[)\]](?!{_PAYOFF_PAIR})"),
        ),
    )


def _is_pronoun(text: str, match: re.Match[str], group: str) -> bool:
    return match.group(group) == "I" and _PRONOUN_FOLLOWER.match(text, match.end(group)) is not None


def _found(pattern: re.Pattern[str], text: str) -> set[str]:
    """Return the letters caught by the `letter` and `alt` groups, except pronoun "I"s."""
    found: set[str] = set()
    for match in pattern.finditer(text):
        for group in ("letter", "alt"):
            captured = match.groupdict().get(group)
            if captured is not None and not _is_pronoun(text, match, group):
                found.add(captured)
    return found


def _bare_letter(line: str, letters: tuple[str, ...]) -> str | None:
    """Return the letter a line consists of (any case, brackets, `.`/`)`/`:` allowed), else None."""
    canonical = {letter.casefold(): letter for letter in letters}
    bare = re.fullmatch(r"[\"'(\[]*\s*(?P<letter>\w+)\s*[.):\]\"']*", line.strip())
    return canonical.get(bare.group("letter").casefold()) if bare else None


def parse_choice(reply: str, letters: Sequence[str] = "ABCDEFGHI") -> str | None:
    """Return the one option letter the reply chooses, or None when it is unparsed.

    `letters` are the valid option letters (upper case, as shown to the model).
    """
    options = tuple(letters)
    text = _MARKDOWN.sub("", strip_reasoning(reply)).strip()
    if not text:
        return None
    exact = _bare_letter(text, options)
    if exact is not None:
        return exact
    patterns = _patterns(options)
    leading = _found(patterns.leading, text)
    # Every line that is just a letter offers that letter: "A\nB" names two, so it is unparsed.
    leading.update(
        letter for line in text.splitlines() if (letter := _bare_letter(line, options)) is not None
    )
    stated = _found(patterns.statement, text)
    if stated:
        candidates = stated | leading
    else:
        candidates = leading.union(*(_found(mention, text) for mention in patterns.mentions))
    return candidates.pop() if len(candidates) == 1 else None
