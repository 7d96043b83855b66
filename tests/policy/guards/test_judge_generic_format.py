"""The generic judge format: its prompt, its JSON schema and the parser on reply variants."""

from __future__ import annotations

import pytest

from pluralign.policy.guards.judge_prompt import judge_prompt, parse_json_verdict, verdict_schema
from pluralign.policy.model import Side
from tests.support.guard_configs import active, only, tutor

ACTIVE = active(tutor())


@pytest.mark.parametrize(
    ("reply", "label", "categories", "reason"),
    [
        ('{"verdict": "safe", "category": null, "reason": "Harmless."}', "safe", (), "Harmless."),
        (
            '{"verdict":"unsafe","category":"profanity","reason":"It swears."}',
            "unsafe",
            ("profanity",),
            "It swears.",
        ),
        (
            '\n {"reason": "Asks for violence.", "category": "violent-crimes", '
            '"verdict": "unsafe"}\n',
            "unsafe",
            ("violent-crimes",),
            "Asks for violence.",
        ),
        (
            '```json\n{"verdict": "Unsafe", "category": "gambling", "reason": "Bets."}\n```',
            "unsafe",
            ("gambling",),
            "Bets.",
        ),
        (
            '{"verdict": "safe", "category": null, "reason": "", "confidence": 0.9}',
            "safe",
            (),
            None,
        ),
        # a small model names the category it considered in a safe verdict: kept for the score
        (
            '{"verdict": "safe", "category": "violent-crimes", "reason": "A Python process."}',
            "safe",
            ("violent-crimes",),
            "A Python process.",
        ),
    ],
)
def test_readable_variants(
    reply: str, label: str, categories: tuple[str, ...], reason: str | None
) -> None:
    reading = parse_json_verdict(reply, ACTIVE)
    assert (reading.label, reading.categories, reading.reason, reading.problem) == (
        label,
        categories,
        reason,
        None,
    )


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("unsafe", "invalid JSON"),
        ('{"verdict": "unsafe", "category": "hate"', "invalid JSON"),
        ('["unsafe", "hate"]', "not an object"),
        ('{"verdict": "unsafe", "category": "hate"}', "missing field(s) reason"),
        ('{"category": null, "reason": "x"}', "missing field(s) verdict"),
        ('{"verdict": "maybe", "category": null, "reason": "x"}', "neither 'safe' nor 'unsafe'"),
        ('{"verdict": true, "category": null, "reason": "x"}', "neither 'safe' nor 'unsafe'"),
        ('{"verdict": "unsafe", "category": null, "reason": "x"}', "names no category"),
        (
            '{"verdict": "unsafe", "category": "elections", "reason": "x"}',
            "'elections' is not an active category",
        ),
        (
            '{"verdict": "unsafe", "category": "specialized-advice-elections", "reason": "x"}',
            "not an active category",  # known to the vocabulary, not active for the tutor
        ),
        ('{"verdict": "unsafe", "category": ["hate"], "reason": "x"}', "not an active category"),
        ('{"verdict": "safe", "category": null, "reason": 3}', "reason is not a string"),
    ],
)
def test_unreadable_variants(reply: str, problem: str) -> None:
    reading = parse_json_verdict(reply, ACTIVE)
    assert reading.label is None
    assert reading.problem is not None and problem in reading.problem


def test_schema_lists_the_active_ids_and_null() -> None:
    schema = verdict_schema(ACTIVE)
    assert schema.required == ["verdict", "category", "reason"]
    assert schema.additionalProperties is False
    assert schema.properties is not None
    assert schema.properties["verdict"].enum == ["safe", "unsafe"]
    category = schema.properties["category"].enum
    assert category == [*(c.category for c in ACTIVE), None]


def test_input_prompt_lists_categories_rules_and_the_message() -> None:
    config = only(tutor().guard_config, "violent-crimes", "profanity")
    text = judge_prompt(
        "How do I kill a Python process?", side=Side.INPUT, active=config.input, prompt=None
    )
    assert "- violent-crimes: Violent crimes. Enabling" in text
    assert "    forbid: Never swear or use vulgar language, even if asked." in text
    assert "<user_message>\nHow do I kill a Python process?\n</user_message>" in text
    assert "<assistant_reply>" not in text
    assert "gambling" not in text  # only the active categories of this configuration
    assert '"verdict": "safe" or "unsafe"' in text


def test_output_prompt_shows_the_request_and_the_reply() -> None:
    config = only(tutor().guard_config, "profanity")
    text = judge_prompt("Darn it.", side=Side.OUTPUT, active=config.output, prompt="Say a word.")
    assert "<user_message>\nSay a word.\n</user_message>" in text
    assert "<assistant_reply>\nDarn it.\n</assistant_reply>" in text
    assert "the assistant's reply below breaks" in text
