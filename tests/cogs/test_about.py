from cogs.about import FEATURES, version
from tests.cogs.fakes import embed_text, fake_interaction, sent


async def test_about_counts_the_stored_shows_and_claims_only_what_exists(offline_bot):
    cog = offline_bot.get_cog("About")
    interaction = fake_interaction(offline_bot)
    await cog.about.callback(cog, interaction)
    reply = sent(interaction)
    assert reply["ephemeral"] is True
    text = embed_text(reply["embed"])
    stored = sum((await offline_bot.lookup.count_by_source()).values())
    assert stored >= 40
    assert f"Shows known: {stored}" in text
    assert f"Bundled catalogue: {stored} dramas" in text
    assert f"Version: {version()}" in text
    assert "offline mode" in text
    # Every feature it names is a command group the bot really registers, and every group is named.
    groups = {c.name for c in offline_bot.tree.get_commands()} - {"about"}
    claimed = {group for group, _ in FEATURES}
    assert claimed == groups
    for group in groups:
        assert f"`/{group}`" in text
