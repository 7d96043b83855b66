from pathlib import Path

import pytest

from pluralign.errors import InputError
from pluralign.policy.vocabulary import (
    CategoryKind,
    HazardGroup,
    default_vocabulary,
    load_vocabulary,
)


def hazards(group: HazardGroup) -> set[str]:
    return {c.id for c in default_vocabulary().categories if c.hazard_group is group}


def test_ailuminate_hazards_with_their_split() -> None:
    assert hazards(HazardGroup.PHYSICAL) == {
        "violent-crimes",
        "sex-related-crimes",
        "child-sexual-exploitation",
        "suicide-and-self-harm",
        "indiscriminate-weapons",
    }
    assert hazards(HazardGroup.NON_PHYSICAL) == {
        "intellectual-property",
        "defamation",
        "non-violent-crimes",
        "hate",
        "privacy",
    }
    assert hazards(HazardGroup.CONTEXTUAL) == {
        "specialized-advice-elections",
        "specialized-advice-financial",
        "specialized-advice-health",
        "sexual-content",
    }


def test_llama_guard_codes_for_hazards() -> None:
    vocabulary = default_vocabulary()
    assert vocabulary["violent-crimes"].llama_guard_3 == "S1"
    assert vocabulary["suicide-and-self-harm"].llama_guard_3 == "S11"
    assert vocabulary["specialized-advice-elections"].llama_guard_3 == "S13"
    codes = {c.llama_guard_3 for c in vocabulary.categories if c.kind is CategoryKind.HAZARD}
    # 13 of Llama Guard 3's 14 categories (S14, code interpreter abuse, has no AILuminate match)
    assert codes == {f"S{n}" for n in range(1, 14)}


def test_style_topic_and_profile_categories_exist() -> None:
    kinds = {c.id: c.kind for c in default_vocabulary().categories}
    assert kinds["tone"] is CategoryKind.STYLE
    assert kinds["profanity"] is CategoryKind.STYLE
    assert kinds["off-topic"] is CategoryKind.TOPIC
    assert kinds["social-value-orientation"] is CategoryKind.PERSPECTIVE


def test_unknown_reason_lists_known_ids() -> None:
    vocabulary = default_vocabulary()
    reason = vocabulary.unknown_reason("weapons")
    assert reason.startswith("unknown category 'weapons'; known categories: violent-crimes, ")
    assert all(category_id in reason for category_id in vocabulary.ids)
    assert vocabulary.get("weapons") is None
    with pytest.raises(KeyError):
        vocabulary["weapons"]


def test_bad_vocabulary_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "vocab.yaml"
    path.write_text(
        "categories:\n"
        "  - id: a\n    title: A\n    kind: style\n    description: d\n    source: s\n"
        "  - id: b\n    title: B\n    kind: hazard\n    description: d\n    source: s\n"
    )
    with pytest.raises(InputError) as caught:
        load_vocabulary(path)
    assert caught.value.location == "line 9"
    assert "hazard_group is required for hazards" in caught.value.reason


def test_duplicate_category_is_located(tmp_path: Path) -> None:
    path = tmp_path / "vocab.yaml"
    entry = "  - id: a\n    title: A\n    kind: style\n    description: d\n    source: s\n"
    path.write_text("categories:\n" + entry + entry)
    with pytest.raises(InputError, match="duplicate category 'a'") as caught:
        load_vocabulary(path)
    assert caught.value.location == "line 7"
