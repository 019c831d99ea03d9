"""TOML plugin directories: a folder with a ``plugin.toml`` contributes plans.

Found through ``--plugins DIR`` and the ``CAMPAIGNFLOW_PATH`` environment
variable (``os.pathsep``-separated). Each path may be a plugin directory
itself or a folder of plugin directories (like ``plugins/`` in this repo).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .. import __version__
from . import hookimpl
from .plans import PlanRef

__all__ = ["TomlPlugin", "discover", "paths_from_env", "ENV_VAR"]

#: Environment variable listing plugin directories.
ENV_VAR = "CAMPAIGNFLOW_PATH"

_KEYS = {"name", "version", "requires", "plans", "description", "doc"}


class TomlPluginError(Exception):
    """A plugin.toml that cannot be used; the message says where and why."""


@attrs.frozen
class TomlPlugin:
    """A plugin read from a ``plugin.toml``; registered with the manager like any other."""

    name: str
    version: str
    directory: Path
    description: str = ""
    plan_files: tuple[Path, ...] = ()

    @hookimpl
    def campaignflow_register_plans(self) -> list[PlanRef]:
        return [PlanRef.from_file(path, plugin=self.name) for path in self.plan_files]


def paths_from_env(environ: dict[str, str] | None = None) -> list[Path]:
    """The directories named by ``CAMPAIGNFLOW_PATH``."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every ``plugin.toml`` in ``paths`` (a plugin directory, or a folder of them)."""
    seen: set[Path] = set()
    for path in paths:
        candidates = [path / "plugin.toml"] if (path / "plugin.toml").is_file() else sorted(
            path.glob("*/plugin.toml")
        )
        for manifest in candidates:
            resolved = manifest.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield manifest


def read(manifest: Path) -> TomlPlugin:
    """Read one ``plugin.toml``; raises ``TomlPluginError`` with the file named."""
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = f"{manifest}: cannot read plugin manifest: {exc}"
        raise TomlPluginError(msg) from exc
    table = data.get("plugin")
    if not isinstance(table, dict):
        msg = f"{manifest}: expected a [plugin] table"
        raise TomlPluginError(msg)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        msg = f"{manifest}: unknown key(s) in [plugin]: {', '.join(unknown)}"
        raise TomlPluginError(msg)
    name = table.get("name")
    if not isinstance(name, str) or not name:
        msg = f"{manifest}: [plugin] needs a name"
        raise TomlPluginError(msg)
    requires = table.get("requires")
    if requires is not None:
        _check_requires(manifest, str(requires))
    plans = table.get("plans", [])
    if not isinstance(plans, list) or not all(isinstance(p, str) for p in plans):
        msg = f"{manifest}: `plugin.plans` must be a list of file names"
        raise TomlPluginError(msg)
    files = []
    for rel in plans:
        path = manifest.parent / rel
        if not path.is_file():
            msg = f"{manifest}: plan file {rel!r} does not exist"
            raise TomlPluginError(msg)
        files.append(path)
    return TomlPlugin(
        name=name,
        version=str(table.get("version", "0")),
        directory=manifest.parent,
        description=str(table.get("description", "")),
        plan_files=tuple(files),
    )


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def _check_requires(manifest: Path, requires: str) -> None:
    # Only "campaignflow <op> X.Y[, <op> X.Y]" is meaningful here; we avoid a
    # dependency on `packaging` for one comparison.
    spec = requires.strip()
    if not spec.startswith("campaignflow"):
        return
    ours = _version_tuple(__version__)
    for clause in spec[len("campaignflow"):].split(","):
        m = re.fullmatch(r"\s*(>=|<=|==|!=|>|<|~=)\s*([0-9][0-9.]*)\s*", clause)
        if m is None:
            if clause.strip():
                msg = f"{manifest}: cannot read requirement {requires!r}"
                raise TomlPluginError(msg)
            continue
        op, ver = m.group(1), _version_tuple(m.group(2))
        ok = {
            ">=": ours >= ver, "<=": ours <= ver, "==": ours == ver, "!=": ours != ver,
            ">": ours > ver, "<": ours < ver, "~=": ours >= ver,
        }[op]
        if not ok:
            msg = f"{manifest}: needs {requires}, this is campaignflow {__version__}"
            raise TomlPluginError(msg)


def as_dict(plugin: TomlPlugin) -> dict[str, Any]:
    return {"name": plugin.name, "version": plugin.version, "directory": str(plugin.directory)}
