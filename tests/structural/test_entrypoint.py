"""The console script as a new user meets it: clear one-line errors, never a traceback."""

import os
import subprocess
import sys


def run(args, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "LOG_", "DEV_GUILD"))}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_run_without_a_token_says_what_to_set_and_exits_2(tmp_path):
    result = run(["run"], cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DISCORD_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_default_command_is_run(tmp_path):
    result = run([], cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr


def test_an_invalid_setting_names_the_variable(tmp_path):
    result = run(["run"], {"POLL_INTERVAL_MINUTES": "often"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "POLL_INTERVAL_MINUTES" in result.stderr
    assert "positive number of minutes" in result.stderr
    assert "Traceback" not in result.stderr


def test_dotenv_in_the_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text("LOG_LEVEL=shouting\n")
    result = run(["run"], cwd=tmp_path)
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr


def test_catalog_stats_and_import_report_bad_rows_by_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    csv_file = tmp_path / "extra.csv"
    csv_file.write_text(
        "title,native_title,year,platform,episodes\n"
        "Imported Drama One,수입 드라마,2021,Netflix,12\n"
        ",빈 제목,2020,tvN,16\n"
        "Imported Drama Two,,2019,,8\n",
        encoding="utf-8",
    )
    imported = run(["catalog", "import", str(csv_file)], {"DATABASE_URL": db}, cwd=tmp_path)
    assert imported.returncode == 1
    assert f"{csv_file}:3:" in imported.stderr
    assert "imported 2 shows; 1 rows rejected" in imported.stdout
    stats = run(["catalog", "stats"], {"DATABASE_URL": db}, cwd=tmp_path)
    assert stats.returncode == 0
    assert "import: 2" in stats.stdout
