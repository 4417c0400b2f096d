"""The text renderer and the payload rules on their own, without a bot."""

from __future__ import annotations

from bot.sandbox import rules
from bot.sandbox.render import render_message, render_modal, render_text
from bot.sandbox.state import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    MANAGE_GUILD,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Member,
    Overwrite,
    Role,
    permissions_in,
)


def test_spoilers_are_hidden_unless_revealed():
    text = "Grade A+. ||He survives the finale.|| Watch it."
    assert render_text(text) == "Grade A+. [spoiler hidden] Watch it."
    assert render_text(text, reveal_spoilers=True) == "Grade A+. He survives the finale. Watch it."


def test_spoiler_markup_inside_code_is_literal():
    assert render_text("`||not a spoiler||` and ||one||") == "`||not a spoiler||` and [spoiler hidden]"
    assert render_text("```\n||code||\n```") == "```\n||code||\n```"


def test_multiline_spoiler_and_timestamps():
    assert render_text("||line one\nline two||") == "[spoiler hidden]"
    assert render_text("<t:0:d>") == "1970-01-01 UTC"
    assert render_text("<t:86400>") == "02 January 1970 00:00 UTC"


def test_mentions_are_named_when_known():
    names = {"<@1>": "@alice", "<@&2>": "@Fans", "<#3>": "#general"}
    assert render_text("<@!1> <@&2> <#3> <@9>", names=names) == "@alice @Fans #general <@9>"


def test_message_with_embed_fields_and_components():
    message = {
        "content": "Here is your drama",
        "flags": 64,
        "embeds": [
            {
                "author": {"name": "alice"},
                "title": "The Trauma Code: Heroes On Call",
                "url": "https://example.invalid/show/1",
                "description": "중증외상센터 (2025)\n||Spoiler line||",
                "fields": [
                    {"name": "Episodes", "value": "8", "inline": True},
                    {"name": "Cast", "value": "Ju Ji-hoon as Baek Kang-hyuk"},
                ],
                "footer": {"text": "Source: TVmaze"},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "Reveal", "custom_id": "review:reveal:1"},
                    {"type": 2, "style": 2, "label": "Next", "custom_id": "page:2", "disabled": True},
                    {"type": 2, "style": 5, "label": "TVmaze", "url": "https://example.invalid"},
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "season",
                        "placeholder": "Season",
                        "options": [
                            {"label": "Season 1", "value": "1", "default": True},
                            {"label": "Season 2", "value": "2"},
                        ],
                    }
                ],
            },
        ],
    }
    assert render_message(message).splitlines() == [
        "(only you can see this)",
        "Here is your drama",
        "| alice",
        "| ** The Trauma Code: Heroes On Call ** <https://example.invalid/show/1>",
        "| 중증외상센터 (2025)",
        "| [spoiler hidden]",
        "| - Episodes (inline):",
        "|     8",
        "| - Cast:",
        "|     Ju Ji-hoon as Baek Kang-hyuk",
        "| -- Source: TVmaze",
        "[ Reveal ] (primary) [ Next ] (disabled) [ TVmaze ] (-> https://example.invalid)",
        "< Season: Season 1 * | Season 2 >",
    ]
    assert "| Spoiler line" in render_message(message, reveal_spoilers=True).splitlines()


def test_components_v2_text_and_spoiler_container():
    message = {
        "flags": 1 << 15,
        "components": [
            {"type": 10, "content": "Review by alice"},
            {"type": 17, "spoiler": True, "components": [{"type": 10, "content": "the ending"}]},
        ],
    }
    assert render_message(message) == "Review by alice\n[ [spoiler hidden] ]"
    assert render_message(message, reveal_spoilers=True) == "Review by alice\n> the ending"


def test_modal_outline():
    modal = {
        "title": "Write a review",
        "custom_id": "review",
        "components": [
            {
                "type": 1,
                "components": [{"type": 4, "custom_id": "h", "label": "Headline", "style": 1, "max_length": 100}],
            },
            {
                "type": 18,
                "label": "Spoilers",
                "component": {"type": 4, "custom_id": "s", "style": 2, "required": False},
            },
        ],
    }
    assert render_modal(modal) == "== Write a review ==\nHeadline * (short, max 100)\nSpoilers (paragraph)"


def test_allowed_mentions_semantics():
    content = "@everyone <@1> <@!2> <@&3> @here"
    everything = rules.resolve_mentions(content, None)
    assert (everything.user_ids, everything.role_ids, everything.everyone, everything.here) == (
        (1, 2),
        (3,),
        True,
        True,
    )
    nothing = rules.resolve_mentions(content, {"parse": []})
    assert not nothing.any
    users_only = rules.resolve_mentions(content, {"parse": ["users"]})
    assert (users_only.user_ids, users_only.role_ids, users_only.everyone) == ((1, 2), (), False)
    listed = rules.resolve_mentions(content, {"parse": ["everyone"], "users": ["2"], "roles": ["3"]})
    assert (listed.user_ids, listed.role_ids, listed.everyone, listed.here) == ((2,), (3,), True, True)
    clash = rules.check_allowed_mentions({"parse": ["users"], "users": ["1"]})
    assert [p.code for p in clash] == ["ALLOWED_MENTIONS_PARSE_EXCLUSIVE"]


def test_message_limits():
    assert rules.check_message({"content": "x" * 2000}, creating=True) == []
    [problem] = rules.check_message({"content": "x" * 2001}, creating=True)
    assert problem.path == ("content",)
    assert [p.code for p in rules.check_message({}, creating=True)] == ["EMPTY_MESSAGE"]
    assert rules.check_message({}, creating=False) == []
    eleven = [{"description": "d"}] * 11
    assert ("embeds",) in {p.path for p in rules.check_message({"embeds": eleven}, creating=True)}
    fields = [{"name": "n", "value": "v"}] * 26
    assert ("embeds", 0, "fields") in {p.path for p in rules.check_embeds([{"fields": fields}])}
    six_buttons = [{"type": 2, "style": 1, "label": str(i), "custom_id": str(i)} for i in range(6)]
    problems = rules.check_components([{"type": 1, "components": six_buttons}])
    assert [p.path for p in problems] == [("components", 0, "components")]
    twins = [{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "a"}] * 2}]
    assert "COMPONENT_CUSTOM_ID_DUPLICATED" in {p.code for p in rules.check_components(twins)}


def test_embed_total_counts_every_text_part():
    embed = {
        "title": "t" * 256,
        "description": "d" * 4096,
        "fields": [{"name": "n" * 256, "value": "v" * 1024}],
        "footer": {"text": "f" * 300},
        "author": {"name": "a" * 100},
    }
    assert rules.embed_text_length(embed) == 256 + 4096 + 256 + 1024 + 300 + 100
    assert "MAX_EMBED_SIZE_EXCEEDED" in {p.code for p in rules.check_embeds([embed])}


def test_autocomplete_and_modal_rules():
    ok = {"choices": [{"name": "A", "value": "a"}]}
    assert rules.check_autocomplete(ok) == []
    bad = {"choices": [{"name": "", "value": "a"}, {"name": "n" * 101, "value": "v" * 101}] * 13}
    codes = {(p.path[-1], p.code) for p in rules.check_autocomplete(bad)}
    assert ("choices", "BASE_TYPE_MAX_LENGTH") in codes
    assert ("name", "BASE_TYPE_BAD_LENGTH") in codes
    assert ("value", "BASE_TYPE_MAX_LENGTH") in codes
    text_input = {"type": 4, "custom_id": "x", "label": "l" * 46, "style": 1, "max_length": 4001}
    modal = {"title": "t" * 46, "custom_id": "m", "components": [{"type": 1, "components": [text_input]}] * 6}
    paths = {p.path for p in rules.check_modal(modal)}
    assert ("data", "title") in paths
    assert ("data", "components") in paths
    assert ("data", "components", 0, "components", 0, "label") in paths
    assert ("data", "components", 0, "components", 0, "max_length") in paths


def test_form_errors_nest_like_discord():
    problems = [rules.Problem(("embeds", 0, "title"), "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")]
    assert rules.form_errors(problems) == {
        "embeds": {
            "0": {
                "title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]}
            }
        }
    }


def test_permissions_follow_roles_administrator_and_overwrites():

    guild = Guild(id=1, name="g", owner_id=99)
    guild.roles[1] = Role(id=1, guild_id=1, name="@everyone", permissions=VIEW_CHANNEL | SEND_MESSAGES)
    guild.roles[2] = Role(id=2, guild_id=1, name="Mods", permissions=MANAGE_GUILD)
    guild.roles[3] = Role(id=3, guild_id=1, name="Admins", permissions=ADMINISTRATOR)
    guild.members[10] = Member(user_id=10, guild_id=1)
    guild.members[11] = Member(user_id=11, guild_id=1, roles=[2])
    guild.members[12] = Member(user_id=12, guild_id=1, roles=[3])
    guild.members[99] = Member(user_id=99, guild_id=1)
    quiet = Channel(id=5, type=0, name="quiet", guild_id=1)
    quiet.overwrites = [
        Overwrite(id=1, type=0, deny=SEND_MESSAGES),
        Overwrite(id=2, type=0, allow=SEND_MESSAGES),
        Overwrite(id=10, type=1, deny=VIEW_CHANNEL),
    ]
    assert permissions_in(guild, 10, None) == VIEW_CHANNEL | SEND_MESSAGES
    assert permissions_in(guild, 11, None) == VIEW_CHANNEL | SEND_MESSAGES | MANAGE_GUILD
    assert permissions_in(guild, 12, None) == ALL_PERMISSIONS
    assert permissions_in(guild, 99, quiet) == ALL_PERMISSIONS
    assert permissions_in(guild, 10, quiet) == 0
    assert permissions_in(guild, 11, quiet) & SEND_MESSAGES
    assert permissions_in(guild, 12, quiet) == ALL_PERMISSIONS
    assert permissions_in(guild, 404, quiet) == 0
