"""The composed-policy cache: hits, invalidation on file change, errors, eviction."""

import os
from pathlib import Path

import pytest

from pluralign.errors import InputError
from pluralign.policy.cache import PolicyCache
from pluralign.policy.loading import resolve
from pluralign.policy.profile import Profile
from pluralign.policy.runtime import PolicyStack


def _copy_pack(name: str, tier: int, folder: Path) -> Path:
    target = folder / f"{name}.yaml"
    target.write_text(resolve(name, (tier,)).read_text())
    return target


def _touch_later(path: Path) -> None:
    """Move the file's modification time forward (file systems with coarse clocks)."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_repeated_lookup_is_a_hit_and_matches_a_fresh_composition() -> None:
    cache = PolicyCache()
    first = cache.user_policy("baseline", "childrens-tutor", "blunt-informal")
    again = cache.user_policy("baseline", "childrens-tutor", "blunt-informal")
    assert again is first
    assert (cache.hits, cache.compositions) == (1, 1)
    fresh = PolicyStack.load("baseline", "childrens-tutor")
    from pluralign.policy.loading import load_profile

    expected = fresh.personalise(load_profile("blunt-informal"))
    assert first.system_instructions == expected.system_instructions
    assert first.guard_config == expected.guard_config


def test_equal_profile_objects_share_an_entry_and_others_do_not() -> None:
    cache = PolicyCache()
    one = cache.user_policy("baseline", None, Profile(name="a", tone="playful"))
    same = cache.user_policy("baseline", None, Profile(name="a", tone="playful"))
    other = cache.user_policy("baseline", None, Profile(name="a", tone="formal"))
    assert same is one
    assert other is not one
    assert "formal" in other.system_instructions
    assert len(cache) == 2


def test_an_edited_policy_file_is_composed_again(tmp_path: Path) -> None:
    tier2 = _copy_pack("childrens-tutor", 2, tmp_path)
    cache = PolicyCache()
    before = cache.user_policy("baseline", tier2)
    tier2.write_text(tier2.read_text().replace("name: childrens-tutor", "name: edited-tutor"))
    _touch_later(tier2)
    after = cache.user_policy("baseline", tier2)
    assert after is not before
    assert after.effective != before.effective
    assert cache.compositions == 2


def test_an_edited_profile_file_is_composed_again(tmp_path: Path) -> None:
    profile = tmp_path / "me.yaml"
    profile.write_text("tier: 3\nname: me\ntone: playful\n")
    cache = PolicyCache()
    assert "playful" in cache.user_policy("baseline", None, profile).system_instructions
    profile.write_text("tier: 3\nname: me\ntone: formal\n")
    _touch_later(profile)
    assert "formal" in cache.user_policy("baseline", None, profile).system_instructions


def test_a_broken_edit_raises_and_never_serves_the_old_policy(tmp_path: Path) -> None:
    tier2 = _copy_pack("childrens-tutor", 2, tmp_path)
    cache = PolicyCache()
    cache.user_policy("baseline", tier2)
    tier2.write_text("tier: 2\nname: [unclosed\n")
    _touch_later(tier2)
    with pytest.raises(InputError) as raised:
        cache.user_policy("baseline", tier2)
    assert str(tier2) in str(raised.value)
    tier2.unlink()
    with pytest.raises(InputError):
        cache.user_policy("baseline", tier2)


def test_least_recently_used_entries_are_evicted() -> None:
    cache = PolicyCache(max_entries=2)
    a = cache.user_policy("baseline", None, Profile(name="a"))
    cache.user_policy("baseline", None, Profile(name="b"))
    assert cache.user_policy("baseline", None, Profile(name="a")) is a  # a is now newest
    cache.user_policy("baseline", None, Profile(name="c"))  # evicts b
    assert len(cache) == 2
    assert cache.user_policy("baseline", None, Profile(name="a")) is a
    compositions = cache.compositions
    cache.user_policy("baseline", None, Profile(name="b"))
    assert cache.compositions == compositions + 1


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError):
        PolicyCache(max_entries=0)
