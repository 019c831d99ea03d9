"""``campaignflow schema``: the JSON Schema of the plan format, for editors and linters."""

from __future__ import annotations

import click

from ..schema import shipped_schema


@click.command()
@click.option("--include-file", "fragment", is_flag=True,
              help="The schema of an included file (no `format` or [campaign] required).")
def schema(fragment: bool) -> None:
    """Print the JSON Schema (draft-07) of plan files, with English and Chinese descriptions.

    \b
    Save it and point an editor at it, or start a plan with
    `#:schema ./plan.schema.json` (taplo, Even Better TOML). The same file
    is shipped in the package as campaignflow/schemas/plan.schema.json.
    """
    click.echo(shipped_schema(fragment=fragment), nl=False)
