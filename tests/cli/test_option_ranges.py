"""Every CLI option given an absurd value: exit 0, 1 or 2 with a short message, never a traceback or a hang.

The options are found by walking the command tree, so a new option is swept as soon as it
exists: a numeric or date option gets absurd numbers and dates, an output path a missing
folder, a directory and a full disk (/dev/full), an input path a missing file and a folder.
A text option must be listed here as carrying numbers (then it gets values of its own) or
as plain text, so a new one cannot slip past unswept.
"""

from __future__ import annotations

import signal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from campaignflow.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
PLAN = str(ROOT / "plugins" / "lanshan_stats_bureau" / "plan.toml")
DOCUMENT = str(ROOT / "plugins" / "lanshan_stats_bureau" / "document.txt")
TASK, UNIT = "bureau-leading-group", "stats-bureau"  # the plan's first task and its lead

NUMBERS = ["nan", "inf", "-inf", "-1", "1e400", "1" + "0" * 30, "-1" + "0" * 30, "abc", "0x10"]
DATES = ["9999-12-31", "0001-01-01", "99999-01-01", "2016-02-30", "nan"]
#: Text options that carry numbers or times, and the absurd values each gets.
NUMERIC_TEXT = {
    "--until": ["9999-12-31T23:59", "0001-01-01", "99999-01-01", "2016-02-30", "nan"],
    "--now": ["9999-12-31T23:59", "0001-01-01T00:00", "9999-12-31", "2016-13-01T00:00", "nan"],
    "--delay": [f"{TASK}=99999999d", f"{TASK}=nan", f"{TASK}=1{'0' * 30}d", f"{TASK}=-99999999d", f"{TASK}=inf",
                "nosuchtask=1d"],
    "--within": ["99999999d", "99999999wd", "1e400d", "nan", "-1d", "infd", "1" + "0" * 30 + "wd", "0h"],
    "--capacity": [f"{UNIT}=1{'0' * 21}", f"{UNIT}=-1", f"{UNIT}=nan", f"{UNIT}=0", f"{UNIT}=1e308"],
}
#: Text options that are names, codes or free text: nothing numeric to sweep.
PLAIN_TEXT = {"plans", "plan", "--scheduler", "document", "task", "--select", "--ignore", "--db", "--campaign", "--unit", "--state",
              "--as", "--person", "--reason", "--key", "--to", "--task", "--format", "--host",
              "for_unit", "--deputy", "--recipient", "--household"}
#: Path options a command writes, and ones it reads.
OUTPUTS, INPUTS = {"-o"}, {"--key-file", "--store-key-file", "--checkpoint"}


def _commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def _base(path: tuple[str, ...], tmp: Path) -> list[str]:
    """Arguments that make the command run, before the swept option."""
    db = ["--db", str(tmp / "run.db")]
    out = tmp / "out"
    return {
        ("validate",): ["validate", PLAN],
        ("simulate",): ["simulate", PLAN],
        ("report",): ["report", PLAN, "-o", str(out / "r.html")],
        ("export",): ["export", PLAN, "-o", str(out / "x.json")],
        ("draft",): ["draft", DOCUMENT],
        ("run", "init"): ["run", "init", PLAN, *db],
        ("run", "reassign"): ["run", "reassign", TASK, "--to", "district-fpb", "--as", "district", *db],
        ("run", "reject"): ["run", "reject", TASK, "--as", UNIT, "--reason", "r", *db],
        ("serve",): ["serve", PLAN, *db],
        ("run", "deputy"): ["run", "deputy", UNIT, "--deputy", "district-fpb", "--as", UNIT, *db],
        ("run", "request-extension"): ["run", "request-extension", TASK, "--as", UNIT, "--reason", "r", *db],
        ("run", "grant-extension"): ["run", "grant-extension", TASK, "--as", "district", *db],
        ("run", "refuse-extension"): ["run", "refuse-extension", TASK, "--as", "district", "--reason", "r", *db],
    }.get(path) or (["run", path[1], TASK, "--as", UNIT, *db] if path[1:] and path[1] in
                    ("start", "complete", "submit", "approve", "cancel") else [*path, *db])


def _cases(tmp: Path):
    for path, command in _commands():
        for param in command.params:
            if getattr(param, "is_flag", False) or isinstance(param.type, click.Choice):
                continue
            if isinstance(param, click.Option) and not param.expose_value:
                continue  # --lang, --plugins, --debug: handled by the group
            if not isinstance(param, click.Option):
                assert param.name in PLAIN_TEXT, f"{' '.join(path)} {param.name}: classify the argument in this test"
                continue
            name = param.opts[0]
            if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)):
                values = NUMBERS
            elif isinstance(param.type, click.DateTime):
                values = DATES
            elif name in NUMERIC_TEXT:
                values = NUMERIC_TEXT[name]
            elif name in OUTPUTS:
                values = [str(tmp / "missing" / "f"), str(tmp), *(["/dev/full"] if Path("/dev/full").exists() else [])]
            elif name in INPUTS:
                values = [str(tmp / "missing" / "f"), str(tmp)]
            else:
                assert name in PLAIN_TEXT, f"{' '.join(path)} {name}: classify the option in this test"
                continue
            for value in values:
                yield path, param, name, value


def _timeout(*_args):
    raise TimeoutError


def test_every_option_with_an_absurd_value_is_a_clear_exit(tmp_path):
    runner = CliRunner()
    (tmp_path / "out").mkdir()
    assert runner.invoke(cli, ["run", "init", PLAN, "--db", str(tmp_path / "run.db")]).exit_code == 0
    tried, refused, bad = 0, 0, []
    previous = signal.signal(signal.SIGALRM, _timeout)
    try:
        for path, param, name, value in _cases(tmp_path):
            if path == ("serve",):
                # A value serve accepts would start a server: only what the option refuses is tried.
                try:
                    param.type.convert(value, param, None)
                    continue
                except click.BadParameter:
                    pass
            args = [*_base(path, tmp_path), name, value]
            tried += 1
            signal.alarm(30)
            try:
                result = runner.invoke(cli, args, env={"COLUMNS": "100"})
            except TimeoutError:
                bad.append((args, "hangs (over 30 s)"))
                continue
            finally:
                signal.alarm(0)
            output = result.output or ""
            lines = [line for line in output.splitlines() if line.strip()]
            if isinstance(result.exception, TimeoutError):
                bad.append((args, "hangs (over 30 s)"))
            elif result.exit_code not in (0, 1, 2) or "Traceback" in output or "internal error" in output:
                bad.append((args, f"exit {result.exit_code}: {output[-300:]}"))
            elif result.exit_code == 2:
                refused += 1
                if len(lines) > 5 or not lines:
                    bad.append((args, f"exit 2 with {len(lines)} lines: {output[:300]}"))
    finally:
        signal.signal(signal.SIGALRM, previous)
    print(f"tried {tried} absurd option values, {refused} refused with exit 2")
    assert not bad, "\n".join(f"{' '.join(a)} -> {why}" for a, why in bad)
    assert tried > 150 and refused > 100


@pytest.mark.parametrize("args", [
    ["simulate", PLAN, "--runs", "50000000"],
    ["simulate", PLAN, "--runs", "100000000"],
    ["report", PLAN, "-o", "/tmp/never-written.html", "--runs", "100000000"],
])
def test_runs_that_would_not_fit_in_memory_are_refused_with_the_figure(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "GiB" in result.output and "at most" in result.output


@pytest.mark.parametrize("option", ["--reject-rate", "--min-probability", "--approval-days", "--time-limit"])
def test_nan_is_not_a_number_an_option_accepts(option):
    result = CliRunner().invoke(cli, ["simulate", PLAN, option, "nan"])
    assert result.exit_code == 2
    assert "finite" in result.output


def test_writing_into_a_missing_folder_or_a_full_disk_is_one_line(tmp_path):
    for target in (tmp_path / "missing" / "x.json", *([Path("/dev/full")] if Path("/dev/full").exists() else [])):
        result = CliRunner().invoke(cli, ["export", PLAN, "-o", str(target)])
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [result.output.strip()]
        assert str(target) in result.output


@pytest.mark.parametrize(("start", "end", "due"), [
    ("9999-12-01", "9999-12-31", "9999-12-31"),
    ("0001-01-01", "0001-01-31", "0001-01-31"),
    ("2016-01-01", "2016-12-31", '"@d + 99999999d"'),
    ("2016-01-01", "2016-12-31", "2200-01-01"),
])
@pytest.mark.parametrize("command", [["validate"], ["simulate"], ["export", "--format", "ics"], ["report", "-o", "r.html"]])
def test_plan_dates_near_the_calendar_ends_are_located_problems(tmp_path, monkeypatch, start, end, due, command):
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "plan.toml"
    plan.write_text(f'format = 1\n[campaign]\nid = "c"\nname = "x"\nstart = {start}\nend = {end}\n'
                    f'[campaign.dates]\nd = 2016-06-01\n[units.u]\nname = "u"\n'
                    f'[tasks.t]\ntitle = "t"\nlead = "u"\ndue = {due}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, [command[0], str(plan), *command[1:]])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert "plan.toml:" in result.output and "out of range" in result.output


@pytest.mark.parametrize(("table", "refused"), [
    ('[checks.options.CF401]\nexempt_pairings = "false"', True),  # a string counted as true and hid CF401
    ("[checks.options.CF401]\nexempt_pairings = false", False),
    ("[checks.options.CF401]\nmax_per_group_pair = true", True),
    ("[checks.options.CF401]\nmax_per_group_pair = 3", False),
    ('[checks.options.CF305]\nkinds = ["report", 1]', True),
    ('[checks.options.CF305]\nkinds = "report"', True),
])
def test_check_options_of_the_wrong_type_are_located_problems(tmp_path, table, refused):
    plan = tmp_path / "plan.toml"
    plan.write_text('format = 1\n[campaign]\nid = "c"\nname = "x"\nstart = 2016-01-01\nend = 2016-12-31\n'
                    '[units.u]\nname = "u"\n[tasks.t]\ntitle = "t"\nlead = "u"\ndue = 2016-06-01\n' + table + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(plan)])
    assert (result.exit_code == 2) is refused, result.output
    if refused:
        assert "plan.toml:13:1" in result.output or "plan.toml:14:1" in result.output
        assert "`checks.options.CF" in result.output and "expected" in result.output


def test_a_unit_paired_with_itself_is_a_located_problem(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text('format = 1\n[campaign]\nid = "c"\nname = "x"\nstart = 2016-01-01\nend = 2016-12-31\n'
                    '[units.u]\nname = "u"\n[[pairings]]\na = "u"\nb = "u"\n'
                    '[tasks.t]\ntitle = "t"\nlead = "u"\ndue = 2016-06-01\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(plan)])
    assert result.exit_code == 2
    assert "plan.toml:11:" in result.output and "paired with itself" in result.output
