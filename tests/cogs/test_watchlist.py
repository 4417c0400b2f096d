"""/watchlist and /settings timezone through their callbacks."""

import datetime as dt

import pytest

from bot.domain.errors import InvalidInputError, UnknownTimezoneError
from bot.domain.progress import WatchStatus
from bot.tree import report
from cogs._progress_ui import WatchlistPageButton
from cogs.settings import zone_autocomplete
from tests.clock import SettableClock
from tests.cogs.fakes import fake_interaction, sent
from tests.cogs.test_progress import ALICE, BOB, GUILD, many_shows, member_of, run
from tests.samples import AWKWARD_INPUTS, LONG_INPUTS, SEED_TITLE


@pytest.fixture
def clock(offline_bot):
    ticking = SettableClock(dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC))
    offline_bot.stores.progress.clock = ticking
    offline_bot.stores.watchlist.clock = ticking
    offline_bot.stores.settings.clock = ticking
    return ticking


async def watchlist(bot, command, user_id=ALICE, **options):
    interaction = fake_interaction(bot, user_id=user_id)
    cog = bot.get_cog("Watchlist")
    try:
        await getattr(cog, command).callback(cog, interaction, **options)
    except Exception as exc:
        await report(interaction, exc, f"/watchlist {command}")
    return sent(interaction)


async def test_add_then_change_then_remove(offline_bot, clock):
    added = await watchlist(offline_bot, "add", title="The Trauma Code", status=None)
    assert added["ephemeral"] is True
    assert f"Added **{SEED_TITLE}** to your watchlist as plan to watch." in added["content"]
    again = await watchlist(offline_bot, "add", title="The Trauma Code", status=None)
    assert "is already on your watchlist as plan to watch" in again["content"]
    moved = await watchlist(offline_bot, "add", title="The Trauma Code", status="dropped")
    assert "watchlist status moved from plan to watch to dropped" in moved["content"]
    show = await offline_bot.lookup.resolve(SEED_TITLE)
    assert (await offline_bot.stores.watchlist.get(ALICE, show.id)).status is WatchStatus.DROPPED
    removed = await watchlist(offline_bot, "remove", title="The Trauma Code")
    assert "off your watchlist. Your progress in it stays." in removed["content"]
    assert await offline_bot.stores.watchlist.get(ALICE, show.id) is None
    gone = await watchlist(offline_bot, "remove", title="The Trauma Code")
    assert "isn't on your watchlist" in gone["content"]


async def test_show_filters_by_status_and_includes_progress(offline_bot, clock):
    await watchlist(offline_bot, "add", title="Kingdom", status="plan")
    clock.tick()
    await run(offline_bot, "set_", title="The Trauma Code", episode=4, season=None)
    everything = await watchlist(offline_bot, "show", member=None, status=None)
    text = everything["embed"].description
    assert text.index("The Trauma Code") < text.index("Kingdom")
    assert "watching · ep 4/8" in text
    planned = await watchlist(offline_bot, "show", member=None, status="plan")
    assert "Kingdom" in planned["embed"].description
    assert "Trauma" not in planned["embed"].description
    dropped = await watchlist(offline_bot, "show", member=None, status="dropped")
    assert dropped["embed"].description == "Your dropped list is empty. `/watchlist add` puts a show on it."


async def test_a_status_that_is_not_one_is_refused(offline_bot, clock):
    reply = await watchlist(offline_bot, "add", title="Kingdom", status="binged")
    assert reply["ephemeral"] is True
    assert "A watchlist status is one of: plan, watching, completed, on_hold, dropped." in reply["content"]


async def test_another_members_list_needs_a_shared_server(offline_bot, clock):
    await watchlist(offline_bot, "add", user_id=BOB, title="Kingdom", status="on_hold")
    shared = await watchlist(offline_bot, "show", member=member_of(GUILD, BOB), status=None)
    assert f"Watchlist of <@{BOB}>" in shared["embed"].description
    assert "on hold" in shared["embed"].description
    elsewhere = await watchlist(offline_bot, "show", member=member_of(9999, BOB), status=None)
    assert "isn't a member of this server" in elsewhere["content"]


async def test_a_long_watchlist_pages_with_restart_proof_buttons(offline_bot, clock):
    for show_id in await many_shows(offline_bot, 11):
        clock.tick()
        await watchlist(offline_bot, "add", title=f"#{show_id}", status="plan")
    first = await watchlist(offline_bot, "show", member=None, status="plan")
    assert "Page 1/2 · 11 shows" in first["embed"].footer.text
    assert "Paging Drama 00" not in first["embed"].description
    following = first["view"].children[1].item
    assert following.custom_id == f"watchlist:page:{ALICE}:{ALICE}:plan:1"
    click = fake_interaction(offline_bot)
    match = WatchlistPageButton.__discord_ui_compiled_template__.fullmatch(following.custom_id)
    await (await WatchlistPageButton.from_custom_id(click, following, match)).callback(click)
    second = sent(click)["embed"]
    assert "Page 2/2" in second.footer.text
    assert "Paging Drama 00** · plan to watch" in second.description


@pytest.mark.parametrize("value", AWKWARD_INPUTS + LONG_INPUTS, ids=range(len(AWKWARD_INPUTS + LONG_INPUTS)))
async def test_bad_titles_get_a_sentence(offline_bot, clock, value):
    for command in ("add", "remove"):
        options = {"title": value, "status": None} if command == "add" else {"title": value}
        reply = await watchlist(offline_bot, command, **options)
        assert reply["ephemeral"] is True
        assert "something went wrong" not in reply["content"]
        assert "@everyone" not in reply["content"]


async def settings(bot, user_id=ALICE, **options):
    interaction = fake_interaction(bot, user_id=user_id)
    cog = bot.get_cog("MemberSettings")
    try:
        await cog.timezone.callback(cog, interaction, **options)
    except Exception as exc:
        await report(interaction, exc, "/settings timezone")
    return sent(interaction)


async def test_timezone_is_stored_by_its_iana_name(offline_bot, clock):
    reply = await settings(offline_bot, tz="asia/seoul")
    assert reply["ephemeral"] is True
    assert reply["content"].startswith("Your time zone is now Asia/Seoul (UTC+09:00; it's 05:00 there now).")
    assert await offline_bot.stores.settings.timezone(ALICE) == "Asia/Seoul"


@pytest.mark.parametrize("typed", ["Mars/Olympus", "x" * 10_000, "@everyone", "**UTC**", " "])
async def test_a_zone_that_does_not_exist_is_refused(offline_bot, clock, typed):
    cog = offline_bot.get_cog("MemberSettings")
    with pytest.raises(UnknownTimezoneError):
        await cog.timezone.callback(cog, fake_interaction(offline_bot), tz=typed)
    reply = await settings(offline_bot, tz=typed)
    assert "is not a time zone I know" in reply["content"]
    assert "@everyone" not in reply["content"]
    assert await offline_bot.stores.settings.timezone(ALICE) is None


async def test_zone_autocomplete_offers_iana_names(offline_bot):
    choices = await zone_autocomplete(fake_interaction(offline_bot), "seo")
    assert choices[0].name == "Asia/Seoul"
    assert all(len(c.name) <= 100 for c in choices)
    assert len(await zone_autocomplete(fake_interaction(offline_bot), "")) <= 25
    assert await zone_autocomplete(fake_interaction(offline_bot), "x" * 10_000) == []


def test_invalid_input_is_the_base_of_unknown_zone():
    assert issubclass(UnknownTimezoneError, InvalidInputError)


async def test_watchlist_page_button_refuses_someone_else(offline_bot, clock):
    click = fake_interaction(offline_bot, user_id=BOB)
    await WatchlistPageButton(ALICE, ALICE, None, 1).callback(click)
    assert "belong to the member who ran the command" in sent(click)["content"]
