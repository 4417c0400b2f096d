import asyncio
import datetime as dt
import json
import sqlite3

import pytest

from bot.db.database import Database, bundled_migrations
from bot.db.reviews import ReviewStore
from bot.db.shows import ShowStore
from bot.domain.errors import MissingPermissionError, ReviewNotFoundError
from bot.domain.models import SeasonInfo, Show
from bot.domain.reviews import EpisodeRef, Grade, PostedMessage, ReviewText
from tests.clock import SettableClock

GUILD, OTHER_GUILD = 1001, 2002
ALICE, BOB = 11, 22
START = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
# A long review in the seed's shape (Hangul, punctuation, paragraphs); the seed itself is tested where it is read.
LONG_REVIEW = "\n\n".join(
    f"{n}화: 백강혁 (Baek Kang Hyuk) — the trauma team's “golden hour”, again & again! #{n}" * 8 for n in range(1, 9)
)


@pytest.fixture
def clock():
    return SettableClock(START)


@pytest.fixture
def store(db, clock):
    return ReviewStore(db, clock)


@pytest.fixture
async def show_id(db):
    return await ShowStore(db).add(
        Show("The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),), catalog_key="tc")
    )


async def write(store, show_id, author=ALICE, guild=GUILD, grade=Grade.A_PLUS, headline="Great"):
    return await store.create(
        guild_id=guild,
        author_id=author,
        show_id=show_id,
        grade=grade,
        spoilers_through=EpisodeRef(1, 8),
        text=ReviewText(headline, "No spoilers here.", "He saves everyone."),
    )


async def test_a_review_is_stored_with_every_field_and_its_posted_messages(store, show_id):
    seed_text = ReviewText("A+ and some spoilers", LONG_REVIEW[:1700], LONG_REVIEW[1700:])
    review = await store.create(
        guild_id=GUILD, author_id=ALICE, show_id=show_id, grade=Grade.A_MINUS, spoilers_through=None, text=seed_text
    )
    loaded = await store.get(GUILD, review.id)
    assert loaded == review
    assert (loaded.author_id, loaded.show_id, loaded.grade, loaded.spoilers_through) == (
        ALICE,
        show_id,
        Grade.A_MINUS,
        None,
    )
    assert loaded.text == seed_text  # not a character lost
    assert loaded.created_at == START
    assert loaded.created_at.tzinfo is not None
    assert loaded.edited_at is None
    assert loaded.messages == ()
    await store.set_messages(GUILD, review.id, [PostedMessage(5, 501), PostedMessage(5, 502)])
    assert (await store.get(GUILD, review.id)).messages == (PostedMessage(5, 501), PostedMessage(5, 502))
    # After an edit that needs fewer messages, the list is replaced.
    await store.set_messages(GUILD, review.id, [PostedMessage(5, 501)])
    assert (await store.get(GUILD, review.id)).messages == (PostedMessage(5, 501),)
    assert (await store.find_by_message(GUILD, 501)).id == review.id
    assert await store.find_by_message(GUILD, 502) is None


async def test_one_servers_reviews_are_invisible_in_another(store, show_id):
    review = await write(store, show_id, guild=GUILD)
    assert await store.get(OTHER_GUILD, review.id) is None
    with pytest.raises(ReviewNotFoundError, match=f"no review #{review.id} in this server"):
        await store.require(OTHER_GUILD, review.id)
    with pytest.raises(ReviewNotFoundError):
        await store.delete(OTHER_GUILD, review.id, by_user_id=ALICE, manage_messages=True)
    with pytest.raises(ReviewNotFoundError):
        await store.set_messages(OTHER_GUILD, review.id, [PostedMessage(1, 2)])
    with pytest.raises(ReviewNotFoundError):
        await store.edit_text(OTHER_GUILD, review.id, ALICE, ReviewText("x", "y"))
    assert (await store.list_for_show(OTHER_GUILD, show_id)).items == []
    assert (await store.summary(OTHER_GUILD, show_id)).count == 0
    assert await store.find_by_message(OTHER_GUILD, 0) is None
    assert await store.get(GUILD, review.id) == review


async def test_a_shows_reviews_are_listed_newest_first_in_pages(store, show_id, clock):
    ids = []
    for i in range(7):
        ids.append((await write(store, show_id, author=100 + i, headline=f"review {i}")).id)
        clock.advance(minutes=1)
    await write(store, show_id, guild=OTHER_GUILD)
    first = await store.list_for_show(GUILD, show_id, page=0, per_page=3)
    assert [r.id for r in first.items] == ids[::-1][:3]
    assert (first.index, first.count, first.has_next, first.has_previous) == (0, 3, True, False)
    last = await store.list_for_show(GUILD, show_id, page=2, per_page=3)
    assert [r.id for r in last.items] == [ids[0]]
    assert (await store.list_for_show(GUILD, show_id, page=99, per_page=3)).items == last.items  # a stale button
    assert (await store.list_for_show(GUILD, show_id + 1)).items == []


async def test_count_and_average_grade_per_show_per_server(store, show_id):
    await write(store, show_id, grade=Grade.A_PLUS)
    await write(store, show_id, grade=Grade.A_PLUS, author=BOB)
    await write(store, show_id, grade=Grade.B)
    await write(store, show_id, grade=Grade.F, guild=OTHER_GUILD)
    summary = await store.summary(GUILD, show_id)
    assert summary.count == 3
    assert summary.average == pytest.approx((4.3 + 4.3 + 3.0) / 3)
    assert summary.nearest is Grade.A
    assert (await store.summary(OTHER_GUILD, show_id)).nearest is Grade.F


async def test_only_the_author_edits_and_the_edit_time_is_kept(store, show_id, clock):
    review = await write(store, show_id)
    clock.advance(hours=2)
    with pytest.raises(MissingPermissionError):
        await store.edit_text(GUILD, review.id, BOB, ReviewText("hijacked", "x"))
    assert (await store.get(GUILD, review.id)).text == review.text
    edited = await store.edit_text(GUILD, review.id, ALICE, ReviewText("Better", "Clearer.", "Still a secret."))
    assert edited.text == ReviewText("Better", "Clearer.", "Still a secret.")
    assert edited.edited_at == START + dt.timedelta(hours=2)
    assert edited.created_at == START


async def test_deleting_needs_authorship_or_manage_messages(store, show_id):
    review = await write(store, show_id)
    await store.set_messages(GUILD, review.id, [PostedMessage(5, 700)])
    with pytest.raises(MissingPermissionError, match="Manage Messages"):
        await store.delete(GUILD, review.id, by_user_id=BOB, manage_messages=False)
    assert await store.get(GUILD, review.id) is not None
    deleted = await store.delete(GUILD, review.id, by_user_id=BOB, manage_messages=True)
    assert deleted.messages == (PostedMessage(5, 700),)  # so the cog can remove the post
    assert await store.get(GUILD, review.id) is None
    assert await store.find_by_message(GUILD, 700) is None
    own = await write(store, show_id, author=BOB)
    assert (await store.delete(GUILD, own.id, by_user_id=BOB, manage_messages=False)).id == own.id
    with pytest.raises(ReviewNotFoundError):
        await store.delete(GUILD, own.id, by_user_id=BOB, manage_messages=False)


async def test_a_members_data_is_exported_and_deleted_across_servers(store, show_id):
    mine = [await write(store, show_id, guild=GUILD), await write(store, show_id, guild=OTHER_GUILD)]
    await store.set_messages(OTHER_GUILD, mine[1].id, [PostedMessage(9, 900), PostedMessage(9, 901)])
    theirs = await write(store, show_id, author=BOB)
    exported = await store.export_user_data(ALICE)
    assert json.loads(json.dumps(exported)) == exported
    assert [e["id"] for e in exported] == [r.id for r in mine]
    assert exported[1] == {
        "id": mine[1].id,
        "guild_id": OTHER_GUILD,
        "show_id": show_id,
        "show_title": "The Trauma Code: Heroes On Call",
        "grade": "A+",
        "spoilers_through": "S1E8",
        "headline": "Great",
        "spoiler_free": "No spoilers here.",
        "spoiler": "He saves everyone.",
        "created_at": "2026-11-30T06:00:00+00:00",
        "edited_at": None,
        "messages": [{"channel_id": 9, "message_id": 900}, {"channel_id": 9, "message_id": 901}],
    }
    removed = await store.delete_user_data(ALICE)
    assert sorted(r.id for r in removed) == sorted(r.id for r in mine)
    assert removed[1].messages == (PostedMessage(9, 900), PostedMessage(9, 901))
    assert await store.export_user_data(ALICE) == []
    assert await store.get(GUILD, theirs.id) == theirs


async def test_a_servers_reviews_are_deleted_with_the_server(store, show_id):
    await write(store, show_id, guild=GUILD)
    kept = await write(store, show_id, guild=OTHER_GUILD)
    assert await store.delete_guild_data(GUILD) == 1
    assert (await store.list_for_show(GUILD, show_id)).items == []
    assert await store.get(OTHER_GUILD, kept.id) == kept


async def test_reviews_written_at_the_same_moment_are_all_stored(store, show_id):
    reviews = await asyncio.gather(*(write(store, show_id, author=500 + i) for i in range(20)))
    assert len({r.id for r in reviews}) == 20
    assert (await store.summary(GUILD, show_id)).count == 20


async def test_a_database_from_before_reviews_upgrades_and_keeps_its_shows(tmp_path):
    everything = bundled_migrations()
    (reviews,) = [m for m in everything if m.name.endswith("_reviews.sql")]
    before = [m for m in everything if m.version < reviews.version]
    path = tmp_path / "old.db"
    async with await Database.open(path, before) as old:
        show_id = await ShowStore(old).add(Show("Old Show", catalog_key="old"))
    async with await Database.open(path) as db:
        assert (await ShowStore(db).get(show_id)).title == "Old Show"
        review = await write(ReviewStore(db), show_id)
        assert (await ReviewStore(db).get(GUILD, review.id)).show_id == show_id


async def test_the_schema_refuses_a_review_of_an_unknown_show_or_grade(store, show_id, db):
    with pytest.raises(sqlite3.IntegrityError):
        await write(store, show_id + 999)

    async def bad_grade(conn):
        await conn.execute(
            "INSERT INTO reviews (guild_id, author_id, show_id, grade, headline, spoiler_free, created_at)"
            " VALUES (1, 1, ?, 'E', 'h', 'c', '2026-01-01T00:00:00.000000+00:00')",
            (show_id,),
        )

    with pytest.raises(sqlite3.IntegrityError):
        await db.write(bad_grade)


async def test_the_summary_follows_every_review_added_or_removed_between_reads(store, show_id):
    counts = []

    async def count():
        counts.append((await store.summary(GUILD, show_id)).count)

    await count()
    first = await write(store, show_id)
    await count()
    await write(store, show_id, author=BOB, grade=Grade.C)
    await count()
    await store.delete(GUILD, first.id, by_user_id=ALICE, manage_messages=False)
    await count()
    await write(store, show_id, author=ALICE)
    await store.delete_user_data(BOB)
    await count()
    await store.delete_guild_data(GUILD)
    await count()
    assert counts == [0, 1, 2, 1, 1, 0]


async def test_a_summary_read_while_a_review_is_added_is_not_kept(store, show_id):
    import asyncio

    reading = asyncio.create_task(store.summary(GUILD, show_id))
    await write(store, show_id)
    await reading
    assert (await store.summary(GUILD, show_id)).count == 1


async def test_a_review_read_between_writes_is_always_the_stored_one(store, show_id):
    review = await write(store, show_id)
    assert (await store.get(GUILD, review.id)).messages == ()
    await store.set_messages(GUILD, review.id, [PostedMessage(5, 50), PostedMessage(5, 51)])
    assert [m.message_id for m in (await store.get(GUILD, review.id)).messages] == [50, 51]
    await store.edit_text(GUILD, review.id, ALICE, ReviewText("Better", "Still no spoilers.", "He saves them all."))
    assert (await store.get(GUILD, review.id)).text.headline == "Better"
    assert await store.get(OTHER_GUILD, review.id) is None
    await store.delete(GUILD, review.id, by_user_id=ALICE, manage_messages=False)
    assert await store.get(GUILD, review.id) is None
