"""Options shared by commands, defined once, and turning plan arguments into campaigns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from ..errors import PlanError, Problem, UnknownPlanError
from ..findings import Location, Text
from .output import ExitCode, detect_lang, t

if TYPE_CHECKING:
    from ..model import Campaign
    from ..plugins.manager import Plugins

__all__ = [
    "Session",
    "format_option",
    "lang_option",
    "plugins_option",
    "plan_argument",
    "pass_session",
    "load_campaign",
    "PlanInputError",
    "split_codes",
]

F = TypeVar("F", bound=Callable[..., Any])


class PlanInputError(click.ClickException):
    """Bad input: printed as is (one line per problem), exit code 2."""

    exit_code = ExitCode.INPUT_ERROR

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        #: The located problems behind the message, for machine-readable output (validate --format json/sarif).
        self.problems: tuple[Problem, ...] = tuple(problems)

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


@attrs.define
class Session:
    """Per-invocation state: language, plugin directories, the plugin manager."""

    lang: str = attrs.field(factory=detect_lang)
    plugin_dirs: tuple[Path, ...] = ()
    debug: bool = False
    _plugins: Plugins | None = None

    @property
    def plugins(self) -> Plugins:
        if self._plugins is None:
            from ..plugins.manager import create_plugin_manager, default_plugins

            # Without --plugins the session's set is the process default, which main() has
            # already built to find plugin commands: building it twice cost a cold start 0.3 s.
            self._plugins = (create_plugin_manager(plugin_dirs=self.plugin_dirs) if self.plugin_dirs
                             else default_plugins())
        return self._plugins


pass_session = click.make_pass_decorator(Session, ensure=True)


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    session = ctx.ensure_object(Session)
    if value is not None:
        session.lang = value
    return session.lang


def _add_dirs(ctx: click.Context, _param: click.Parameter, value: Sequence[Path]) -> tuple[Path, ...]:
    session = ctx.ensure_object(Session)
    if value:
        session.plugin_dirs = (*session.plugin_dirs, *value)
        session._plugins = None
    return tuple(value)


def lang_option(f: F) -> F:
    """``--lang en|zh``: the language of messages; default from the locale."""
    return click.option("--lang", type=click.Choice(["en", "zh"]), default=None, expose_value=False,
                        is_eager=True, callback=_set_lang,
                        help="Language of messages (default: from the locale).")(f)


def plugins_option(f: F) -> F:
    """``--plugins DIR`` (repeatable): TOML plugin directories, besides CAMPAIGNFLOW_PATH."""
    return click.option("--plugins", "plugin_dirs", multiple=True, expose_value=False, is_eager=True,
                        type=click.Path(file_okay=False, path_type=Path), callback=_add_dirs,
                        help="A plugin directory, or a folder of them (repeatable).")(f)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """``--format`` with the given choices."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True,
                        help="Output format.")


def plan_argument(f: F) -> F:
    """PLAN: a plan file, or the id of a plan an installed plugin contributes."""
    return click.argument("plan", metavar="PLAN")(f)


def split_codes(values: Sequence[str]) -> tuple[str, ...]:
    """``--select CF2,CF301 --select CF4`` -> ("CF2", "CF301", "CF4")."""
    return tuple(code.strip().upper() for v in values for code in v.split(",") if code.strip())


def format_problems(error: PlanError, lang: str) -> str:
    """One readable, located line per problem."""
    lines = [p.format(lang) for p in error.problems] or [str(error)]
    return "\n".join(lines)


def load_campaign(session: Session, plan: str) -> Campaign:
    """Load PLAN (a file, or an installed plan's id); bad input exits 2 with every problem."""
    from ..load import load_plan

    path = Path(plan)
    plugins = session.plugins
    if not path.exists():
        known = plugins.plans()
        ref = known.get(plan)
        if ref is None:
            error = UnknownPlanError(plan, sorted(known))
            msg = t(session.lang, f"{plan}: error: {error}",
                    f"{plan}:错误:找不到该文件,也没有已安装的方案使用此标识"
                    + (f"(已安装的方案:{', '.join(sorted(known))})" if known else ""))
            raise PlanInputError(msg, [Problem(code="unknown-plan", location=Location(plan), message=Text(
                str(error), "找不到该文件,也没有已安装的方案使用此标识"))])
        path = ref.path
    try:
        return load_plan(path, plugins=plugins)
    except PlanError as exc:
        raise PlanInputError(format_problems(exc, session.lang), exc.problems) from None


# -- numeric options with ranges (issue 20: absurd values are exit 2, never a traceback) -------


class FiniteFloatRange(click.FloatRange):
    """A ``click.FloatRange`` that also refuses ``nan`` and ``inf``.

    click's range check compares with ``<`` and ``>``, which ``nan`` always passes: a
    ``--min-probability nan`` would make the risk check never fail.
    """

    name = "float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


class DateRange(click.DateTime):
    """A ``click.DateTime`` whose dates must lie in ``[first, last]``.

    Dates near the calendar's ends (``0001-01-01``, ``9999-12-31``) leave no room for a
    campaign to be scheduled after them; a range says so at once.
    """

    def __init__(self, formats: Sequence[str], first: str, last: str) -> None:
        super().__init__(list(formats))
        self.first, self.last = first, last

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        moment = super().convert(value, param, ctx)
        if not self.first <= moment.strftime("%Y-%m-%d") <= self.last:
            self.fail(f"{moment:%Y-%m-%d} is not in the range {self.first} to {self.last}.", param, ctx)
        return moment


#: Dates an option may give: the years a plan's dates may lie in (load.dates.FIRST_YEAR, LAST_YEAR).
FIRST_DATE, LAST_DATE = "1900-01-01", "2199-12-31"


def write_output(path: Path, data: str | bytes, lang: str) -> None:
    """Write an output file; a missing folder, a directory or no permission is exit 2, one line."""
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PlanInputError(t(lang, f"error: cannot write {path}: {reason}",
                               f"错误:无法写入 {path}:{reason}")) from None
