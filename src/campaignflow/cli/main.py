"""The ``campaignflow`` group: registers the commands and maps failures to exit codes."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from .. import __version__
from .options import Session, lang_option, plugins_option
from .output import ExitCode, err

__all__ = ["cli", "main"]

#: Commands, as "module:attribute"; imported only when the group is built.
_COMMANDS: tuple[str, ...] = (
    "campaignflow.cli.validate:validate",
    "campaignflow.cli.listing:plugins",
    "campaignflow.cli.listing:plans",
    "campaignflow.cli.simulate:simulate",
    "campaignflow.cli.run:run",
    "campaignflow.cli.export:export",
    "campaignflow.cli.draft:draft",
    "campaignflow.cli.html_report:report",
    "campaignflow.cli.serve:serve",
    # Editor support (#15): the plan format's JSON Schema.
    "campaignflow.cli.schema:schema",
    "campaignflow.cli.lsp:lsp",
)


class _Group(click.Group):
    """Turns an unexpected exception into exit 3 and a "please report" line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader went away (`| head -1`): end quietly and successfully, as git
            # does. Point stdout at /dev/null so the interpreter's final flush cannot
            # raise again on the closed pipe.
            _quiet_stdout()
            ctx.exit(ExitCode.OK)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            session = ctx.find_object(Session)
            if session is not None and session.debug:
                traceback.print_exc()
            err(f"campaignflow: internal error: {type(exc).__name__}: {exc}")
            err("This is a bug in campaignflow or one of its plugins; please report it "
                "(run again with --debug for the traceback).")
            ctx.exit(ExitCode.INTERNAL)


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test runner)
        pass


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.ensure_object(Session).debug = value
    return value


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="campaignflow")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
              help="Show tracebacks of internal errors.")
@lang_option
@plugins_option
def cli() -> None:
    """Check, simulate and run campaign plans (扶贫日 and other public campaigns).

    Exit codes: 0 clean, 1 error-level findings or missed deadlines,
    2 bad input or usage, 3 internal error.
    """


def _register() -> None:
    for spec in _COMMANDS:
        module_name, _, attr = spec.partition(":")
        try:
            command = getattr(importlib.import_module(module_name), attr)
        except ImportError as exc:
            # A command whose optional dependencies are missing is left out, not fatal.
            if exc.name and exc.name.startswith("campaignflow.cli."):
                continue
            raise
        cli.add_command(command)


def _register_plugin_commands() -> None:
    # Plugins add commands through a hook; a failing one is reported by `campaignflow plugins`.
    from ..plugins.manager import default_plugins

    for impl in default_plugins().pm.hook.campaignflow_register_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as exc:  # noqa: BLE001
            err(f"campaignflow: plugin {impl.plugin_name!r} failed to add its commands: {exc}")


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    _register_plugin_commands()
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="campaignflow")
