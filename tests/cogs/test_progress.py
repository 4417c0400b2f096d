"""/progress through its callbacks: what the member reads and what is stored, bad input included."""

import datetime as dt
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.domain.errors import (
    AlreadyFinishedError,
    EpisodeOutOfRangeError,
    InvalidInputError,
    NothingToRewatchError,
    UnknownTitleError,
)
from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import Position, WatchStatus
from bot.tree import report
from cogs._progress_ui import ProgressPageButton
from cogs._titles import TitlePickSelect
from tests.clock import SettableClock
from tests.cogs.fakes import embed_text, fake_interaction, sent
from tests.samples import AWKWARD_INPUTS, LONG_INPUTS, SEED_TITLE

ALICE, BOB, GUILD = 1001, 1002, 2001


@pytest.fixture
def clock(offline_bot):
    ticking = SettableClock(dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC))
    offline_bot.stores.progress.clock = ticking
    offline_bot.stores.watchlist.clock = ticking
    return ticking


def cog(bot):
    return bot.get_cog("EpisodeProgress")


async def run(bot, command, user_id=ALICE, **options):
    """Run ``/progress command`` as a member; returns what they were shown (errors as the tree reports them)."""
    interaction = fake_interaction(bot, user_id=user_id)
    progress = cog(bot)
    try:
        await getattr(progress, command).callback(progress, interaction, **options)
    except Exception as exc:
        await report(interaction, exc, f"/progress {command}")
    return sent(interaction)


def text_of(reply):
    return reply.get("content") or embed_text(reply["embed"])


async def seed(bot):
    return await bot.lookup.resolve(SEED_TITLE)


async def test_set_marks_everything_up_to_the_episode_and_says_the_watchlist_moved(offline_bot, clock):
    reply = await run(offline_bot, "set_", title="The Trauma Code", episode=3, season=None)
    assert reply["ephemeral"] is True
    assert "you're on ep 3/8 ███░░░░░░░ 37%" in reply["content"]
    assert "Added to your watchlist as watching." in reply["content"]
    show = await seed(offline_bot)
    stored = await offline_bot.stores.progress.get(ALICE, show.id)
    assert stored.position == Position(1, 3)
    assert (await offline_bot.stores.watchlist.get(ALICE, show.id)).status is WatchStatus.WATCHING


async def test_next_crosses_into_the_next_season(offline_bot, clock):
    await run(offline_bot, "set_", title="Kingdom", episode=6, season=1)
    reply = await run(offline_bot, "next_", title="Kingdom")
    assert "S2 ep 1/6" in reply["content"]
    assert "On to season 2." in reply["content"]
    # Without a season, set means the season the member is in.
    reply = await run(offline_bot, "set_", title="Kingdom", episode=4, season=None)
    assert "S2 ep 4/6" in reply["content"]


async def test_the_last_episode_completes_the_show_and_says_so(offline_bot, clock):
    await run(offline_bot, "set_", title="The Trauma Code", episode=7, season=None)
    reply = await run(offline_bot, "next_", title="The Trauma Code")
    assert "ep 8/8 ██████████ 100%" in reply["content"]
    assert "That's the last episode: show completed." in reply["content"]
    assert "Watchlist: watching → completed." in reply["content"]
    after = await run(offline_bot, "next_", title="The Trauma Code")
    assert after["ephemeral"] is True
    assert "You've reached the last episode" in after["content"]
    assert "`/progress rewatch`" in after["content"]


async def test_a_status_the_member_set_is_never_moved_silently(offline_bot, clock):
    show = await seed(offline_bot)
    await offline_bot.stores.watchlist.set(ALICE, show.id, WatchStatus.ON_HOLD)
    reply = await run(offline_bot, "next_", title="The Trauma Code")
    assert "Watchlist: on hold → watching." in reply["content"]
    quiet = await run(offline_bot, "next_", title="The Trauma Code")
    assert "Watchlist" not in quiet["content"]


async def test_a_special_is_marked_but_never_counted(offline_bot, clock):
    reply = await run(offline_bot, "set_", title="The Trauma Code", episode=1, season=0)
    assert "special 1 marked as watched" in reply["content"]
    assert "Specials don't count toward your progress or completion." in reply["content"]
    show = await seed(offline_bot)
    assert await offline_bot.stores.progress.get(ALICE, show.id) is None
    assert await offline_bot.stores.progress.specials(ALICE, show.id) == frozenset({1})
    again = await run(offline_bot, "set_", title="The Trauma Code", episode=1, season=0)
    assert "(it already was)" in again["content"]
    listed = await run(offline_bot, "show", member=None)
    assert listed["embed"].description.startswith("You haven't marked any episodes yet.")


async def test_rewatch_starts_a_new_pass_and_keeps_the_history(offline_bot, clock):
    await run(offline_bot, "set_", title="The Trauma Code", episode=8, season=None)
    clock.advance(days=3)
    reply = await run(offline_bot, "rewatch", title="The Trauma Code")
    assert "rewatch 1 started" in reply["content"]
    completed = int(dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC).timestamp())
    assert f"Earlier passes: once (completed <t:{completed}:d>)." in reply["content"]
    assert "Watchlist: completed → watching." in reply["content"]
    await run(offline_bot, "next_", title="The Trauma Code")
    listed = await run(offline_bot, "show", member=None)
    assert "ep 1/8" in listed["embed"].description
    assert "rewatch 1" in listed["embed"].description
    show = await seed(offline_bot)
    history = await offline_bot.stores.progress.history(ALICE, show.id)
    assert [(p.number, p.reached) for p in history] == [(1, Position(1, 8)), (2, Position(1, 1))]


async def test_rewatching_a_show_never_started_is_refused(offline_bot, clock):
    reply = await run(offline_bot, "rewatch", title="The Trauma Code")
    assert reply["ephemeral"] is True
    assert "haven't started" in reply["content"]
    with pytest.raises(NothingToRewatchError):
        await cog(offline_bot).rewatch.callback(cog(offline_bot), fake_interaction(offline_bot), title="Kingdom")


@pytest.mark.parametrize(
    ("episode", "season", "error", "says"),
    [
        (0, None, EpisodeOutOfRangeError, "Episode numbers start at 1; there is no episode 0."),
        (-3, None, EpisodeOutOfRangeError, "there is no episode -3"),
        (
            9,
            None,
            EpisodeOutOfRangeError,
            "There is no episode 9 in The Trauma Code: Heroes On Call: it has episodes 1 to 8",
        ),
        (10**30, None, EpisodeOutOfRangeError, "Episode numbers go up to 10,000"),
        (1, 3, EpisodeOutOfRangeError, "has no season 3 (seasons: 1)"),
        (1, -1, EpisodeOutOfRangeError, "Season numbers run from 1 to 100"),
        (1, 10**9, EpisodeOutOfRangeError, "Season numbers run from 1 to 100"),
    ],
)
async def test_episodes_and_seasons_the_show_does_not_have_are_refused(
    offline_bot, clock, episode, season, error, says
):
    progress = cog(offline_bot)
    interaction = fake_interaction(offline_bot)
    with pytest.raises(error) as caught:
        await progress.set_.callback(progress, interaction, title="The Trauma Code", episode=episode, season=season)
    await report(interaction, caught.value, "/progress set")
    reply = sent(interaction)
    assert reply["ephemeral"] is True
    assert says in reply["content"]
    show = await seed(offline_bot)
    assert await offline_bot.stores.progress.get(ALICE, show.id) is None


async def test_an_unknown_title_says_where_it_looked_and_what_to_try(offline_bot, clock):
    reply = await run(offline_bot, "next_", title="Zzqx Nonexistent Show")
    assert reply["ephemeral"] is True
    assert "I couldn't find a drama called “Zzqx Nonexistent Show” in the local catalogue" in reply["content"]
    assert "/drama search" in reply["content"]


async def test_markdown_and_mentions_in_a_title_stay_inert(offline_bot, clock):
    typed = "@everyone <@&1> **bold** ||x||"
    with pytest.raises(UnknownTitleError) as caught:
        await cog(offline_bot).next_.callback(cog(offline_bot), fake_interaction(offline_bot), title=typed)
    assert "@everyone" not in caught.value.message
    assert "\\*\\*bold\\*\\*" in caught.value.message
    assert "\\|\\|x\\|\\|" in caught.value.message


async def test_a_title_with_markdown_is_shown_inert_in_replies(offline_bot, clock):
    [show_id] = await offline_bot.lookup.add_shows(
        [Show(title="**Loud** @everyone ||Twist||", seasons=(SeasonInfo(1, 4),), catalog_key="loud")]
    )
    reply = await run(offline_bot, "set_", title=f"#{show_id}", episode=2, season=None)
    assert "\\*\\*Loud\\*\\* @\u200beveryone \\|\\|Twist\\|\\|" in reply["content"]
    assert "@everyone" not in reply["content"]


BAD_INPUTS = AWKWARD_INPUTS + LONG_INPUTS


@pytest.mark.parametrize("value", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
@pytest.mark.parametrize("command", ["set_", "next_", "rewatch"])
async def test_bad_titles_get_a_sentence_never_an_apology(offline_bot, clock, command, value):
    options = {"title": value}
    if command == "set_":
        options.update(episode=1, season=None)
    reply = await run(offline_bot, command, **options)
    text = text_of(reply)
    assert reply["ephemeral"] is True
    assert text.strip()
    assert "something went wrong" not in text
    assert "@everyone" not in text


async def test_an_ambiguous_title_offers_a_private_pick_that_runs_the_command(offline_bot, clock):
    twins = [Show(title="Twin Rivers", year=year, seasons=(SeasonInfo(1, 10),), catalog_key=f"tw{year}")
             for year in (2019, 2023)]  # fmt: skip
    ids = await offline_bot.lookup.add_shows(twins)
    interaction = fake_interaction(offline_bot)
    await cog(offline_bot).next_.callback(cog(offline_bot), interaction, title="Twin Rivrs")
    offer = sent(interaction)
    assert offer["ephemeral"] is True
    assert "Several dramas match “Twin Rivrs”" in offer["content"]
    [select] = offer["view"].children
    assert select.custom_id == "pick:progress.next:"
    assert await offline_bot.stores.progress.get(ALICE, ids[1]) is None

    pick = fake_interaction(offline_bot)
    pick.response.is_done.return_value = True
    pick.edit_original_response = AsyncMock()
    chosen = TitlePickSelect("progress.next", "")
    chosen.item._values = [f"#{ids[1]}"]
    chosen.item._selected_values = [f"#{ids[1]}"]
    await chosen.callback(pick)
    assert "ep 1/10" in pick.edit_original_response.await_args.kwargs["content"]
    assert (await offline_bot.stores.progress.get(ALICE, ids[1])).position == Position(1, 1)
    assert await offline_bot.stores.progress.get(ALICE, ids[0]) is None


async def many_shows(bot, count):
    shows = [
        Show(title=f"Paging Drama {i:02d}", seasons=(SeasonInfo(1, 8),), catalog_key=f"pg{i}") for i in range(count)
    ]
    return await bot.lookup.add_shows(shows)


async def test_show_lists_newest_first_and_pages_with_restart_proof_buttons(offline_bot, clock):
    ids = await many_shows(offline_bot, 12)
    for i, show_id in enumerate(ids):
        clock.tick()
        await run(offline_bot, "set_", title=f"#{show_id}", episode=1 + i % 8, season=None)
    first = await run(offline_bot, "show", member=None)
    assert first["ephemeral"] is True
    description = first["embed"].description
    assert description.index("Paging Drama 11") < description.index("Paging Drama 10")
    assert "Paging Drama 01" not in description
    assert "Page 1/2 · 12 shows" in first["embed"].footer.text
    previous, following = (child.item for child in first["view"].children)
    assert previous.disabled
    assert not following.disabled
    assert following.custom_id == f"progress:page:{ALICE}:{ALICE}:1"

    # A button rebuilt from its custom id alone, as after a restart.
    click = fake_interaction(offline_bot)
    match = ProgressPageButton.__discord_ui_compiled_template__.fullmatch(following.custom_id)
    button = await ProgressPageButton.from_custom_id(click, following, match)
    await button.callback(click)
    second = sent(click)
    assert "Page 2/2" in second["embed"].footer.text
    assert "Paging Drama 01 · ep 2/8" in second["embed"].description.replace("**", "")
    assert "Paging Drama 00 · ep 1/8" in second["embed"].description.replace("**", "")


async def test_only_the_member_who_asked_can_turn_the_pages(offline_bot, clock):
    click = fake_interaction(offline_bot, user_id=BOB)
    await ProgressPageButton(ALICE, ALICE, 1).callback(click)
    reply = sent(click)
    assert reply["ephemeral"] is True
    assert "belong to the member who ran the command" in reply["content"]


def member_of(guild_id, user_id):
    member = MagicMock(spec=discord.Member)
    member.id = user_id
    member.guild = MagicMock(spec=discord.Guild)
    member.guild.id = guild_id
    return member


async def test_another_members_progress_is_shown_to_someone_in_the_same_server(offline_bot, clock):
    await run(offline_bot, "set_", user_id=BOB, title="The Trauma Code", episode=5, season=None)
    reply = await run(offline_bot, "show", member=member_of(GUILD, BOB))
    assert f"Progress of <@{BOB}>" in reply["embed"].description
    assert "ep 5/8" in reply["embed"].description


async def test_progress_of_someone_outside_this_server_or_from_a_dm_is_refused(offline_bot, clock):
    await run(offline_bot, "set_", user_id=BOB, title="The Trauma Code", episode=5, season=None)
    outsider = MagicMock(spec=discord.User)
    outsider.id = BOB
    for member in (outsider, member_of(9999, BOB)):
        with pytest.raises(InvalidInputError, match="isn't a member of this server"):
            await cog(offline_bot).show.callback(cog(offline_bot), fake_interaction(offline_bot), member=member)
    in_dm = fake_interaction(offline_bot, guild_id=None)
    with pytest.raises(InvalidInputError, match="only your own progress"):
        await cog(offline_bot).show.callback(cog(offline_bot), in_dm, member=member_of(GUILD, BOB))
    # The member's own progress works anywhere, a DM included.
    own = fake_interaction(offline_bot, user_id=BOB, guild_id=None)
    await cog(offline_bot).show.callback(cog(offline_bot), own, member=None)
    assert "ep 5/8" in sent(own)["embed"].description


async def test_progress_does_not_need_a_server(offline_bot, clock):
    interaction = fake_interaction(offline_bot, guild_id=None)
    await cog(offline_bot).next_.callback(cog(offline_bot), interaction, title="The Trauma Code")
    assert "ep 1/8" in sent(interaction)["content"]


async def test_finished_is_an_error_the_member_reads(offline_bot, clock):
    await run(offline_bot, "set_", title="The Trauma Code", episode=8, season=None)
    with pytest.raises(AlreadyFinishedError):
        await cog(offline_bot).next_.callback(cog(offline_bot), fake_interaction(offline_bot), title="The Trauma Code")
