"""The console script as a new user meets it: clear one-line errors, never a traceback."""

import asyncio
import os
import socket
import subprocess
import sys
from asyncio.subprocess import PIPE

import pytest

from bot.sandbox import SandboxServer


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


# ----- run and sync when Discord cannot be reached or refuses the token -----

BOT_TOKEN = "abcdefghijklmnopqrstuvwx.sandbox-cli-test"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_async(args, env_extra, cwd):
    """The CLI as a child process while this test's event loop keeps serving (a sandbox, a bad server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "LOG_", "DEV_GUILD"))}
    env.update({"OFFLINE": "1", "LOG_LEVEL": "WARNING", **env_extra})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd, stdout=PIPE, stderr=PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stdout.decode(), stderr.decode()


def one_error_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_a_closed_discord_api_base_port_is_one_line(tmp_path, command):
    port = closed_port()
    env = {"DISCORD_TOKEN": BOT_TOKEN, "DISCORD_API_BASE": f"http://127.0.0.1:{port}"}
    code, _, stderr = await run_async([command], env, tmp_path)
    assert code == 1
    line = one_error_line(stderr)
    assert line.startswith(f"watch-companion: could not reach http://127.0.0.1:{port} (connection refused")
    assert "DISCORD_API_BASE" in line


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_a_discord_that_hangs_up_is_one_line(tmp_path, command):
    async def hang_up(reader, writer):
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        env = {"DISCORD_TOKEN": BOT_TOKEN, "DISCORD_API_BASE": f"http://127.0.0.1:{port}"}
        code, _, stderr = await run_async([command], env, tmp_path)
    finally:
        server.close()
        await server.wait_closed()
    assert code == 1
    line = one_error_line(stderr)
    assert line.startswith(f"watch-companion: could not reach http://127.0.0.1:{port} (it closed the connection")


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_a_token_discord_refuses_is_one_line(tmp_path, command):
    async with SandboxServer() as sandbox:
        env = {"DISCORD_TOKEN": BOT_TOKEN, "DISCORD_API_BASE": sandbox.url}
        code, _, stderr = await run_async([command], env, tmp_path)
        assert sandbox.requests, "the CLI asked the sandbox"
    assert code == 2
    assert "Discord rejected DISCORD_TOKEN" in one_error_line(stderr)


# ----- try: a script that cannot be read -----


def test_a_script_that_is_not_utf8_is_one_line(tmp_path):
    script = tmp_path / "latin1.txt"
    script.write_bytes("/about\n/drama info title:Caf\u00e9\n".encode("latin-1"))
    result = run(["try", "--script", str(script)], cwd=tmp_path)
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert line == f"watch-companion: {script} is not UTF-8 text (line 2, byte 0xe9); save it as UTF-8 and try again"


def test_a_missing_script_is_one_line(tmp_path):
    result = run(["try", "--script", str(tmp_path / "nope.txt")], cwd=tmp_path)
    assert result.returncode == 2
    assert one_error_line(result.stderr) == f"watch-companion: no such script: {tmp_path / 'nope.txt'}"
