"""``watch-companion catalog link``: a server owner's way to set a show's TVmaze record from the shell."""

import asyncio

from bot.db.database import Database
from bot.db.shows import ShowStore
from tests.fakes.tvmaze import FakeTvmaze
from tests.structural.test_entrypoint import run


def stored_link(path):
    async def read():
        async with await Database.open(path) as db:
            store = ShowStore(db)
            (show_id,) = [i for i in range(1, 200) if (s := await store.get(i)) and s.title.startswith("The Trauma")]
            return (await store.get(show_id)).tvmaze_id, await store.tvmaze_link(show_id)

    return asyncio.run(read())


def test_catalog_link_by_url_offline_then_corrected_by_id(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "OFFLINE": "1"}
    linked = run(["catalog", "link", "The Trauma Code", "https://www.tvmaze.com/shows/77/the-trauma-code"], env)
    assert linked.returncode == 0, linked.stderr
    assert "to TVmaze show 77; not checked: OFFLINE is set" in linked.stdout
    corrected = run(["catalog", "link", "중증외상센터", "78"], env)
    assert corrected.returncode == 0, corrected.stderr
    tvmaze_id, (link_id, method, _) = stored_link(tmp_path / "cli.db")
    assert (tvmaze_id, link_id, method) == (78, 78, "manual")


def test_catalog_link_refuses_nonsense_in_one_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "OFFLINE": "1"}
    for args in (["The Trauma Code", "javascript:alert(1)"], ["Zzqx No Such Show", "5"]):
        result = run(["catalog", "link", *args], env)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


async def test_catalog_link_online_checks_the_id_with_tvmaze(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    async with FakeTvmaze() as fake:
        env["TVMAZE_BASE_URL"] = fake.url
        known = await asyncio.to_thread(run, ["catalog", "link", "The Trauma Code", "900001"], env)
        unknown = await asyncio.to_thread(run, ["catalog", "link", "The Trauma Code", "999999"], env)
    assert known.returncode == 0, known.stderr
    assert "TVmaze calls it 'Golden Hour Ward' (2025)" in known.stdout
    assert unknown.returncode == 2
    assert "TVmaze has no show 999999" in unknown.stderr
