"""The playground runs the progress journey as a new member would type it, mistakes included."""

import pytest

from tests.e2e.test_playground import run_script

pytestmark = pytest.mark.e2e


def test_a_progress_journey_with_typos_and_nonsense(tmp_path):
    result = run_script(
        tmp_path,
        [
            "/settings timezone tz:seoul",
            "expect Your time zone is now Asia/Seoul",
            "/settings timezone tz:Mars/Olympus",
            "expect is not a time zone I know",
            "/progress set title:The Truama Code episode:3",
            "expect ep 3/8",
            "expect Added to your watchlist as watching.",
            "/progress next title:중증외상센터",
            "expect ep 4/8",
            "/progress set title:The Trauma Code episode:9",
            "expect There is no episode 9",
            "/progress set title:The Trauma Code episode:2 season:4",
            "expect has no season 4",
            "/progress set title:The Trauma Code episode:1 season:0",
            "expect special 1 marked as watched",
            "/progress set title:Zzqx Vvrk episode:1",
            "expect I couldn't find a drama called",
            "/progress next title:@everyone **bold** ||x||",
            # Shown as typed (the renderer reads escapes as Discord does), and the ping is broken.
            "expect “@\u200beveryone **bold** ||x||”",
            "/watchlist add title:Kingdom status:on_hold",
            "expect as on hold",
            "/drama info title:The Trauma Code",
            "expect @alice: ep 4/8",
            "as bob",
            "/progress show member:alice",
            "expect Progress of @alice",
            "/progress rewatch title:The Trauma Code",
            "expect nothing to rewatch",
            "help",
        ],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "something went wrong" not in result.stdout
    for usage in ("/progress set title episode [season]", "/watchlist show [member] [status]", "/settings timezone tz"):
        assert f"  {usage}\n" in result.stdout
