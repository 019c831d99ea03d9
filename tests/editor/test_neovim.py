"""docs/editor.md's Neovim configuration, run in a headless Neovim against `campaignflow lsp`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from needs import unavailable

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

PLAN = '''\
format = 1
[campaign]
id = "county-2020"
name = "县2020年扶贫日活动方案"
start = 2020-09-01
end = 2020-10-30
[units.town-a]
name = "甲镇"
[tasks.town-reports]
title = "各乡镇报送活动开展情况"
lead = "town-a"
duratoin = "2d"
'''


def _nvim() -> str:
    found = shutil.which("nvim")
    if found is None:
        unavailable("Neovim is not installed (apt-get install neovim)", ".ci/run installs Debian's neovim")
    return found


def test_the_documented_neovim_config_gets_diagnostics_code_actions_and_hover(tmp_path):
    nvim = _nvim()
    doc = (REPO / "docs" / "editor.md").read_text(encoding="utf-8")
    (config,) = re.findall(r"```lua\n(.*?)```", doc, re.S)
    (tmp_path / "init.lua").write_text(config, encoding="utf-8")
    (tmp_path / "plan.toml").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out.txt"
    # `campaignflow` must be on PATH, as for an author who installed it.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PROBE_OUT": str(out), "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.run([nvim, "--headless", "-u", str(tmp_path / "init.lua"), "plan.toml",
                           "-c", f"luafile {HERE / 'nvim_probe.lua'}"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "diagnostic 12:1 unknown-key: unknown key 'duratoin' | did you mean 'duration'?" in lines
    assert "code action: rename 'duratoin' to 'duration'" in lines
    (hover,) = [line for line in lines if line.startswith("hover lead:")]
    assert "accountable unit" in hover and "牵头单位" in hover
    # The transcript in the docs is what the probe printed.
    for line in lines:
        assert line in doc, line
