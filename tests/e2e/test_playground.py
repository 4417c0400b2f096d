"""`watch-companion try --script`: what a new user runs first, as a subprocess."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def run_script(tmp_path, lines):
    script = tmp_path / "demo.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "try", "--script", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_good_script_runs_offline_without_a_token(tmp_path):
    result = run_script(
        tmp_path,
        [
            "# comments and blank lines are skipped",
            "",
            "/drama info title:The Trauma Code",
            "expect Ju Ji Hoon as Baek Kang Hyuk",
            "complete /drama info title:ㅈㅈㅇㅅ",
            "/drama episodes title:Jewel in the Palace",
            "click Next ▶",
            "expect Page 2/6",
            "as bob",
            "/drama search query:Gangster",
            "expect matched nickname",
        ],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ju Ji Hoon as Baek Kang Hyuk" in result.stdout
    assert "The Trauma Code: Heroes On Call (2025)" in result.stdout
    assert "bob> /drama search query:Gangster" in result.stdout
    assert not (tmp_path / "watch-companion.db").exists(), "the playground keeps its data out of the working dir"


def test_a_failing_line_makes_the_script_exit_1(tmp_path):
    result = run_script(tmp_path, ["/drama nosuch title:x", "/drama info title:Goblin", "expect no such text"])
    assert result.returncode == 1
    assert "unknown" in result.stdout or "needs one of" in result.stdout
    assert "! line 1 failed" in result.stdout
    assert "! line 3 failed" in result.stdout
    assert "Guardian" in result.stdout
