import pytest
from pydantic import ValidationError

from pluralign.data.records import Community, Item, Response
from tests.data.community_records import PROFILE, item


def _error_fields(error: ValidationError) -> list[tuple[int | str, ...]]:
    return [tuple(e["loc"]) for e in error.errors()]


@pytest.mark.parametrize("value", [-1, True, 2.0, "3", None])
def test_votes_must_be_non_negative_integers(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Response.model_validate({"text": "hi", "up": value, "down": 0})
    assert _error_fields(caught.value) == [("up",)]


def test_an_item_needs_two_responses() -> None:
    with pytest.raises(ValidationError) as caught:
        Item.model_validate(
            {
                "item_id": "i",
                "community_id": "c",
                "query": "q",
                "responses": [{"text": "only", "up": 1, "down": 0}],
            }
        )
    assert _error_fields(caught.value) == [("responses",)]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="must not be blank"):
        Response(text=text, up=0, down=0)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        Response.model_validate({"text": "hi", "up": 1, "down": 0, "score": 1})
    assert _error_fields(caught.value) == [("score",)]


def test_records_are_frozen() -> None:
    response = Response(text="hi", up=1, down=0)
    with pytest.raises(ValidationError):
        response.up = 5


def test_community_profile_is_optional_and_not_illustrative_by_default() -> None:
    community = Community(community_id="c", source="r/c")
    assert community.profile is None
    assert community.illustrative is False
    assert Community(community_id="c", source="r/c", profile=PROFILE).profile == PROFILE


def test_item_gold_uses_its_responses_in_order() -> None:
    from pluralign.data.gold import GoldConfig

    gold = item(votes=((0, 5), (5, 0))).gold(GoldConfig())
    assert gold.top_index == 1
    assert gold.distribution == pytest.approx((1 / 7, 6 / 7))
