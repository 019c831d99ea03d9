"""``campaignflow draft``: a plan document (.txt, .docx, .pdf, .doc, stdin) → a plan that loads, and a review list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import DraftError
from .options import PlanInputError, Session, format_option, lang_option, pass_session, plugins_option, write_output
from .output import ExitCode, echo_json, t


@click.command()
@click.argument("document", metavar="DOCUMENT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the plan to this file (default: standard output).")
@click.option("--year", type=click.IntRange(1949, 2100), default=None,
              help="The campaign's year, for documents that do not give it (20xx年).")
@format_option("text", "json")
@lang_option
@plugins_option
@pass_session
def draft(session: Session, document: str, output: Path | None, year: int | None, fmt: str) -> None:
    """Draft a plan from DOCUMENT (.txt, .docx, .pdf, .doc, or - for stdin).

    A .txt may be in UTF-8 or GB18030; a PDF is read through pdftotext (poppler),
    an old .doc through LibreOffice.
    Every field is traced to the document's words (a comment beside it, and
    the task's doc.quote); what the drafter is unsure of is on the review list,
    printed to standard error, and as `# review:` comments in the plan. The plan
    loads with `campaignflow validate` as it is.
    """
    from ..draft import draft_plan
    from ..draft.reader import MAX_BYTES, decode

    try:
        if document == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise DraftError(f"<stdin>: more than {MAX_BYTES} bytes", f"<stdin>:超过 {MAX_BYTES} 字节")
            result = draft_plan(decode(raw, source="<stdin>") or " ", year=year, plugins=session.plugins)
        else:
            if not Path(document).is_file():
                raise DraftError(f"{document}: no such file", f"{document}:文件不存在")
            result = draft_plan(Path(document), year=year, plugins=session.plugins)
    except DraftError as exc:
        raise PlanInputError(t(session.lang, f"error: {exc.message}", f"错误:{exc.message_zh}")) from None
    if fmt == "json":
        echo_json({"format_version": 1, "plan": result.toml,
                   "review": [{"where": r.where, "line": r.line, "message": r.message, "message_zh": r.message_zh}
                              for r in result.review]})
        raise SystemExit(ExitCode.OK)
    if output is None:
        click.echo(result.toml, nl=False)
    else:
        write_output(output, result.toml, session.lang)
        # Templates over the document's collectives expand to nothing until their groups list members: count them.
        n_tpl = sum(len(task.written_as) for task in result.tasks if task.template_for)
        n_task = len(result.campaign.tasks)
        click.echo(t(session.lang, f"wrote {output}: {n_task} tasks, {n_tpl} templates, {len(result.review)} to review",
                     f"已写入 {output}:{n_task} 项任务,{n_tpl} 个模板,{len(result.review)} 项待核对"), err=True)
    if result.review:
        click.echo(t(session.lang, "To review:", "待核对:"), err=True)
        click.echo(result.review_text(session.lang), err=True)
    raise SystemExit(ExitCode.OK)
