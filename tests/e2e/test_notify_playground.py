"""`watch-companion try --script` runs the /notify journey a new member would try offline: following an unlinked
show is refused with the reason, a manager links it, members follow, list and unfollow; nonsense is one line."""

import pytest

from tests.e2e.test_playground import run_script

pytestmark = pytest.mark.e2e


def test_the_notify_journey_runs_in_the_playground(tmp_path):
    result = run_script(
        tmp_path,
        [
            "/notify follow title:The Trauma Code",
            "expect TVmaze is switched off here (offline mode)",
            "/notify link title:The Trauma Code tvmaze:https://www.tvmaze.com/shows/77/the-trauma-code",
            "expect Linked **The Trauma Code: Heroes On Call** to TVmaze show 77.",
            "/notify follow title:Truama Code mode:Every episode",
            "expect Following **The Trauma Code: Heroes On Call**: every episode.",
            "as bob",
            "/notify link title:The Trauma Code tvmaze:5",
            "expect needs the Manage Server permission",
            "/notify unfollow title:The Trauma Code",
            "expect You don't follow",
            "as alice",
            "/notify link title:The Trauma Code tvmaze:javascript:alert(1)",
            "expect isn't a TVmaze show",
            "/notify list",
            "expect every episode",
            "/notify unfollow title:중증외상센터",
            "expect You no longer follow",
        ],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
