"""``campaignflow lsp``: the language server for plan files, over standard input and output."""

from __future__ import annotations

import click

from .options import PlanInputError, Session, lang_option, pass_session, plugins_option
from .output import t


@click.command()
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the default; editors pass it).")
@lang_option
@plugins_option
@pass_session
def lsp(session: Session, stdio: bool) -> None:
    """Run the language server: diagnostics, hover, completion and fixes as you type.

    \b
    Needs the `lsp` extra (pip install "campaignflow[lsp]"). Editors start it
    themselves; see docs/editor.md for VS Code and Neovim.
    """
    try:
        from ..lsp import create_server

        server = create_server(plugins=session.plugins, lang=session.lang)
    except ImportError as exc:
        raise PlanInputError(t(session.lang, f"campaignflow lsp needs the `lsp` extra ({exc.name} is missing): "
                                             'pip install "campaignflow[lsp]"',
                               f"campaignflow lsp 需要 `lsp` 附加依赖(缺少 {exc.name}):"
                               'pip install "campaignflow[lsp]"')) from None
    server.start_io()
