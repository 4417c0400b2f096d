from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError

TOKEN = "fake-bot-token-for-tests-only-0123456789abcdef"


def test_defaults_when_nothing_is_set():
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.database_path == Path("watch-companion.db")
    assert settings.tvmaze_base_url == "https://api.tvmaze.com"
    assert settings.offline is False
    assert settings.poll_interval_minutes == 60
    assert settings.discord_api_base is None
    assert settings.log_level == "INFO"


def test_values_are_parsed():
    settings = Settings.from_env(
        {
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_URL": "sqlite:////tmp/x/bot.db",
            "DEV_GUILD_ID": "123456789012345678",
            "OFFLINE": "yes",
            "POLL_INTERVAL_MINUTES": "0.02",
            "DISCORD_API_BASE": "http://127.0.0.1:9999/",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.token == TOKEN
    assert settings.database_path == Path("/tmp/x/bot.db")
    assert settings.dev_guild_id == 123456789012345678
    assert settings.offline is True
    assert settings.poll_interval_minutes == pytest.approx(0.02)
    assert settings.discord_api_base == "http://127.0.0.1:9999"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value", "expects"),
    [
        ("POLL_INTERVAL_MINUTES", "soon", "positive number of minutes"),
        ("POLL_INTERVAL_MINUTES", "-5", "positive number of minutes"),
        ("POLL_INTERVAL_MINUTES", "nan", "positive number of minutes"),
        ("DEV_GUILD_ID", "my-server", "Discord server id"),
        ("OFFLINE", "maybe", "true or false"),
        ("TVMAZE_BASE_URL", "api.tvmaze.com", "http:// or https:// URL"),
        ("DISCORD_API_BASE", "ftp://example", "http:// or https:// URL"),
        ("LOG_LEVEL", "loud", "one of CRITICAL"),
        ("DATABASE_URL", "postgresql://db/watch", "sqlite:///"),
        ("DISCORD_TOKEN", "has a space in it and more", "bot token"),
    ],
)
def test_bad_values_name_the_variable_and_what_it_expects(name, value, expects):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value})
    assert name in str(caught.value)
    assert expects in str(caught.value)


def test_repr_never_shows_the_token():
    settings = Settings.from_env({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert "token=<set>" in repr(settings)


@pytest.mark.parametrize(
    "url", ["sqlite:///x.db?mode=ro", "sqlite:///data/bot.db?cache=shared&mode=rwc", "bot.db#main"]
)
def test_a_database_url_with_options_is_refused_not_taken_as_a_file_name(url):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"DATABASE_URL": url})
    assert "DATABASE_URL" in str(caught.value)
    assert "without options" in str(caught.value)


def test_an_in_memory_database_is_recognised():
    assert Settings.from_env({"DATABASE_URL": "sqlite:///:memory:"}).database_in_memory
    assert not Settings.from_env({}).database_in_memory


def test_catalog_refresh_seconds():
    assert Settings.from_env({}).catalog_refresh_seconds == 30
    assert Settings.from_env({"CATALOG_REFRESH_SECONDS": "0.5"}).catalog_refresh_seconds == 0.5
    with pytest.raises(SettingsError, match="CATALOG_REFRESH_SECONDS expects a positive number of seconds"):
        Settings.from_env({"CATALOG_REFRESH_SECONDS": "0"})
