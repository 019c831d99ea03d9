"""The plugin manager factory and the typed registry facade over it.

One ``Plugins`` per engine or session, never one at import time. Built-in
parts are registered exactly as third-party ones are: by module, through the
same hooks. A plugin that fails to import, or whose hook raises, is recorded
as a ``PluginLoadFailure`` and the others go on.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import pluggy

from . import NAME, hookspecs, toml_dir
from .plans import PlanRef

if TYPE_CHECKING:
    from ..calendar import Calendar
    from ..checks import Check
    from ..export import Exporter

__all__ = ["BUILTIN_PLUGINS", "default_plugins", "Plugins", "PluginLoadFailure", "PluginInfo", "create_plugin_manager"]

#: Modules of campaignflow registered as plugins, in this order.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "campaignflow.calendars.basic",
    "campaignflow.calendars.cn",
    "campaignflow.checks.structure",
    "campaignflow.checks.time",
    "campaignflow.checks.owners",
    "campaignflow.checks.submissions",
    "campaignflow.checks.solicitation",
    "campaignflow.export.text",
    "campaignflow.export.office",
    "campaignflow.simulate.schedulers",
    "campaignflow.draft.builtin",
    "campaignflow.export.assignment",
    "campaignflow.export.html",
)


@attrs.frozen
class PluginLoadFailure:
    """A plugin that could not be loaded or whose registration hook raised."""

    name: str
    version: str | None
    error: str
    source: str  # "builtin", "entry-point", "toml", or the hook that raised


@attrs.frozen
class PluginInfo:
    """What ``campaignflow plugins`` shows of one plugin."""

    name: str
    version: str | None
    source: str
    hooks: tuple[str, ...]
    provides: tuple[str, ...]


_T = TypeVar("_T")


_default: Plugins | None = None


def default_plugins() -> Plugins:
    """The process-wide default: built-ins, entry points and ``CAMPAIGNFLOW_PATH``.

    Created on first use, not at import time; library calls that take
    ``plugins=None`` use it.
    """
    global _default  # noqa: PLW0603 - a lazily created process default, like logging's root
    if _default is None:
        _default = create_plugin_manager()
    return _default


def create_plugin_manager(
    *,
    builtins: bool = True,
    entry_points: bool = True,
    plugin_dirs: Iterable[Path | str] = (),
    use_env: bool = True,
    blocked: Sequence[str] = (),
    plugins: Sequence[object] = (),
) -> Plugins:
    """Build a plugin manager with every source of plugins registered.

    Args:
        builtins: register campaignflow's own checks, calendars and exporters.
        entry_points: load distributions registered under the ``campaignflow`` group.
        plugin_dirs: TOML plugin directories (``--plugins``).
        use_env: also read ``CAMPAIGNFLOW_PATH``.
        blocked: plugin names (or built-in module names) not to register.
        plugins: extra plugin objects (modules, instances) to register, e.g. in tests.
    """
    pm = pluggy.PluginManager(NAME)
    pm.add_hookspecs(hookspecs)
    host = Plugins(pm)
    for name in blocked:
        pm.set_blocked(name)
    if builtins:
        for modname in BUILTIN_PLUGINS:
            host._register_module(modname, source="builtin")
    if entry_points:
        host._load_entry_points()
    dirs = [Path(d) for d in plugin_dirs]
    if use_env:
        dirs += toml_dir.paths_from_env()
    for manifest in toml_dir.discover(dirs):
        host._register_toml(manifest)
    for obj in plugins:
        pm.register(obj)
    pm.check_pending()
    return host


class Plugins:
    """Typed facade over ``pm.hook``: registries of checks, calendars, exporters, plans."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.failures: list[PluginLoadFailure] = []
        self._sources: dict[str, str] = {}
        self._versions: dict[str, str | None] = {}
        self._cache: dict[str, Any] = {}

    # -- registration ---------------------------------------------------------------

    def _register_module(self, modname: str, *, source: str) -> None:
        if self.pm.is_blocked(modname):
            return
        try:
            module = importlib.import_module(modname)
            self.pm.register(module, name=modname)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the others down
            self.failures.append(PluginLoadFailure(modname, None, f"{type(exc).__name__}: {exc}", source))
            return
        self._sources[modname] = source

    def _load_entry_points(self) -> None:
        for ep in importlib.metadata.entry_points(group=NAME):
            if self.pm.is_blocked(ep.name) or self.pm.get_plugin(ep.name) is not None:
                continue
            version = ep.dist.version if ep.dist is not None else None
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
            except Exception as exc:  # noqa: BLE001
                self.failures.append(PluginLoadFailure(ep.name, version, f"{type(exc).__name__}: {exc}",
                                                       "entry-point"))
                continue
            self._sources[ep.name] = "entry-point"
            self._versions[ep.name] = version

    def _register_toml(self, manifest: Path) -> None:
        try:
            plugin = toml_dir.read(manifest)
        except toml_dir.TomlPluginError as exc:
            self.failures.append(PluginLoadFailure(manifest.parent.name, None, str(exc), "toml"))
            return
        if self.pm.is_blocked(plugin.name) or self.pm.get_plugin(plugin.name) is not None:
            return
        self.pm.register(plugin, name=plugin.name)
        self._sources[plugin.name] = f"toml:{plugin.directory}"
        self._versions[plugin.name] = plugin.version

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin object (clears the registries' caches)."""
        self.pm.register(plugin, name=name)
        self._cache.clear()

    # -- calling registration hooks one plugin at a time ------------------------------

    def _collect(self, hook_name: str) -> list[tuple[str, Any]]:
        """(plugin name, item) for each item every implementation returns.

        Each implementation is called on its own so that one raising is a
        recorded failure, not the end of the registry.
        """
        hook = getattr(self.pm.hook, hook_name)
        out: list[tuple[str, Any]] = []
        for impl in hook.get_hookimpls():  # registration order
            try:
                items = impl.function(**{a: None for a in impl.argnames})
            except Exception as exc:  # noqa: BLE001
                self.failures.append(PluginLoadFailure(impl.plugin_name, self._versions.get(impl.plugin_name),
                                                       f"{type(exc).__name__}: {exc}", hook_name))
                continue
            for item in items or ():
                out.append((impl.plugin_name, item))
        return out

    def _registry(self, hook_name: str, key: str, what: str) -> dict[str, tuple[str, Any]]:
        if hook_name in self._cache:
            return self._cache[hook_name]
        registry: dict[str, tuple[str, Any]] = {}
        for plugin_name, item in self._collect(hook_name):
            ident = getattr(item, key, None)
            if not ident:
                self.failures.append(PluginLoadFailure(plugin_name, self._versions.get(plugin_name),
                                                       f"{what} {item!r} has no {key}", hook_name))
                continue
            if ident in registry:
                other = registry[ident][0]
                self.failures.append(PluginLoadFailure(
                    plugin_name, self._versions.get(plugin_name),
                    f"{what} {ident!r} is already provided by plugin {other!r}", hook_name))
                continue
            registry[ident] = (plugin_name, item)
        self._cache[hook_name] = registry
        return registry

    # -- registries -----------------------------------------------------------------

    def checks(self) -> dict[str, type[Check]]:
        """Check classes by code."""
        return {code: cls for code, (_, cls) in self._registry("campaignflow_register_checks", "code",
                                                                 "check").items()}

    def check_plugin(self, code: str) -> str:
        """The name of the plugin that provides check ``code``."""
        return self._registry("campaignflow_register_checks", "code", "check")[code][0]

    def calendars(self) -> dict[str, type[Calendar]]:
        """Calendar classes by name."""
        return {n: cls for n, (_, cls) in self._registry("campaignflow_register_calendars", "name",
                                                          "calendar").items()}

    def calendar(self, name: str) -> Calendar:
        """An instance of the calendar called ``name``; ``KeyError`` lists the known ones."""
        known = self.calendars()
        if name not in known:
            msg = f"unknown calendar {name!r}; known calendars: {', '.join(sorted(known))}"
            raise KeyError(msg)
        return known[name]()

    def exporters(self) -> dict[str, type[Exporter]]:
        """Exporter classes by name."""
        return {n: cls for n, (_, cls) in self._registry("campaignflow_register_exporters", "name",
                                                          "exporter").items()}

    def schedulers(self) -> dict[str, type[Any]]:
        """Scheduler classes by name (``heuristic``, ``cpsat``, and plugins')."""
        return {n: cls for n, (_, cls) in self._registry("campaignflow_register_schedulers", "name",
                                                          "scheduler").items()}
    def recognisers(self) -> dict[str, type[Any]]:
        """Draft recogniser classes (``campaignflow.draft.Recogniser``) by name."""
        return {n: cls for n, (_, cls) in self._registry("campaignflow_register_recognisers", "name",
                                                          "recogniser").items()}

    def plans(self) -> dict[str, PlanRef]:
        """Contributed plans by id."""
        return {pid: ref for pid, (_, ref) in self._registry("campaignflow_register_plans", "id", "plan").items()}

    def info(self) -> list[PluginInfo]:
        """Every registered plugin, with the hooks it implements and what it provides."""
        provides: dict[str, list[str]] = {}
        for hook, key, what in (("campaignflow_register_checks", "code", "check"),
                                ("campaignflow_register_calendars", "name", "calendar"),
                                ("campaignflow_register_exporters", "name", "exporter"),
                                ("campaignflow_register_plans", "id", "plan"),
                                ("campaignflow_register_schedulers", "name", "scheduler")):
            for ident, (plugin_name, _) in self._registry(hook, key, what).items():
                provides.setdefault(plugin_name, []).append(f"{what}:{ident}")
        out = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
            out.append(PluginInfo(name=name, version=self._versions.get(name), source=self._sources.get(name, "api"),
                                  hooks=hooks, provides=tuple(provides.get(name, ()))))
        return out

    @property
    def hook(self) -> Any:
        return self.pm.hook
