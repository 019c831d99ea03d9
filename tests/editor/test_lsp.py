"""`campaignflow lsp` speaks the Language Server Protocol over stdio: a real subprocess, JSON-RPC framing."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")

PLAN = textwrap.dedent('''\
    # 测试方案
    [campaign]
    id = "x"
    name = "x"
    start = 2020-07-01
    end = 2020-12-31
    calendar = "cn-workdays"
    [campaign.dates]
    poverty_day = 2020-10-17

    [units.ah-fpb]
    name = "省扶贫办"
    kind = "department"
    [units.county]
    name = "县扶贫办"
    parent = "ah-fpb"

    [tasks.a]
    title = "t"
    laed = "county"            # misspelt required key
    duratoin = "2d"            # misspelt key
    due = "@poverty_day"

    [tasks.b]
    title = "b"
    lead = "county"
    after = ["a"]
    ''')


class Client:
    """A minimal LSP client: Content-Length framing over the server's stdin and stdout."""

    def __init__(self, cwd: Path) -> None:
        env = {**os.environ, "CAMPAIGNFLOW_LANG": "en"}
        self.proc = subprocess.Popen([sys.executable, "-m", "campaignflow", "lsp", "--stdio"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self._id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _next(self) -> dict[str, Any]:
        try:
            return self.messages.get(timeout=60)
        except queue.Empty:
            stderr = self.proc.stderr.read1(20000) if self.proc.poll() is not None else b""  # type: ignore[union-attr]
            raise AssertionError(f"no message from the server; stderr: {stderr!r}") from None

    def request(self, method: str, params: Any) -> Any:
        self._id += 1
        self.send({"id": self._id, "method": method, "params": params})
        while True:
            msg = self._next()
            if msg.get("id") == self._id and "method" not in msg:
                assert "error" not in msg, msg
                return msg["result"]
            if "method" in msg and "id" in msg:
                # A request from the server (workspace/configuration, say): answer it empty.
                self.send({"id": msg["id"], "result": None})
            else:
                self.notifications.append(msg)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        """The diagnostics published for ``uri`` at ``version`` (waiting for them)."""
        while True:
            for msg in self.notifications:
                p = msg.get("params", {})
                if msg.get("method") == "textDocument/publishDiagnostics" and p.get("uri") == uri \
                        and p.get("version") == version:
                    return p["diagnostics"]
            msg = self._next()
            if "method" in msg and "id" in msg:
                self.send({"id": msg["id"], "result": None})
            else:
                self.notifications.append(msg)


def _apply(text: str, edit: dict[str, Any]) -> str:
    lines = text.splitlines(keepends=True)
    start, end = edit["range"]["start"], edit["range"]["end"]
    assert start["character"] == 0 and end["character"] == 0
    return "".join(lines[:start["line"]]) + edit["newText"] + "".join(lines[end["line"]:])


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


@pytest.fixture
def client(tmp_path):
    c = Client(tmp_path)
    yield c
    if c.proc.poll() is None:
        c.proc.kill()
    c.proc.wait(timeout=30)


def test_the_server_answers_over_stdio(client, tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    uri = path.as_uri()

    result = client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {},
                                           "initializationOptions": {"lang": "en"}})
    caps = result["capabilities"]
    assert caps["hoverProvider"] and caps["completionProvider"] and caps["codeActionProvider"]
    assert result["serverInfo"]["name"] == "campaignflow"
    client.notify("initialized", {})

    # didOpen: the loader's problems, each located to its key, one message per problem.
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1,
                                                            "text": PLAN}})
    diags = client.diagnostics(uri, 1)
    by_code: dict[str, list[dict[str, Any]]] = {}
    for d in diags:
        by_code.setdefault(d["code"], []).append(d)
    assert "missing-key" not in by_code  # folded into the misspelling that caused it
    laed, duratoin = sorted(by_code["unknown-key"], key=lambda d: d["range"]["start"]["line"])
    row = _line_of(PLAN, "laed =")
    assert laed["range"] == {"start": {"line": row, "character": 0}, "end": {"line": row, "character": 4}}
    assert "required key 'lead' is missing" in laed["message"]
    (related,) = laed["relatedInformation"]
    assert related["location"]["uri"] == uri
    assert related["location"]["range"]["start"]["line"] == _line_of(PLAN, "[tasks.a]")
    assert duratoin["range"]["end"]["character"] == len("duratoin") and "missing-format" in by_code
    assert all(d["severity"] == 1 for d in diags)

    # codeAction on the misspelt key: its fix, preferred (safe), as a text edit.
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": duratoin["range"], "context": {"diagnostics": [duratoin]}})
    titles = [a["title"] for a in actions]
    assert "rename 'duratoin' to 'duration'" in titles
    fix = actions[titles.index("rename 'duratoin' to 'duration'")]
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    (edit,) = fix["edit"]["changes"][uri]
    assert _apply(PLAN, edit) == PLAN.replace("duratoin", "duration")
    fix_all = [a for a in actions if a["kind"] == "source.fixAll"]
    assert fix_all
    fixed = _apply(PLAN, fix_all[0]["edit"]["changes"][uri][0])
    assert fixed == PLAN.replace("laed", "lead").replace("duratoin", "duration").replace(
        "# 测试方案\n", "# 测试方案\nformat = 1\n")

    # didChange: the fixed text loads, so the checks run: CF203 on the Saturday deadline.
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": fixed}]})
    diags = client.diagnostics(uri, 2)
    assert [d["code"] for d in diags] == ["CF203"] and diags[0]["severity"] == 2
    due_row = _line_of(fixed, "due =")
    assert diags[0]["range"]["start"] == {"line": due_row, "character": 0}
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": diags}})
    (move,) = [a for a in actions if a["kind"] == "quickfix"]
    assert "unsafe" in move["title"] and not move.get("isPreferred")
    assert 'due = "@poverty_day - 1d"' in _apply(fixed, move["edit"]["changes"][uri][0])

    # hover: the check's documentation over its diagnostic; a key's meaning; a unit's name.
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": due_row, "character": 1}})
    assert "CF203" in hover["contents"]["value"] and "non-working" in hover["contents"]["value"]
    lead_row = _line_of(fixed, 'lead = "county"')
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": lead_row, "character": 1}})
    assert "accountable unit" in hover["contents"]["value"] and "牵头单位" in hover["contents"]["value"]
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": lead_row, "character": 10}})
    assert "县扶贫办" in hover["contents"]["value"]

    # completion: unit ids in a lead, task ids in after, named dates after "@", keys at a key.
    typing = fixed + '\n[tasks.c]\ntitle = "c"\nlead = "\nafter = ["\ndue = "@\nti'
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": typing}]})
    client.diagnostics(uri, 3)
    lines = typing.splitlines()

    def complete(row: int) -> list[dict[str, Any]]:
        got = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                         "position": {"line": row, "character": len(lines[row])}})
        return got["items"] if isinstance(got, dict) else got

    units = complete(len(lines) - 4)
    assert {i["label"] for i in units} >= {"ah-fpb", "county"}
    assert next(i for i in units if i["label"] == "county")["detail"] == "县扶贫办"
    assert {i["label"] for i in complete(len(lines) - 3)} >= {"a", "b"}
    assert [i["label"] for i in complete(len(lines) - 2)] == ["@poverty_day"]
    keys = {i["label"] for i in complete(len(lines) - 1)}
    assert {"title_en", "duration", "approvals"} <= keys and "lead" not in keys

    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=30) == 0


def test_problems_of_an_included_file_are_one_diagnostic_on_the_include_line(client, tmp_path):
    (tmp_path / "units.toml").write_text('[units.u]\nname = "u"\nkidn = "county"\n', encoding="utf-8")
    text = ('format = 1\n[campaign]\nid = "x"\nname = "x"\nstart = 2020-07-01\nend = 2020-12-31\n'
            'include = ["units.toml"]\n[tasks.t]\ntitle = "t"\nlead = "u"\n')
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1,
                                                            "text": text}})
    (diag,) = client.diagnostics(uri, 1)
    assert diag["code"] == "included-file" and diag["range"]["start"]["line"] == 6
    assert diag["message"].startswith("units.toml: 1 problem(s): unknown key 'kidn'")
    (rel,) = diag["relatedInformation"]
    assert rel["location"]["uri"] == (tmp_path / "units.toml").resolve().as_uri()
    assert rel["location"]["range"] == {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 4}}
    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=30) == 0
