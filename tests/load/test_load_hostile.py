"""Issue 20: includes stay in the plan's folder; only regular files are read; odd names are located problems."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import HEADER

from campaignflow.errors import PlanError
from campaignflow.load import load_plan

SECRET = "tok_9f8e7d6c5b4a"


@pytest.fixture(autouse=True)
def _never_hang():
    # A FIFO or a device used to block the loader for ever: fail the test instead.
    def boom(*_):
        raise TimeoutError("the loader hung")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _plan(folder: Path, include: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plan.toml"
    path.write_text(HEADER.replace("end = 2020-12-31", f"end = 2020-12-31\ninclude = [{include}]"), encoding="utf-8")
    return path


def _fail(path: Path, plugins, **kwargs) -> PlanError:
    with pytest.raises(PlanError) as info:
        load_plan(path, plugins=plugins, **kwargs)
    return info.value


@pytest.fixture()
def secret(tmp_path):
    """A file outside the plan's folder holding a token, written as a line that is not TOML."""
    path = tmp_path / "outside" / "token.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET} is the token\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "tilde"])
def test_an_include_outside_the_plans_folder_is_refused_and_never_read(tmp_path, plugins, secret, how):
    folder = tmp_path / "plan"
    folder.mkdir()
    if how == "dotdot":
        include = '"../outside/token.txt"'
    elif how == "absolute":
        include = f'"{secret}"'
    elif how == "symlink":
        (folder / "innocent.toml").symlink_to(secret)
        include = '"innocent.toml"'
    else:
        include = '"~/token.txt"'
    error = _fail(_plan(folder, include), plugins)
    codes = {p.code for p in error.problems}
    assert codes == ({"file-not-found"} if how == "tilde" else {"include-outside"}), error.problems
    text = str(error) + "".join(p.message.en + p.message.zh for p in error.problems)
    assert SECRET not in text
    if how != "tilde":
        (p,) = error.problems
        assert (p.location.line, p.location.key_path) == (7, "campaign.include[0]")


def test_an_allowed_folder_may_be_included_from(tmp_path, plugins):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "units.toml").write_text('[units.ah]\nname = "安徽省"\n', encoding="utf-8")
    main = _plan(tmp_path / "plan", f'"{shared / "units.toml"}"')
    assert _fail(main, plugins).problems[0].code == "include-outside"
    assert "ah" in load_plan(main, plugins=plugins, include_roots=[shared]).units
    # Inside the plan's own folder (a sub-folder too) needs nothing.
    (tmp_path / "plan" / "sub").mkdir()
    (tmp_path / "plan" / "sub" / "u.toml").write_text('[units.hf]\nname = "合肥市"\n', encoding="utf-8")
    assert "hf" in load_plan(_plan(tmp_path / "plan", '"sub/u.toml"'), plugins=plugins).units


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_plan_or_include_is_a_located_problem_at_once(tmp_path, plugins):
    fifo = tmp_path / "plan" / "pipe.toml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    (p,) = _fail(fifo, plugins).problems
    assert p.code == "not-a-file" and "regular file" in p.message.en
    (p,) = _fail(_plan(tmp_path / "plan", '"pipe.toml"'), plugins).problems
    assert p.code == "not-a-file" and p.location.key_path == "campaign.include[0]"


def test_dev_stdin_and_a_nul_byte_in_an_include_are_problems(tmp_path, plugins):
    (p,) = _fail(_plan(tmp_path / "a", '"/dev/stdin"'), plugins).problems
    assert p.code == "include-outside"
    (p,) = _fail(_plan(tmp_path / "b", '"x\\u0000.toml"'), plugins).problems
    assert p.location.key_path == "campaign.include[0]"
    if Path("/dev/null").exists():
        (p,) = _fail(Path("/dev/null"), plugins).problems
        assert p.code == "not-a-file"


def _bomb(n_units: int, times: int) -> str:
    units = "".join(f'[units.v{i}]\nname = "村{i}"\nkind = "village"\n' for i in range(n_units))
    return (HEADER + units + '[groups.villages]\nkind = "village"\n'
            f'[templates.visit]\nfor_each = "villages"\nrepeat = {{ every = "week", times = {times} }}\n'
            '[templates.visit.task]\ntitle = "走访{unit.name}"\nlead = "{unit}"\n')


def test_an_expansion_bomb_is_refused_at_the_template_with_the_count(plugins):
    import time

    began = time.perf_counter()
    with pytest.raises(PlanError) as info:
        load_plan(_bomb(2000, 1000), plugins=plugins, max_tasks=100_000)
    elapsed = time.perf_counter() - began
    (p,) = info.value.problems
    assert p.code == "too-many-tasks" and p.location.key_path == "templates.visit"
    assert "2000000" in p.message.en and "100000" in p.message.en and "2000000" in p.message.zh
    assert elapsed < 5, elapsed  # counted, not expanded
    # Below the bound it loads, and every occurrence is there.
    campaign = load_plan(_bomb(20, 5), plugins=plugins, max_tasks=100)
    assert len(campaign.tasks) == 100
    with pytest.raises(PlanError, match="expand to 100 tasks, more than the limit of 99"):
        load_plan(_bomb(20, 5), plugins=plugins, max_tasks=99)
