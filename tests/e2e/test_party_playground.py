"""`watch-companion try --script` runs a watch-party evening as new members would type it, mistakes included."""

import pytest

from tests.e2e.test_playground import run_script

pytestmark = pytest.mark.e2e

PARTY_SCRIPT = [
    "/party create title:The Trauma Code name:Friday Trauma",
    "expect started the watch party “Friday Trauma”",
    "click Check in",
    "expect You're checked in for ep 1/8",
    "as bob",
    "/party join name:Frday Trauma",
    "expect There is no open party called “Frday Trauma” in this server. Open parties: Friday Trauma.",
    "complete /party join name:fri",
    "/party join name:Friday Trauma",
    "/party next name:Friday Trauma",
    "expect Only the host of “Friday Trauma” or a member with Manage Events can do that.",
    "as alice",
    "/party next name:Friday Trauma",
    "expect Progress moved for @alice.",
    "/party schedule name:Friday Trauma when:half past nine timezone:Asia/Seoul",
    "expect I couldn't read",
    "/party schedule name:Friday Trauma when:20:00 timezone:Mars/Olympus",
    "expect is not a time zone I know",
    "/party schedule name:Friday Trauma when:tomorrow 21:00 timezone:Asia/Seoul",
    "expect ep 2/8 of The Trauma Code",
    "as bob",
    "click Check in",
    "/party status name:Friday Trauma",
    "expect @bob: not started ✅ checked in",
    "/party create title:The Trauma Code name:@everyone **loud**",
    # Shown as typed (the renderer reads the escapes as Discord does) and inert: a zero-width space breaks the ping.
    "expect @\u200beveryone **loud**",
    "as alice",
    "/party end name:Friday Trauma",
    "expect has ended at ep 1/8",
]


def test_a_party_evening_runs_in_the_playground(tmp_path):
    result = run_script(tmp_path, PARTY_SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "  Friday Trauma" in result.stdout  # the autocomplete suggestion
    assert "/party schedule name when [timezone]" not in result.stdout  # help was not needed
