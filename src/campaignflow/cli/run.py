"""``campaignflow run``: run a campaign from the command line, for offices without a platform.

Each command opens the store (``--db``, default ``campaignflow.db``), finds the
campaign and its plan as recorded by ``run init``, calls one engine method
and prints the result. ``--as UNIT`` says which unit the person acts for, as
a host would after authenticating them; the person is ``LOGIN@UNIT`` unless
``--person`` names them (the command line authenticates no one).
"""

from __future__ import annotations

import csv
import getpass
import io
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from .._display import deadline
from ..errors import RuntimeEngineError, StoreError, TamperedLogError, TransitionError, UnknownTaskError
from .options import PlanInputError, Session, format_option, lang_option, load_campaign, pass_session, plugins_option
from .output import ExitCode, echo_json, t

if TYPE_CHECKING:
    from ..model import Campaign
    from ..runtime import Engine, Event, Store, TaskView

__all__ = ["run"]


def _parse_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        msg = f"expected a date and time like 2020-10-17T09:00, got {value!r}"
        raise click.BadParameter(msg) from None


@attrs.define
class _RunOptions:
    db: str | Path
    campaign: str | None
    now: datetime | None


_STORE_KEY = "campaignflow.store_key_file"


def _keep_store_key(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    # Kept on the context, not passed to every command: only opening the store needs it.
    ctx.meta[_STORE_KEY] = value


def _store_key(session: Session) -> bytes | None:
    ctx = click.get_current_context(silent=True)
    return _read_key(session, ctx.meta.get(_STORE_KEY) if ctx is not None else None)


def _db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--campaign", "campaign_id", default=None, metavar="ID",
                     help="Campaign id, when the store holds several.")(f)
    f = click.option("--now", default=None, callback=_parse_now, metavar="DATETIME",
                     help="Act as if it were this local time (simulation, tests).")(f)
    f = click.option("--store-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     envvar="CAMPAIGNFLOW_STORE_KEY_FILE", expose_value=False, callback=_keep_store_key,
                     help="A file holding the store's secret key (at least 16 bytes), for a store whose every "
                          "event carries an HMAC (env CAMPAIGNFLOW_STORE_KEY_FILE); never the key itself on "
                          "the command line.")(f)
    return click.option("--db", default="campaignflow.db", callback=_parse_db, metavar="PATH|URL",
                        envvar=["CAMPAIGNFLOW_DATABASE_URL", "CAMPAIGNFLOW_DB"], show_default=True,
                        help="The store: a SQLite file, or a postgresql:// URL "
                             "(env CAMPAIGNFLOW_DATABASE_URL).")(f)


def _run_options(*formats: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """What every `run` command takes: --db, --now, --campaign, --format (of ``formats``, if any)
    and --lang, with the session. Written once here, so that the commands cannot drift apart."""
    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        f = pass_session(f)
        f = lang_option(f)
        if formats:
            f = format_option(*formats)(f)
        return _db_option(f)
    return wrap


def _parse_db(_ctx: click.Context, _param: click.Parameter, value: str | Path) -> str | Path:
    # A URL stays a string (it is not a file name); anything else is a SQLite file path.
    from ..runtime.connect import is_database_url

    return str(value) if is_database_url(str(value)) else Path(value)


def _label(db: str | Path) -> str:
    """The store's location for messages: a URL without its password."""
    if isinstance(db, Path):
        return str(db)
    import re

    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", db)


def _open(db: str | Path, key: bytes | None = None) -> Store:
    from ..runtime.connect import open_store

    try:
        return open_store(db, key=key)
    except StoreError as exc:
        raise PlanInputError(f"{_label(db)}: error: {exc}") from None


class _FixedClock:
    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


@contextmanager
def _store(session: Session, db: str | Path, campaign_id: str | None) -> Iterator[tuple[Store, str]]:
    """Open the store and find the campaign in it; bad input exits 2 with one message."""

    lang = session.lang
    shown = _label(db)
    missing = PlanInputError(t(lang, f"{shown}: error: no such store; run `campaignflow run init PLAN --db {shown}` "
                               "first", f"{shown}:错误:存储不存在;请先运行 `campaignflow run init PLAN --db {shown}`"))
    if isinstance(db, Path) and not db.exists():
        raise missing
    key = _store_key(session)
    store = _open(db, key)
    db = shown  # type: ignore[assignment]  # messages below name the store without its password
    try:
        ids = [c.campaign for c in store.campaigns()]
        if not ids:
            raise missing
        if campaign_id is None and len(ids) != 1:
            raise PlanInputError(t(lang, f"{db}: error: the store holds {len(ids)} campaigns ({', '.join(ids)}); "
                                   "choose one with --campaign", f"{db}:错误:存储中有 {len(ids)} 个活动方案,"
                                   "请用 --campaign 指定"))
        cid = campaign_id if campaign_id is not None else ids[0]
        if cid not in ids:
            raise PlanInputError(t(lang, f"{db}: error: no campaign {cid!r} in this store", f"{db}:错误:无活动 {cid!r}"))
        if key is None and getattr(store, "has_macs", lambda _c: False)(cid):
            raise PlanInputError(t(lang, f"{db}: error: the events of campaign {cid!r} carry HMACs; give the "
                                   "store's key with --store-key-file (or CAMPAIGNFLOW_STORE_KEY_FILE)",
                                   f"{db}:错误:活动 {cid!r} 的事件带有 HMAC,请用 --store-key-file"
                                   "(或 CAMPAIGNFLOW_STORE_KEY_FILE)提供存储密钥"))
        yield store, cid
    except StoreError as exc:
        raise PlanInputError(f"{db}: error: {exc}") from None
    finally:
        store.close()


@contextmanager
def _engine(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, *,
            check_plan: bool = True) -> Iterator[Engine]:
    """Open the store and the campaign recorded in it, with its plan; bad input exits 2 with one message.

    A plan file edited since it was recorded is refused (amend it with `run amend`), unless
    ``check_plan=False`` (reading the audit log only: the engine then refuses to decide).
    """
    from ..runtime import Engine, recorded_plan

    lang = session.lang
    with _store(session, db, campaign_id) as (store, cid):
        try:
            source = recorded_plan(store, cid)
            if source is None:
                raise PlanInputError(t(lang, f"{db}: error: campaign {cid!r} has no plan file on record",
                                       f"{db}:错误:活动 {cid!r} 未记录方案文件"))
            campaign = _absolute(load_campaign(session, source))
            clock = _FixedClock(now) if now is not None else None
            yield Engine.open(campaign, store, plugins=session.plugins, clock=clock, check_plan=check_plan)
        except TransitionError as exc:
            text = getattr(exc, "text", None)
            message = text.get(lang) if text is not None else str(exc)
            raise PlanInputError(f"{t(lang, 'error', '错误')}: {message}") from None
        except (UnknownTaskError, RuntimeEngineError, KeyError) as exc:
            text = getattr(exc, "text", None)  # PlanChangedError, AmendmentRefused: bilingual
            message = (text.get(lang) if text is not None else
                       exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc))
            raise PlanInputError(f"{t(lang, 'error', '错误')}: {message}") from None


def _not_before_log(engine: Engine, now: datetime | None, lang: str) -> None:
    """Refuse a --now earlier than the log's latest event: event times never go backwards."""
    last = engine.state.last_at
    if now is not None and last is not None and now.replace(tzinfo=None) < last:
        raise PlanInputError(t(lang, f"error: --now {now:%Y-%m-%d %H:%M} is before the log's latest event "
                               f"({last:%Y-%m-%d %H:%M}); event times never go backwards",
                               f"错误:--now {now:%Y-%m-%d %H:%M} 早于日志中最新事件的时间({last:%Y-%m-%d %H:%M});"
                               "事件时间不能倒退"))


def _overdue(v: TaskView, now: datetime) -> bool:
    """Whether ``v`` is overdue by the clock: a timer fired, or a deadline has passed without one yet."""
    from ..runtime import TaskState

    if v.overdue:
        return True
    if v.state in (TaskState.DONE, TaskState.CANCELLED):
        return False
    return any(d is not None and now >= d for d in (v.due, v.step_due))


def _clock_now(engine: Engine, now: datetime | None) -> datetime:
    from ..runtime.clock import to_local

    return to_local(now if now is not None else engine.clock.now(), engine.campaign.timezone)


def _absolute(campaign: Campaign) -> Campaign:
    # The store records where the plan is, for the next command, run from anywhere.
    if campaign.source is None:
        return campaign
    return attrs.evolve(campaign, source=str(Path(campaign.source).resolve()))


@click.group()
def run() -> None:
    """Run a campaign on a store (SQLite file or PostgreSQL URL): init, status, tasks, transitions, tick, log, verify.

    \b
    campaignflow run init PLAN --db office.db
    campaignflow run tasks --unit stats-bureau --db office.db
    campaignflow run start bureau-plan --as stats-bureau --db office.db
    """


@run.command()
@click.argument("plan", metavar="PLAN")
@click.option("--force", is_flag=True,
              help="Run the plan even though `validate` finds errors in it (recorded on the log).")
@plugins_option
@_run_options("text", "json")
def init(session: Session, plan: str, db: str | Path, campaign_id: str | None, now: datetime | None, force: bool,
         fmt: str) -> None:
    """Start running PLAN (a file or an installed plan's id) on the store --db.

    A plan with error-level findings (as `validate` reports them) is refused, exit 2, unless --force.
    """
    from ..checks import run_checks
    from ..findings import Severity
    from ..runtime import Engine

    campaign = _absolute(load_campaign(session, plan))
    errors = [f for f in run_checks(campaign, plugins=session.plugins) if f.severity >= Severity.ERROR]
    reason = None
    if errors and not force:
        codes = ", ".join(sorted({f.code for f in errors}))
        raise PlanInputError(t(session.lang, f"error: the plan has {len(errors)} error-level findings ({codes}); "
                               "fix them (see `campaignflow validate`) or run it anyway with --force",
                               f"错误:方案有 {len(errors)} 项错误级问题({codes});请先修正(见 `campaignflow validate`)"
                               ",或用 --force 强制运行"))
    if errors:
        reason = f"--force: opened with {len(errors)} error-level findings ({', '.join(sorted({f.code for f in errors}))})"
    store = _open(db, _store_key(session))
    db = _label(db)  # type: ignore[assignment]  # shown without a password
    try:
        try:
            engine = Engine.open(campaign, store, plugins=session.plugins,
                                 clock=_FixedClock(now) if now is not None else None, reason=reason)
        except RuntimeEngineError as exc:  # a tampered or unreadable store, a changed plan: refused, exit 2
            text = getattr(exc, "text", None)
            raise PlanInputError(f"{t(session.lang, 'error', '错误')}: "
                                 f"{text.get(session.lang) if text is not None else exc}") from None
        if fmt == "json":
            echo_json({"format_version": 1, "campaign": campaign.id, "db": str(db), "seq": engine.seq,
                       "tasks": len(campaign.tasks)})
        else:
            click.echo(t(session.lang, f"campaign {campaign.id}: {len(campaign.tasks)} tasks, running in {db}",
                         f"活动 {campaign.id}:{len(campaign.tasks)} 项任务,存储于 {db}"))
    finally:
        store.close()


def _cell(value: object) -> object:
    # A spreadsheet opening the CSV runs a cell that starts with = + - @ (or a tab or CR
    # before one) as a formula: a reason typed by anyone must stay text. OWASP's remedy.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _personal_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--personal", "show_personal", is_flag=True,
                        help="Show households' personal data (names of the people acting for them, their reasons, "
                             "their unit ids in the log) instead of the pseudonyms the log keeps.")(f)


@run.command()
@_run_options("text", "json")
def status(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """Tasks by state, and the overdue ones. Exit 1 when a deadline has been missed."""
    with _engine(session, db, campaign_id, now) as engine:
        views = engine.tasks()
        counts = Counter(str(v.state) for v in views)
        # Overdue is a fact of the clock, whether or not `run tick` has fired the timers.
        moment = _clock_now(engine, now)
        overdue = [v for v in views if _overdue(v, moment)]
        reports = engine.reports(moment)
        missing = [r for r in reports if r.not_reported]
        unsigned = [r for r in reports if r.not_received]
        if fmt == "json":
            echo_json({"format_version": 1, "campaign": engine.campaign.id, "seq": engine.seq,
                       "states": dict(sorted(counts.items())), "overdue": [v.id for v in overdue],
                       "not_reported": [r.to_dict() for r in missing], "not_received": [r.to_dict() for r in unsigned]})
        else:
            click.echo(f"{engine.campaign.id}  {engine.campaign.name}  (event {engine.seq})")
            for state, n in sorted(counts.items()):
                click.echo(f"  {state:<10} {n}")
            for v in overdue:
                click.echo(t(session.lang, f"  OVERDUE {v.id} ({v.lead}), due {deadline(v.next_due)}",
                             f"  逾期 {v.id}({v.lead}),期限 {deadline(v.next_due, 'zh')}"))
            for r in missing:  # 未报送: who has not reported
                to = f" to {r.recipient}" if r.recipient else ""
                click.echo(t(session.lang, f"  NOT REPORTED {r.task} ({r.lead}){to}, due {deadline(r.due)}",
                             f"  未报送 {r.task}({r.lead}){' 报 ' + r.recipient if r.recipient else ''},"
                             f"期限 {deadline(r.due, 'zh')}"))
            for r in unsigned:
                click.echo(t(session.lang, f"  NOT RECEIVED {r.task} ({r.lead}) by {r.recipient}",
                             f"  未签收 {r.task}({r.lead}),{r.recipient} 未签收"))
    raise SystemExit(ExitCode.FINDINGS if overdue else ExitCode.OK)


@run.command()
@click.option("--unit", default=None, help="Tasks this unit leads, partners in or must approve.")
@click.option("--state", "states", multiple=True, help="Only tasks in this state (repeatable).")
@click.option("--week", is_flag=True, help="Only what --unit must do within 7 days (its agenda).")
@_personal_option
@_run_options("text", "json")
def tasks(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, unit: str | None,
          states: tuple[str, ...], week: bool, show_personal: bool, fmt: str) -> None:
    """List tasks, filtered by unit and state."""
    from ..runtime import TaskState

    known = ", ".join(TaskState)
    for s in states:
        if s not in set(TaskState):
            raise PlanInputError(t(session.lang, f"error: unknown state {s!r}; expected one of {known}",
                                   f"错误:未知状态 {s!r},应为 {known} 之一"))
    if week and unit is None:
        raise PlanInputError(t(session.lang, "error: --week needs --unit", "错误:--week 需与 --unit 同用"))
    with _engine(session, db, campaign_id, now) as engine:
        views = engine.agenda(unit, now=now) if week and unit else engine.tasks(unit=unit, state=states or None)
        if week and states:
            views = [v for v in views if str(v.state) in states]
        if not show_personal:
            from ..runtime import personal

            views = personal.withhold(views, personal.households(engine.campaign))
        if fmt == "json":
            echo_json({"format_version": 1, "campaign": engine.campaign.id, "tasks": [v.to_dict() for v in views]})
            return
        moment = _clock_now(engine, now)
        for v in views:
            click.echo(_task_line(v, _overdue(v, moment), session.lang))


def _task_line(v: TaskView, overdue: bool, lang: str = "en") -> str:
    # A day deadline reads as that day (10-17), not as the midnight that ends it (10-18 00:00).
    extra = f" step {v.step + 1}/{v.steps} by {', '.join(v.approvers)}" if v.step is not None else ""
    flag = t(lang, " OVERDUE", " 逾期") if overdue else ""
    return f"{v.id:<32} {v.state!s:<10} {v.lead:<16} {t(lang, 'due', '期限')} {deadline(v.next_due, lang)}{extra}{flag}"


def _event_line(e: Event) -> str:
    timer = str(e.kind) in ("overdue", "escalated", "reminded", "alerted")
    who = (e.actor or ("timer" if timer else "-")) + (f" for {e.unit}" if e.unit else "")
    move = f"{e.from_state} -> {e.to_state}" if e.from_state and e.from_state != e.to_state else ""
    if str(e.kind) == "amended":  # the two plan fingerprints, shortened as git shortens commits
        move = f"plan {(e.from_state or '')[:12]} -> {(e.to_state or '')[:12]}"
    tail = "".join(f" {x}" for x in (move, f"-> {e.target}" if e.target and e.task else "",
                                     f"({e.reason})" if e.reason else "") if x)
    return f"#{e.seq:<5} {e.at:%Y-%m-%d %H:%M}  {e.kind!s:<10} {e.task or '-'}  {who}{tail}"


def _transition_command(name: str, doc: str) -> click.Command:
    needs_reason = name == "reject"

    @click.argument("task")
    @click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for.")
    @click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
    @click.option("--reason", required=needs_reason, help="Why (required to reject).")
    @click.option("--key", default=None, help="Idempotency key: the same key never acts twice.")
    @_run_options("text", "json")
    def command(session: Session, task: str, unit: str, person: str | None, reason: str | None, key: str | None,
                db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
        from ..runtime import Actor

        actor = Actor(person or _login(unit), {unit})
        with _engine(session, db, campaign_id, now) as engine:
            _not_before_log(engine, now, session.lang)
            kwargs: dict[str, Any] = {"unit": unit, "key": key}
            if name in ("approve", "reject", "cancel"):
                kwargs["reason"] = reason
            event = getattr(engine, name)(task, actor, **kwargs)
            if fmt == "json":
                echo_json({"format_version": 1, "event": event.to_dict()})
            else:
                click.echo(_event_line(event))

    command.__doc__ = doc
    return click.command(name)(command)


def _login(unit: str) -> str:
    # The command line cannot authenticate anyone: one login acting for several
    # units is recorded as several people, so the four-eyes rule stays per unit.
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        name = "cli"
    return f"{name}@{unit}"


for _name, _doc in (("start", "Start TASK (ready or rejected -> active)."),
                    ("complete", "Finish TASK's work (active -> done, or completed when it needs approval)."),
                    ("submit", "Submit TASK for approval (the first step becomes pending)."),
                    ("approve", "Give TASK's pending approval step for the unit --as."),
                    ("reject", "Reject TASK at its pending approval step, with --reason; it goes back to its lead."),
                    ("cancel", "Cancel TASK (by a superior of its lead or the issuer).")):
    run.add_command(_transition_command(_name, _doc))


@run.command()
@click.argument("task")
@click.option("--to", "to", required=True, metavar="UNIT", help="The new lead unit.")
@click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for (a superior).")
@click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
@click.option("--reason", default=None)
@_run_options("text", "json")
def reassign(session: Session, task: str, to: str, unit: str, person: str | None, reason: str | None, db: str | Path,
             campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """Give TASK to another lead unit."""
    from ..runtime import Actor

    with _engine(session, db, campaign_id, now) as engine:
        _not_before_log(engine, now, session.lang)
        event = engine.reassign(task, Actor(person or _login(unit), {unit}), to=to, reason=reason, unit=unit)
        echo_json({"format_version": 1, "event": event.to_dict()}) if fmt == "json" else click.echo(_event_line(event))


@run.command()
@_run_options("text", "json")
def tick(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """Fire timers: record overdue tasks and escalate them. Exit 1 when any task is overdue."""
    with _engine(session, db, campaign_id, now) as engine:
        _not_before_log(engine, now, session.lang)
        events = engine.tick(now)
        overdue = engine.tasks(overdue=True)
        if fmt == "json":
            echo_json({"format_version": 1, "events": [e.to_dict() for e in events],
                       "overdue": [v.id for v in overdue]})
        else:
            for e in events:
                click.echo(_event_line(e))
            if not events:
                click.echo(t(session.lang, "no timer due", "无到期计时"))
    raise SystemExit(ExitCode.FINDINGS if overdue else ExitCode.OK)


@run.command()
@click.option("--task", default=None, help="Only this task's events.")
@click.option("--unit", default=None, help="Only events this unit made or was the target of.")
@_personal_option
@_run_options("text", "json", "csv")
def log(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, task: str | None,
        unit: str | None, show_personal: bool, fmt: str) -> None:
    """The audit log (a task's or a unit's history with --task / --unit)."""
    from ..runtime import personal

    with _engine(session, db, campaign_id, now, check_plan=False) as engine:  # the log reads under any plan
        events = engine.history(task=task, unit=unit)
    # Households' personal values are shown as the chain has them (pseudonyms) unless asked for.
    events = events if show_personal else [personal.redacted(e) if personal.is_concealed(e) else e for e in events]
    rows = [personal.field_dict(e) if show_personal else e.to_dict() for e in events]
    if fmt == "json":
        echo_json({"format_version": 1, "events": rows})
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["seq"])
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        for e in events:
            click.echo(_event_line(e))


def _key_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="A file holding the secret key for keyed (HMAC) checkpoints; keep it outside the "
                             "database.")(f)


def _read_key(session: Session, path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise PlanInputError(t(session.lang, f"{path}: error: cannot read the key file: {exc.strerror}",
                               f"{path}:错误:无法读取密钥文件:{exc.strerror}")) from None
    if len(key.strip()) < 16:
        raise PlanInputError(t(session.lang, f"{path}: error: the key must be at least 16 bytes",
                               f"{path}:错误:密钥至少须 16 字节"))
    return key.strip()


@run.command()
@_key_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the checkpoint to this file (default: print it).")
@_run_options()
def checkpoint(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, key_file: Path | None,
               output: Path | None) -> None:
    """Print the verified head of the log (seq, hash) as JSON, keyed with --key-file, to keep elsewhere.

    `run verify --checkpoint FILE` later reports events removed or rewritten up to it.
    """
    from ..runtime import take_checkpoint

    key = _read_key(session, key_file)
    with _store(session, db, campaign_id) as (store, cid):
        try:
            point = take_checkpoint(store, cid, key=key)
        except TamperedLogError as exc:
            raise PlanInputError(t(session.lang, f"error: no checkpoint of a tampered log: {exc}",
                                   f"错误:日志被篡改,不能生成检查点:{exc}")) from None
    if output is None:
        click.echo(point.to_json())
        return
    try:
        output.write_text(point.to_json() + "\n", encoding="utf-8")
    except OSError as exc:
        raise PlanInputError(t(session.lang, f"{output}: error: cannot write the checkpoint: {exc.strerror}",
                               f"{output}:错误:无法写入检查点:{exc.strerror}")) from None


@run.command()
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A checkpoint kept from `run checkpoint`: also report events removed or rewritten up to it.")
@_key_option
@_run_options("text", "json")
def verify(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None,
           checkpoint_file: Path | None, key_file: Path | None, fmt: str) -> None:
    """Check the log's hash chain (and a kept checkpoint). Exit 1 if it was tampered with."""
    from ..runtime import Checkpoint, verify_chain, verify_checkpoint

    key = _read_key(session, key_file)
    point = None
    if checkpoint_file is not None:
        try:
            point = Checkpoint.from_json(checkpoint_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise PlanInputError(t(session.lang, f"{checkpoint_file}: error: cannot read the checkpoint: {why}",
                                   f"{checkpoint_file}:错误:无法读取检查点:{why}")) from None
        if campaign_id is not None and campaign_id != point.campaign:
            raise PlanInputError(t(session.lang, f"{checkpoint_file}: error: the checkpoint is of campaign "
                                   f"{point.campaign!r}, not {campaign_id!r}",
                                   f"{checkpoint_file}:错误:检查点属于活动 {point.campaign!r}"))
        campaign_id = point.campaign
    elif key is not None:
        raise PlanInputError(t(session.lang, "error: --key-file needs --checkpoint",
                               "错误:--key-file 须与 --checkpoint 同用"))
    # Straight from the store: the log is not replayed (a tampered one may not replay) and the plan is not needed.
    with _store(session, db, campaign_id) as (store, cid):
        head = store.head(cid)
        try:
            if point is not None:
                report = verify_checkpoint(store, point, key=key)
            else:
                report = verify_chain(cid, store.read(cid), head=(head.seq, head.hash))
        except TamperedLogError as exc:
            if fmt == "json":
                echo_json({"format_version": 1, "campaign": cid, "ok": False,
                           "sequence": exc.sequence, "error": str(exc)})
            else:
                click.echo(t(session.lang, f"TAMPERED: {exc}", f"日志被篡改:{exc}"))
            raise SystemExit(ExitCode.FINDINGS) from None
    if fmt == "json":
        echo_json({"format_version": 1, **report.to_dict(),
                   **({"checkpoint": point.seq} if point is not None else {})})
    else:
        click.echo(t(session.lang, f"log verified: {report.events} events, head {report.head_hash[:16]}",
                     f"日志校验通过:{report.events} 条事件,末哈希 {report.head_hash[:16]}"))


# -- supervision (督办), issue 16 -------------------------------------------------------------


@run.command()
@click.argument("plan", metavar="NEW_PLAN")
@click.option("--apply", "apply_", is_flag=True, help="Amend the running campaign (without it nothing changes).")
@click.option("--as", "unit", default=None, metavar="UNIT", help="The unit you act for (recorded).")
@click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
@click.option("--reason", default=None, help="Why the plan changes (recorded).")
@_run_options("text", "json")
def amend(session: Session, plan: str, db: str | Path, campaign_id: str | None, now: datetime | None, apply_: bool,
          unit: str | None, person: str | None, reason: str | None, fmt: str) -> None:
    """Amend the running campaign to NEW_PLAN: report tasks added, removed, renamed, deadlines moved.

    Changes nothing unless --apply; then one `amended` event records both plan fingerprints.
    Exit 1 when the amendment is refused (e.g. it removes a started task), 2 with --apply.
    """
    from ..errors import AmendmentRefused
    from ..runtime import Actor, Engine

    lang = session.lang
    new = _absolute(load_campaign(session, plan))
    with _store(session, db, campaign_id) as (store, cid):
        if new.id != cid:
            raise PlanInputError(t(lang, f"error: {plan} is the plan of campaign {new.id!r}, not {cid!r}",
                                   f"错误:{plan} 是活动 {new.id!r} 的方案,不是 {cid!r}"))
        clock = _FixedClock(now) if now is not None else None
        try:
            # Opened on the new plan without checking it: the engine only amends (or reads) until applied.
            engine = Engine.open(new, store, plugins=session.plugins, clock=clock, check_plan=False)
            if apply_:
                _not_before_log(engine, now, lang)
            actor = Actor(person or _login(unit), {unit}) if unit is not None else None
            migration = engine.amend(new, apply=apply_, actor=actor, reason=reason)
        except AmendmentRefused as exc:
            migration = exc.migration  # type: ignore[assignment]
            _print_migration(migration, fmt, lang)
            raise PlanInputError(f"{t(lang, 'error', '错误')}: {exc.text.get(lang)}") from None
        except RuntimeEngineError as exc:
            text = getattr(exc, "text", None)
            raise PlanInputError(f"{t(lang, 'error', '错误')}: {text.get(lang) if text else exc}") from None
    _print_migration(migration, fmt, lang)
    if fmt != "json":
        if migration.applied is not None:
            click.echo(t(lang, f"amended: event #{migration.applied}", f"已修订:事件 #{migration.applied}"))
        elif not apply_ and migration.ok and migration.changes:
            click.echo(t(lang, "nothing changed: run again with --apply to amend",
                         "未作改动:确认无误后加 --apply 执行修订"))
    raise SystemExit(ExitCode.OK if migration.ok else ExitCode.FINDINGS)


def _print_migration(migration: Any, fmt: str, lang: str) -> None:
    if fmt == "json":
        echo_json({"format_version": 1, "migration": migration.to_dict()})
    else:
        for line in migration.lines(lang):
            click.echo(line)


def _parse_within(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from ..model import Lag

    try:
        lag = Lag.parse(value)
    except ValueError:
        lag = None
    if lag is None or lag.days < 0:
        msg = f'expected a time like "3d" (calendar days), "2wd" (working days) or "4h" (working hours), got {value!r}'
        raise click.BadParameter(msg)
    return lag


@run.command()
@click.option("--within", default=None, callback=_parse_within, metavar="DURATION",
              help='Also list what falls due within this time from now ("3d", "2wd" working days, "4h"), '
                   "each with when; nothing is fired.")
@_run_options("text", "json")
def reminders(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, within: Any,
              fmt: str) -> None:
    """What `run tick` would send now: reminders (催办), overdue notices and ladder levels not yet sent.

    With --within, a look-ahead: also what falls due in that window, each with the time it falls
    due (if nothing happens meanwhile). Sends nothing and writes nothing; the plan's
    [supervision] sets the reminders and the ladder.
    """
    with _engine(session, db, campaign_id, now) as engine:
        try:
            due = engine.reminders(now, within=within)
        except (ValueError, OverflowError) as exc:  # a window outside the campaign calendar's range
            raise PlanInputError(t(session.lang, f"error: --within {within}: {exc}",
                                   f"错误:--within {within}:{exc}")) from None
    if fmt == "json":
        echo_json({"format_version": 1, "due": [
            {"kind": str(d.kind), "task": d.task, "unit": d.unit, "to": d.target, "timer": d.ref, "reason": d.reason,
             "step": d.step, "at": d.at.isoformat()} for d in due]})
        return
    if not due:
        click.echo(t(session.lang, "nothing due to be sent", "无待发送的提醒"))
    for d in due:
        to = d.target or d.unit or "-"
        when = f"{d.at:%Y-%m-%d %H:%M}  " if within is not None else ""
        click.echo(f"{when}{d.kind!s:<10} {d.task or '-':<32} -> {to:<16} {d.reason or ''}")


def _parse_until(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from datetime import date

    try:
        return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    except ValueError:
        msg = f"expected a date like 2020-10-17 (the end of that day) or a time like 2020-10-17T12:00, got {value!r}"
        raise click.BadParameter(msg) from None


def _extension_command(name: str, doc: str) -> click.Command:
    @click.argument("task")
    @click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for.")
    @click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
    @click.option("--until", default=None, callback=_parse_until, metavar="DATE",
                  help="The deadline asked for or granted (a date is the end of that day).")
    @click.option("--reason", default=None, help="Why (required to ask and to refuse).")
    @click.option("--key", default=None, help="Idempotency key: the same key never acts twice.")
    @_run_options("text", "json")
    def command(session: Session, task: str, unit: str, person: str | None, until: Any, reason: str | None,
                key: str | None, db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
        from ..runtime import Actor

        lang = session.lang
        if name == "request-extension" and until is None:
            raise PlanInputError(t(lang, "error: --until is required", "错误:须指定 --until"))
        if name != "grant-extension" and not reason:
            raise PlanInputError(t(lang, "error: --reason is required", "错误:须说明理由 --reason"))
        actor = Actor(person or _login(unit), {unit})
        with _engine(session, db, campaign_id, now) as engine:
            _not_before_log(engine, now, lang)
            if name == "request-extension":
                event = engine.request_extension(task, actor, until=until, reason=reason or "", unit=unit, key=key)
            elif name == "grant-extension":
                event = engine.grant_extension(task, actor, until=until, reason=reason, unit=unit, key=key)
            else:
                event = engine.refuse_extension(task, actor, reason=reason or "", unit=unit, key=key)
        echo_json({"format_version": 1, "event": event.to_dict()}) if fmt == "json" else click.echo(_event_line(event))

    command.__doc__ = doc
    return click.command(name)(command)


for _name, _doc in (("request-extension", "Ask for a later deadline of TASK (延期申请): --until DATE --reason WHY."),
                    ("grant-extension", "Grant TASK's extension request (a superior of its lead; --until for "
                                        "another date)."),
                    ("refuse-extension", "Refuse TASK's extension request, with --reason.")):
    run.add_command(_extension_command(_name, _doc))


@run.command()
@click.argument("task")
@click.option("--to", "to", required=True, metavar="UNIT", help="The unit that does the work (委派).")
@click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for (the lead).")
@click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
@click.option("--reason", default=None)
@_run_options("text", "json")
def delegate(session: Session, task: str, to: str, unit: str, person: str | None, reason: str | None,
             db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """委派: have unit --to do TASK's work; the lead keeps it and the result returns to it (`run recall` ends it)."""
    from ..runtime import Actor

    with _engine(session, db, campaign_id, now) as engine:
        _not_before_log(engine, now, session.lang)
        event = engine.delegate(task, Actor(person or _login(unit), {unit}), to=to, reason=reason, unit=unit)
    echo_json({"format_version": 1, "event": event.to_dict()}) if fmt == "json" else click.echo(_event_line(event))


@run.command()
@click.argument("task")
@click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for (the lead).")
@click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
@click.option("--reason", default=None)
@_run_options("text", "json")
def recall(session: Session, task: str, unit: str, person: str | None, reason: str | None, db: str | Path,
           campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """Take a delegated TASK back."""
    from ..runtime import Actor

    with _engine(session, db, campaign_id, now) as engine:
        _not_before_log(engine, now, session.lang)
        event = engine.recall(task, Actor(person or _login(unit), {unit}), reason=reason, unit=unit)
    echo_json({"format_version": 1, "event": event.to_dict()}) if fmt == "json" else click.echo(_event_line(event))


@run.command()
@click.argument("for_unit", metavar="UNIT")
@click.option("--deputy", required=True, metavar="UNIT", help="The unit standing in (代理).")
@click.option("--until", required=True, callback=_parse_until, metavar="DATE",
              help="When the stand-in ends (a date is the end of that day).")
@click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for (UNIT or a superior).")
@click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
@click.option("--reason", default=None)
@_run_options("text", "json")
def deputy(session: Session, for_unit: str, deputy: str, until: Any, unit: str, person: str | None,
           reason: str | None, db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """代理: --deputy stands in for UNIT until --until (whoever acts for it may do what UNIT may)."""
    from ..runtime import Actor

    with _engine(session, db, campaign_id, now) as engine:
        _not_before_log(engine, now, session.lang)
        event = engine.appoint_deputy(for_unit, Actor(person or _login(unit), {unit}), deputy=deputy, until=until,
                                      reason=reason)
    if fmt == "json":
        echo_json({"format_version": 1, "event": event.to_dict()})
    else:
        click.echo(f"#{event.seq:<5} {event.at:%Y-%m-%d %H:%M}  {event.kind!s:<10} {event.target} for {event.unit} "
                   f"until {event.ref}" + (f" ({event.reason})" if event.reason else ""))


@run.command()
@click.argument("task")
@click.option("--as", "unit", required=True, metavar="UNIT", help="The unit you act for (a recipient).")
@click.option("--person", default=None, help="Who you are (default: LOGIN@UNIT).")
@click.option("--submission", default=0, show_default=True, type=click.IntRange(min=0),
              help="Which of the task's reports_to (from 0).")
@click.option("--recipient", default=None, metavar="UNIT|GROUP", help="The recipient signed for (when several).")
@click.option("--key", default=None, help="Idempotency key: the same key never acts twice.")
@_run_options("text", "json")
def receive(session: Session, task: str, unit: str, person: str | None, submission: int, recipient: str | None,
            key: str | None, db: str | Path, campaign_id: str | None, now: datetime | None, fmt: str) -> None:
    """签收: confirm that the unit --as received TASK's report (its reports_to)."""
    from ..runtime import Actor

    with _engine(session, db, campaign_id, now) as engine:
        _not_before_log(engine, now, session.lang)
        event = engine.receive(task, Actor(person or _login(unit), {unit}), submission=submission,
                               recipient=recipient, unit=unit, key=key)
    echo_json({"format_version": 1, "event": event.to_dict()}) if fmt == "json" else click.echo(_event_line(event))


# -- personal data (households), issue 20 -------------------------------------------------------


@run.command()
@_db_option
@click.option("--household", default=None, help="The household unit whose personal data is erased.")
@click.option("--all", "erase_all", is_flag=True, help="Erase the personal data of every household.")
@format_option("text", "json")
@lang_option
@pass_session
def erase(session: Session, db: str | Path, campaign_id: str | None, now: datetime | None, household: str | None,
          erase_all: bool, fmt: str) -> None:
    """Erase households' personal data on request; the log's chain, and so `run verify`, is unaffected."""
    if (household is None) == (not erase_all):
        raise PlanInputError(t(session.lang, "error: give --household UNIT or --all (one of them)",
                               "错误:请给出 --household UNIT 或 --all(二选一)"))
    with _engine(session, db, campaign_id, now, check_plan=False) as engine:
        try:
            count = engine.erase_personal(household)
        except (UnknownTaskError, StoreError) as exc:
            raise PlanInputError(f"{t(session.lang, 'error', '错误')}: {exc}") from None
        cid = engine.campaign.id
    if fmt == "json":
        echo_json({"format_version": 1, "campaign": cid, "household": household, "erased": count})
    else:
        click.echo(t(session.lang, f"erased {count} personal values", f"已删除 {count} 项个人信息"))
