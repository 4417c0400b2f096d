"""The one title path: a clear match resolves; several about equal fits ask, with autocomplete's labels."""

import pytest

from bot.domain.errors import AmbiguousTitleError, UnknownTitleError
from tests.samples import SEED_TITLE


@pytest.mark.parametrize(
    "typed", ["The Trauma Code", "중증외상센터", "The Trauma Code: Heroes On Call (2025)", "Kingdom (2019)", "Gangster"]
)
async def test_a_clear_match_resolves_at_once(offline_bot, typed):
    show = await offline_bot.lookup.resolve_local(typed)
    assert show is not None
    assert show.title in (SEED_TITLE, "Kingdom")


async def test_an_actor_in_four_shows_asks_with_autocomplete_labels(offline_bot):
    with pytest.raises(AmbiguousTitleError) as caught:
        await offline_bot.lookup.resolve_local("Ju Ji Hoon")
    labels = [label for label, _ in caught.value.candidates]
    assert sorted(labels) == sorted(
        f"{title} — with Ju Ji Hoon"
        for title in ("The Trauma Code: Heroes On Call (2025)", "Kingdom (2019)", "Jirisan (2021)", "Mask (2015)")
    )
    assert [name for name, _ in offline_bot.lookup.autocomplete("Ju Ji Hoon")] == labels
    assert caught.value.message == "Several dramas match “Ju Ji Hoon”. Pick the one you mean:"


@pytest.mark.parametrize("typed", ["Kim", "Lee"])
async def test_a_common_surname_asks_with_at_most_25_candidates(offline_bot, typed):
    with pytest.raises(AmbiguousTitleError) as caught:
        await offline_bot.lookup.resolve_local(typed)
    assert 2 <= len(caught.value.candidates) <= 25
    assert len({show_id for _, show_id in caught.value.candidates}) == len(caught.value.candidates)


async def test_nothing_at_all_is_unknown_not_a_pick_list(offline_bot):
    with pytest.raises(UnknownTitleError):
        await offline_bot.lookup.resolve_local("Zzqx Vvrk Qqq")
