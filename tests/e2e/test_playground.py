"""`watch-companion try --script`: what a new user runs first, as a subprocess."""

import io
import os
import signal
import subprocess
import sys

import pytest

from bot.playground.session import PlaygroundSession

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


def test_output_into_a_closed_pipe_stops_quietly(tmp_path):
    """`watch-companion try | head -3` once head has gone: no traceback, no complaint at exit, non-zero."""
    script = tmp_path / "demo.txt"
    script.write_text("/about\n/drama info title:Goblin\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "try", "--script", str(script)],
            cwd=tmp_path,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert without_spec_notice(result.stderr) == ""


def without_spec_notice(stderr: str) -> str:
    """Standard error less the one line that says the OpenAPI check was skipped (a clone without ../shared)."""
    skipped = "Discord's OpenAPI description could not be read at"
    return "".join(line for line in stderr.splitlines(keepends=True) if skipped not in line)


async def session_lines(live, *lines):
    """Each line through a playground session on the live bot: (ok, what it printed) per line."""
    out = io.StringIO()
    session = PlaygroundSession(live, out)
    results = []
    for line in lines:
        start = out.tell()
        ok = await session.run(line)
        results.append((ok, out.getvalue()[start:]))
    return results


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/drama episodes title:Goblin season:abc", "! option season takes a whole number, not 'abc'"),
        ("/drama episodes title:Goblin season:1.5", "! option season takes a whole number, not '1.5'"),
        ("/drama episodes title:Goblin season:", "! option season was left empty; type a value after season:"),
        ("/drama episodes title:Goblin season:" + "9" * 10_000, "! option season: 999"),
        ("/drama info title:Goblin color:red", "! no option 'color'; this command takes: title"),
        ("/drama info titl:Goblin", "! no option 'titl' (did you mean title?); this command takes: title"),
        ("/drama info title:" + "x" * 10_000, "! option title: length must be between 1 and 200"),
        ("/" + "x" * 10_000, "! unknown command /xxxx"),
    ],
)
async def test_a_typed_mistake_is_one_line_and_the_session_goes_on(live, line, said):
    (ok, printed), (next_ok, next_printed) = await session_lines(live, line, "/drama info title:Goblin")
    assert not ok
    assert printed.startswith(said), printed
    assert len(printed.splitlines()) == 1, printed
    assert len(printed) < 300, "an error line never repeats a long input in full"
    assert next_ok, next_printed
    assert "Guardian" in next_printed


async def test_a_lone_surrogate_typed_in_the_playground_gets_a_reply(live):
    [(ok, printed)] = await session_lines(live, "/drama info title:\ud800")
    assert ok, printed
    assert printed.startswith("(only you can see this)\n"), printed
    assert "something went wrong" not in printed


def typed_forms(command):
    """``/drama episodes title [season]`` for each leaf of a synced command."""
    subs = [o for o in command.get("options") or [] if o["type"] in (1, 2)]
    if subs:
        return [f"/{command['name']} {form[1:]}" for sub in subs for form in typed_forms(sub)]
    words = [o["name"] if o.get("required") else f"[{o['name']}]" for o in command.get("options") or []]
    return [" ".join([f"/{command['name']}", *words])]


async def test_help_says_only_what_exists(live):
    [(ok, printed)] = await session_lines(live, "help")
    assert ok
    listed = {line.strip() for line in printed.splitlines() if line.startswith("  /")}
    synced = {form for command in live.sandbox.driver.commands() for form in typed_forms(command)}
    assert listed == synced
    assert "/drama episodes title [season]" in listed
    example = next(line.split("e.g. ", 1)[1] for line in printed.splitlines() if "e.g. " in line)
    [(example_ok, example_printed)] = await session_lines(live, example)
    assert example_ok, example_printed


async def test_long_arguments_to_playground_verbs_are_not_echoed_in_full(live):
    long = "x" * 10_000
    results = await session_lines(
        live,
        "/drama episodes title:Jewel in the Palace",
        f"click {long}",
        f"select {long}",
        f"as {long}",
        f"expect {long}",
        f"fill {long}=1",
        f"complete /drama info title:{long}",
    )
    assert results[0][0], results[0][1]
    for ok, printed in results[1:6]:
        assert not ok
        assert printed.startswith("! "), printed
        assert len(printed) < 400, printed[:400]
    assert "no button 'xxxx" in results[1][1]
    assert len(results[6][1]) < 400


def start_interactive(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "try"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_until(process, marker):
    seen = b""
    while marker not in seen:
        chunk = os.read(process.stdout.fileno(), 4096)
        assert chunk, f"the playground stopped before {marker!r}: {seen.decode(errors='replace')}"
        seen += chunk
    return seen.decode()


def test_the_prompt_reads_typed_lines_until_quit(tmp_path):
    process = start_interactive(tmp_path)
    stdout, stderr = process.communicate(b"/about\nas bob\nquit\n", timeout=120)
    assert process.returncode == 0, stderr
    text = stdout.decode()
    assert "alice> " in text
    assert "Bundled catalogue: 42 dramas" in text
    assert "(you are now bob)" in text
    assert "Traceback" not in stderr.decode()


def test_ctrl_c_at_the_prompt_leaves_at_once(tmp_path):
    """Ctrl-C while the prompt waits for a line: exit 130 without waiting for Enter (stdin stays open)."""
    process = start_interactive(tmp_path)
    try:
        read_until(process, b"alice> ")
        process.send_signal(signal.SIGINT)
        # A hang guard, not a timing: the old prompt thread kept the process alive until a line arrived.
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdin.close()
    stderr = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    assert code == 130
    assert without_spec_notice(stderr) == ""


def test_a_review_journey_with_fill_and_reveal(tmp_path):
    result = run_script(
        tmp_path,
        [
            "/review write title:The Trauma Code grade:A+ spoilers_through:8",
            "fill Headline=Heroes on call | Spoiler-free part=Ju Ji Hoon is superb. | Spoilers=He dies in `ep 8` sadly",
            "expect Posted your review #1",
            "as bob",
            "/review show id:1",
            "click Reveal",
            "expect You have not recorded any progress",
            "click Show anyway",
            "expect He dies in `ep 8` sadly",
        ],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    shown = result.stdout.split("bob> /review show id:1", 1)[1].split("bob> click Reveal", 1)[0]
    assert "Ju Ji Hoon is superb." in shown
    assert "He dies" not in shown
    assert "[spoiler hidden]" in shown
