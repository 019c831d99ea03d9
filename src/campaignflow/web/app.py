"""``create_app``: a server-rendered Starlette app over running campaigns, one engine per campaign per process.

Every page reads the store again first (``Engine.refresh``), so several
workers, each with its own engines on one store, see each other's transitions.
Every action goes through the engine, which decides what the signed-in actor
may do; the app only offers the buttons the engine would accept and adds CSRF
protection. Templates autoescape: plan text is never rendered as markup.
"""

from __future__ import annotations

import hmac
import io
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..errors import InvalidTransition, NotAuthorized, TamperedLogError, TransitionError, UnknownTaskError
from ..model import Campaign, end_instant, start_instant
from ..runtime import Actor, Clock, Engine, EventKind, Store, TaskState, TaskView
from .auth import DemoLogin, Identify
from .i18n import LANGS, translator

__all__ = ["ACTIONS", "create_app"]

#: The actions a page offers, in the order of the buttons.
ACTIONS = ("start", "complete", "submit", "approve", "reject", "reassign", "cancel",
           # supervision (督办, issue 16): 延期 asked, granted or refused; 委派 and its recall; 签收
           "request-extension", "grant-extension", "refuse-extension", "delegate", "recall", "receive")
_TERMINAL = (TaskState.DONE, TaskState.CANCELLED)
_GANTT_ROWS = 300  # beyond this a Gantt in HTML is no longer readable; the ledger has every task
_TEMPLATES = Path(__file__).with_name("templates")


@attrs.frozen
class _Row:
    """A task as a list page shows it: the view plus what the page computes for it."""

    view: TaskView
    due_text: str
    days_left: int | None
    late: bool


class _Desk:
    """The app's state in one process: the engines, the login hook, the secret."""

    def __init__(self, engines: dict[str, Engine], identify: Identify, secret: bytes, login: DemoLogin | None,
                 now: Callable[[], datetime] | None) -> None:
        self.engines = engines
        self.identify = identify
        self.secret = secret
        self.login = login
        self._now = now
        self._reports: dict[str, dict[str, dict[str, None]]] = {}
        self.supervisors: frozenset[str] = frozenset()

    def reports_to(self, engine: Engine, unit: str) -> list[str]:
        """Ids of the tasks that send (报, ``reports_to``) something to ``unit``, in plan order."""
        index = self._reports.get(engine.campaign.id)
        if index is None:
            # Built once per campaign: the plan does not change under an engine.
            index = {}
            c = engine.campaign
            for task in c.tasks.values():
                for sub in task.reports_to:
                    for uid in c.expand(sub.to) or sub.to:
                        index.setdefault(uid, {})[task.id] = None
            self._reports[engine.campaign.id] = index
        return list(index.get(unit, {}))

    def tick(self, engine: Engine) -> list[Any]:
        """Fire the campaign's passed timers (overdue, escalation) as of now; the events written."""
        engine.refresh()
        return engine.tick(self.now(engine))

    def supervises(self, engine: Engine, actor: Actor | None) -> str | None:
        """The unit of ``actor`` that may ask for a deadline check of the campaign, if any."""
        if actor is None:
            return None
        c = engine.campaign
        allowed = set(self.supervisors)
        if c.issuer is not None:
            allowed |= {c.issuer, *c.ancestors(c.issuer)}
        mine = sorted(actor.units & allowed)
        return mine[0] if mine else None

    def now(self, engine: Engine) -> datetime:
        return self._now() if self._now is not None else engine.clock.now()

    def csrf(self, actor: Actor | None) -> str:
        # Bound to the person and their units: a token copied from one sign-in is no use for another.
        who = "" if actor is None else actor.person + "\n" + ",".join(sorted(actor.units))
        return hmac.new(self.secret, b"csrf\n" + who.encode(), "sha256").hexdigest()


def create_app(campaigns: Sequence[Campaign], store: Store, *, identify: Identify | None = None,
               login: DemoLogin | None = None, secret: bytes | None = None, plugins: Any = None,
               clock: Clock | None = None, supervisors: Iterable[str] | None = None,
               tick_every: float | None = None) -> Starlette:
    """The web app for ``campaigns`` running on ``store`` (any ``Store``: SQLite, PostgreSQL, memory).

    Args:
        campaigns: the loaded plans; each is opened (or started) on ``store``.
        store: this process's store; give each worker process its own.
        identify: the host's login hook, ``request -> Actor | None``
            (``header_identity()`` behind a reverse proxy). Required unless ``login`` is given.
        login: a ``DemoLogin`` instead (a sign-in form; for a developer's machine only).
        secret: the key for CSRF tokens and the demo cookie; every worker of one
            deployment must share it. Default: random (fine for one process).
        plugins: plugin manager for the plans' calendars and event hooks.
        clock: where "now" comes from (default: the system clock in each campaign's timezone).
        supervisors: units offered the "check deadlines" button (``Engine.tick``) on the overview,
            besides each campaign's issuer and the issuer's superiors (the supervising office).
        tick_every: seconds between deadline checks run by the app itself in the background
            (every worker runs them; the engine commits each timer once). ``None``: only the
            button, or a cron ``campaignflow run tick``.
    """
    if identify is None and login is None:
        msg = "create_app needs identify= (the host's login hook) or login= (a DemoLogin)"
        raise TypeError(msg)
    engines = {c.id: Engine.open(c, store, plugins=plugins, clock=clock) for c in campaigns}
    for engine in engines.values():
        # A double-clicked refused button is counted, not logged twice (the audit page shows the count).
        engine.coalesce_seconds = 60.0
    who = identify if identify is not None else login.identify  # type: ignore[union-attr]
    desk = _Desk(engines, who, secret or secrets.token_bytes(32), login, clock.now if clock is not None else None)
    desk.supervisors = frozenset(supervisors or ())
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    pages = _Pages(desk, Jinja2Templates(env=env))
    routes = [
        Route("/", pages.index),
        Route("/login", pages.login_form, methods=["GET"]),
        Route("/login", pages.login_post, methods=["POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/c/{cid}/", pages.campaign_home),
        Route("/c/{cid}/inbox", pages.inbox),
        Route("/c/{cid}/tasks/{tid}", pages.task),
        Route("/c/{cid}/tasks/{tid}/act", pages.act, methods=["POST"]),
        Route("/c/{cid}/ledger", pages.ledger),
        Route("/c/{cid}/ledger.xlsx", pages.ledger_xlsx),
        Route("/c/{cid}/overview", pages.overview),
        Route("/c/{cid}/tick", pages.tick, methods=["POST"]),
        Route("/c/{cid}/audit", pages.audit),
    ]
    lifespan = None
    if tick_every is not None:
        if not tick_every > 0:
            msg = f"tick_every must be a number of seconds > 0, got {tick_every!r}"
            raise ValueError(msg)
        lifespan = _ticking(desk, float(tick_every))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.desk = desk
    return app


def _ticking(desk: _Desk, every: float) -> Callable[[Starlette], Any]:
    """A lifespan that checks every campaign's deadlines every ``every`` seconds while the app runs."""
    import contextlib
    import logging

    import anyio
    import anyio.to_thread

    log = logging.getLogger("campaignflow.web")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        async def loop() -> None:
            while True:
                await anyio.sleep(every)
                for engine in desk.engines.values():
                    try:
                        # In a thread: the engine's store calls block.
                        await anyio.to_thread.run_sync(desk.tick, engine)
                    except Exception:  # noqa: BLE001 - a failed check is retried next time, never kills the app
                        log.exception("deadline check of campaign %s failed", engine.campaign.id)

        async with anyio.create_task_group() as group:
            group.start_soon(loop)
            yield
            group.cancel_scope.cancel()

    return lifespan


class _Pages:
    """The route handlers. Plain ``def`` handlers: Starlette runs them in its thread pool."""

    def __init__(self, desk: _Desk, templates: Jinja2Templates) -> None:
        self.desk = desk
        self.templates = templates

    # -- helpers -------------------------------------------------------------------

    def _lang(self, request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or LANGS[0]
        return lang if lang in LANGS else LANGS[0]

    def _render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        lang = self._lang(request)
        actor = self.desk.identify(request)
        base = {"_": translator(lang), "lang": lang, "other_lang": LANGS[1] if lang == LANGS[0] else LANGS[0],
                "actor": actor, "csrf": self.desk.csrf(actor), "demo": self.desk.login is not None,
                "campaign": None, "names": {}, "message": None, "fmt": _fmt, "deadline": _deadline, "path": request.url.path,
                "root": _root(request)}
        base.update(context)
        response = self.templates.TemplateResponse(request, name, base, status_code=status)
        if request.query_params.get("lang") in LANGS:
            response.set_cookie("lang", lang, samesite="lax", httponly=True)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self' 'unsafe-inline'"
        return response

    def _problem(self, request: Request, status: int, title: str, message: str) -> Response:
        return self._render(request, "problem.html", status=status, title=title, detail=message)

    def _engine(self, request: Request) -> Engine:
        engine = self.desk.engines.get(request.path_params["cid"])
        if engine is None:
            raise UnknownTaskError(f"no campaign {request.path_params['cid']!r} here")
        engine.refresh()  # read what other workers appended
        return engine

    def _context(self, engine: Engine) -> dict[str, Any]:
        c = engine.campaign
        names = {uid: u.name for uid, u in c.units.items()} | {gid: g.name or gid for gid, g in c.groups.items()}
        return {"campaign": c, "names": names}

    def _unit(self, request: Request, actor: Actor) -> str:
        wanted = request.query_params.get("unit")
        return wanted if wanted in actor.units else sorted(actor.units)[0]

    def _row(self, engine: Engine, view: TaskView, now: datetime) -> _Row:
        due = view.next_due
        if due is None:
            return _Row(view, "", None, False)
        late = view.state not in _TERMINAL and (view.overdue or due <= now)
        # A date deadline is the end of its day (midnight after): count the days up to and including it.
        last = (due - timedelta(microseconds=1)).date()
        left = None if late or view.state in _TERMINAL else _axis(engine).working_days_between(now.date(), last)
        # A date deadline (due at the midnight after it) is shown as that date.
        shown = f"{last:%Y-%m-%d}" if due.time() == datetime.min.time() else _fmt(due)
        return _Row(view, shown, left, late)

    def _guard(self, request: Request) -> tuple[Actor | None, Response | None]:
        actor = self.desk.identify(request)
        if actor is None:
            if self.desk.login is not None:
                return None, RedirectResponse(f"{_root(request)}/login?next={request.url.path}", status_code=303)
            tr = translator(self._lang(request))
            return None, self._problem(request, 401, tr("signin"), tr("need_signin"))
        return actor, None

    def _handle(self, request: Request, page: Callable[[Request, Actor], Response]) -> Response:
        actor, refusal = self._guard(request)
        if refusal is not None:
            return refusal
        tr = translator(self._lang(request))
        try:
            return page(request, actor)  # type: ignore[arg-type]
        except UnknownTaskError as exc:
            return self._problem(request, 404, tr("not_found"), str(exc))

    # -- sign-in (DemoLogin only) ----------------------------------------------------

    def login_form(self, request: Request) -> Response:
        if self.desk.login is None:
            return self._problem(request, 404, "404", "no sign-in form: the host signs people in")
        return self._render(request, "login.html", units=self.desk.login.units,
                            next=_local(request.query_params.get("next", f"{_root(request)}/"), _root(request)))

    def login_post(self, request: Request) -> Response:
        login = self.desk.login
        if login is None:
            return self._problem(request, 404, "404", "no sign-in form: the host signs people in")
        form = _form(request)
        tr = translator(self._lang(request))
        if not hmac.compare_digest(form.get("csrf", ""), self.desk.csrf(None)):
            return self._problem(request, 403, tr("forbidden"), tr("csrf"))
        person, unit = form.get("person", "").strip(), form.get("unit", "")
        if not person or unit not in login.units:
            return self._problem(request, 400, tr("bad_request"), f"{tr('person')}/{tr('unit')}?")
        response = RedirectResponse(_local(form.get("next", ""), _root(request)), status_code=303)
        response.set_cookie(login.cookie, login.cookie_value(person, unit), httponly=True, samesite="lax")
        return response

    def logout(self, request: Request) -> Response:
        if not hmac.compare_digest(_form(request).get("csrf", ""), self.desk.csrf(self.desk.identify(request))):
            tr = translator(self._lang(request))
            return self._problem(request, 403, tr("forbidden"), tr("csrf"))
        response = RedirectResponse(f"{_root(request)}/", status_code=303)
        if self.desk.login is not None:
            response.delete_cookie(self.desk.login.cookie)
        return response

    # -- pages -----------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        engines = self.desk.engines
        if len(engines) == 1:
            return RedirectResponse(f"{_root(request)}/c/{next(iter(engines))}/inbox", status_code=303)
        return self._render(request, "index.html", engines=list(engines.values()))

    def campaign_home(self, request: Request) -> Response:
        return RedirectResponse(f"{_root(request)}/c/{request.path_params['cid']}/inbox", status_code=303)

    def inbox(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            engine = self._engine(request)
            unit = self._unit(request, actor)
            now = self.desk.now(engine)
            rows = [self._row(engine, v, now) for v in engine.agenda(unit, now=now, days=36500)]
            rows.sort(key=lambda r: (not r.late, r.view.next_due or datetime.max, r.view.id))
            # What other units send (报) to this one: received, not approved; shown for reading, no action.
            received = [_report_row(engine, engine.task(tid), unit, now) for tid in self.desk.reports_to(engine, unit)]
            if received:  # 签收 buttons: the reports this unit may sign for
                records = engine.state
                for r in received:
                    receipts = _receipts(engine, r["view"], records.record(r["view"].id).received)
                    mine = [x for x in receipts if unit in x[2]]
                    r["signed"] = bool(mine) and all(x[3] for x in mine)
                    r["receive"] = [a for a in _supervision_offered(r["view"], Actor(actor.person, {unit}), (), mine)
                                    if a[0] == "receive"]
                    r["key"] = uuid.uuid4().hex
            done = request.query_params.get("done")
            message = None
            if done in ACTIONS:
                tr = translator(self._lang(request))
                message = ("ok", tr("done_msg") + ": " + tr("a." + done))
            return self._render(request, "inbox.html", unit=unit, rows=rows, received=received, message=message,
                                **self._context(engine))

        return self._handle(request, page)

    def task(self, request: Request) -> Response:
        return self._handle(request, lambda request, actor: self._task_page(request, actor, None))

    def _task_page(self, request: Request, actor: Actor, message: tuple[str, str] | None,
                   status: int = 200) -> Response:
        engine = self._engine(request)
        view = engine.task(request.path_params["tid"])
        now = self.desk.now(engine)
        task = engine.campaign.tasks[view.id]
        history = engine.history(task=view.id)
        chain = _chain(engine, view, history)
        done = request.query_params.get("done")
        if message is None and done in ACTIONS:
            message = ("ok", translator(self._lang(request))("done_msg") + ": "
                       + translator(self._lang(request))("a." + done))
        return self._render(request, "task.html", status=status, view=view, task=task, row=self._row(engine, view, now),
                            chain=chain, history=history, message=message,
                            actions=_offered(view, actor, now, engine.plan.superiors(view.lead),
                                             _receipts(engine, view)),
                            recipients=_recipients(engine, history),
                            reports=[_report(engine, view, sub, now) for sub in task.reports_to],
                            key=uuid.uuid4().hex, **self._context(engine))

    def act(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            tr = translator(self._lang(request))
            form = _form(request)
            if not hmac.compare_digest(form.get("csrf", ""), self.desk.csrf(actor)):
                return self._problem(request, 403, tr("forbidden"), tr("csrf"))
            engine = self._engine(request)
            tid = request.path_params["tid"]
            action = form.get("action", "")
            unit = form.get("unit") or None
            key = form.get("key") or None
            try:
                if action == "reject":
                    engine.reject(tid, actor, reason=form.get("reason", "").strip(), unit=unit, key=key)
                elif action in ("start", "complete", "submit"):
                    getattr(engine, action)(tid, actor, unit=unit, key=key)
                elif action == "approve":
                    engine.approve(tid, actor, unit=unit, reason=form.get("reason") or None, key=key)
                elif action == "reassign":
                    to = form.get("to", "")
                    if to not in engine.campaign.units:
                        return self._task_page(request, actor, ("error", f"{tr('refused')}: {tr('to')}: {to!r}?"),
                                               status=400)
                    engine.reassign(tid, actor, to=to, reason=form.get("reason", "").strip() or None, unit=unit,
                                    key=key)
                elif action == "cancel":
                    engine.cancel(tid, actor, reason=form.get("reason", "").strip() or None, unit=unit, key=key)
                elif action in ACTIONS:
                    refused = self._supervise(engine, tid, actor, action, form, unit, key, tr)
                    if refused is not None:
                        return self._task_page(request, actor, ("error", f"{tr('refused')}: {refused}"), status=400)
                else:
                    return self._problem(request, 400, tr("bad_request"), f"action {action!r}?")
            except TransitionError as exc:
                text = getattr(exc, "text", None)
                shown = text.get(self._lang(request)) if text is not None else str(exc)
                status = 403 if isinstance(exc, NotAuthorized) else 409 if isinstance(exc, InvalidTransition) else 400
                return self._task_page(request, actor, ("error", f"{tr('refused')}: {shown}"), status=status)
            back = form.get("back", "")
            if back == "inbox":  # a 签收 from the inbox returns there
                return RedirectResponse(f"{_root(request)}/c/{engine.campaign.id}/inbox?unit={unit or ''}&done={action}",
                                        status_code=303)
            return RedirectResponse(f"{_root(request)}/c/{engine.campaign.id}/tasks/{tid}?done={action}",
                                    status_code=303)

        return self._handle(request, page)

    def _supervise(self, engine: Engine, tid: str, actor: Actor, action: str, form: dict[str, str],
                   unit: str | None, key: str | None, tr: Callable[[str], str]) -> str | None:
        """Issue 16's actions from a form, through the engine (which decides); a bad form field's text."""
        reason = form.get("reason", "").strip()
        until = None
        if form.get("until"):
            try:
                until = datetime.strptime(form["until"], "%Y-%m-%d").date()
            except ValueError:
                return f"{tr('until')}: {form['until']!r}?"
        if action == "request-extension":
            if until is None:
                return f"{tr('until')}?"
            engine.request_extension(tid, actor, until=until, reason=reason, unit=unit, key=key)
        elif action == "grant-extension":
            engine.grant_extension(tid, actor, until=until, reason=reason or None, unit=unit, key=key)
        elif action == "refuse-extension":
            engine.refuse_extension(tid, actor, reason=reason, unit=unit, key=key)
        elif action == "delegate":
            to = form.get("to", "")
            if to not in engine.campaign.units:
                return f"{tr('delegate_to')}: {to!r}?"
            engine.delegate(tid, actor, to=to, reason=reason or None, unit=unit, key=key)
        elif action == "recall":
            engine.recall(tid, actor, reason=reason or None, unit=unit, key=key)
        else:  # receive
            submission = form.get("submission", "0")
            if not submission.isdigit():
                return f"{tr('reports')}: {submission!r}?"
            engine.receive(tid, actor, submission=int(submission), recipient=form.get("recipient") or None,
                           unit=unit, key=key)
        return None

    def _ledger_rows(self, request: Request, actor: Actor) -> tuple[Engine, str, list[_Row]]:
        engine = self._engine(request)
        unit = self._unit(request, actor)
        now = self.desk.now(engine)
        return engine, unit, [self._row(engine, v, now) for v in engine.tasks(unit=unit)]

    def ledger(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            engine, unit, rows = self._ledger_rows(request, actor)
            return self._render(request, "ledger.html", unit=unit, rows=rows, **self._context(engine))

        return self._handle(request, page)

    def ledger_xlsx(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            engine, unit, rows = self._ledger_rows(request, actor)
            body = _xlsx(engine, unit, rows, translator(self._lang(request)))
            name = f"{engine.campaign.id}-{unit}-ledger.xlsx"
            return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

        return self._handle(request, page)

    def overview(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            engine = self._engine(request)
            now = self.desk.now(engine)
            rows = [self._row(engine, v, now) for v in engine.tasks()]
            counts: dict[str, int] = {str(s): 0 for s in TaskState}
            for r in rows:
                counts[str(r.view.state)] += 1
            late = [r for r in rows if r.late]
            soon = [r for r in rows if not r.late and r.view.state not in _TERMINAL and r.days_left is not None
                    and r.days_left <= 3]
            tr = translator(self._lang(request))
            ticked = request.query_params.get("ticked")
            message = ("ok", f"{tr('ticked')}: {int(ticked)}") if ticked and ticked.isdigit() else None
            return self._render(request, "overview.html", counts=counts, late=late, soon=soon, message=message,
                                supervisor=self.desk.supervises(engine, actor),
                                gantt=_gantt(engine, rows[:_GANTT_ROWS], now), total=len(rows),
                                shown=min(len(rows), _GANTT_ROWS), **self._context(engine))

        return self._handle(request, page)

    def tick(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            tr = translator(self._lang(request))
            if not hmac.compare_digest(_form(request).get("csrf", ""), self.desk.csrf(actor)):
                return self._problem(request, 403, tr("forbidden"), tr("csrf"))
            engine = self._engine(request)
            if self.desk.supervises(engine, actor) is None:
                return self._problem(request, 403, tr("forbidden"), tr("not_supervisor"))
            events = self.desk.tick(engine)
            return RedirectResponse(f"{_root(request)}/c/{engine.campaign.id}/overview?ticked={len(events)}",
                                    status_code=303)

        return self._handle(request, page)

    def audit(self, request: Request) -> Response:
        def page(request: Request, actor: Actor) -> Response:
            engine = self._engine(request)
            q = request.query_params
            task, unit, kind = q.get("task") or None, q.get("unit") or None, q.get("kind") or None
            events = engine.history(task=task, unit=unit)
            if kind is not None:
                events = [e for e in events if str(e.kind) == kind]
            try:
                report: Any = engine.verify()
                chain_ok, chain_text = True, f"{report.events}"
            except TamperedLogError as exc:
                chain_ok, chain_text = False, str(exc)
            return self._render(request, "audit.html", events=events, chain_ok=chain_ok, chain_text=chain_text,
                                coalesced=dict(getattr(engine, "coalesced_refusals", {})),
                                kinds=[str(k) for k in EventKind], f_task=task or "", f_unit=unit or "",
                                f_kind=kind or "", **self._context(engine))

        return self._handle(request, page)


def _axis(engine: Engine) -> Any:
    # ``Engine.axis`` is a method today; accept a property too, should it become one.
    axis = engine.axis
    return axis() if callable(axis) else axis


def _form(request: Request) -> dict[str, str]:
    # Handlers are sync (thread pool); the urlencoded body is parsed here with the standard library.
    import anyio.from_thread
    from urllib.parse import parse_qsl

    body: bytes = anyio.from_thread.run(request.body)
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _root(request: Request) -> str:
    # Where the app is mounted in a host's app (Starlette's Mount sets root_path): every link starts there.
    return str(request.scope.get("root_path", "")).rstrip("/")


def _local(target: str, root: str = "") -> str:
    # Only same-site paths: "//evil.example" or "https://..." would make the sign-in an open redirect.
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else f"{root}/"


def _deadline(moment: datetime | None) -> str:
    """A deadline as an office reads it: a date deadline (due at the midnight after it) is that date."""
    if moment is None:
        return ""
    if moment.time() == datetime.min.time():
        return f"{(moment - timedelta(microseconds=1)).date():%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M}"


def _fmt(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment:%Y-%m-%d}" if moment.time() == datetime.min.time() else f"{moment:%Y-%m-%d %H:%M}"


def _receipts(engine: Engine, view: TaskView,
              received: frozenset[str] | None = None) -> list[tuple[int, str, tuple[str, ...], bool]]:
    """The task's reports (``reports_to``) a recipient signs for: (submission, recipient, its units, received)."""
    info = engine.plan.tasks[view.id]
    if not info.submissions:
        return []
    if received is None:
        received = engine.state.record(view.id).received
    c = engine.campaign
    return [(sub.index, r, tuple(c.members(r) or (r,)), f"{sub.index}:{r}" in received)
            for sub in info.submissions for r in sub.to]


def _offered(view: TaskView, actor: Actor, now: datetime, superiors: Sequence[str] = (),
             receipts: Sequence[tuple[int, str, tuple[str, ...], bool]] = ()) -> list[tuple[str, str | None]]:
    """(action, unit) buttons for what the engine would accept from ``actor`` (it still decides).

    ``superiors`` are the units that may reassign or cancel the task (the lead's superiors and the
    issuer), and grant or refuse an extension; ``receipts`` are the task's reports (``_receipts``).
    A ``receive`` button's unit is ``UNIT|SUBMISSION|RECIPIENT``.
    """
    doers = sorted(actor.units & {view.lead, *view.co_leads, *view.partners})  # a co-lead works it too
    out: list[tuple[str, str | None]] = []
    for unit in doers:
        if view.state in (TaskState.READY, TaskState.REJECTED) and (view.opens is None or view.opens <= now):
            out.append(("start", unit))
        if view.state is TaskState.ACTIVE:
            out.append(("submit" if view.steps else "complete", unit))
        if view.state is TaskState.COMPLETED and view.steps:
            out.append(("submit", unit))
    if view.state is TaskState.SUBMITTED:
        for unit in sorted(actor.units & set(view.approvers)):
            out += [("approve", unit), ("reject", unit)]
    if view.state not in _TERMINAL:
        for unit in sorted(actor.units & set(superiors)):
            out += [("reassign", unit), ("cancel", unit)]
    out += _supervision_offered(view, actor, superiors, receipts)
    return out


def _supervision_offered(view: TaskView, actor: Actor, superiors: Sequence[str],
                         receipts: Sequence[tuple[int, str, tuple[str, ...], bool]]) -> list[tuple[str, str | None]]:
    # Issue 16's actions, as the engine's rules for them read (it still decides each).
    out: list[tuple[str, str | None]] = []
    lead = view.lead in actor.units
    leads = sorted(actor.units & {view.lead, *view.co_leads})  # any lead may ask for more time
    if view.state not in _TERMINAL:
        if leads and view.requested_due is None:
            out.append(("request-extension", leads[0]))
        if view.requested_due is not None:
            for unit in sorted(actor.units & set(superiors)):
                out += [("grant-extension", unit), ("refuse-extension", unit)]
    if lead and view.state in (TaskState.WAITING, TaskState.READY, TaskState.ACTIVE, TaskState.REJECTED):
        out.append(("delegate", view.lead) if view.delegate is None else ("recall", view.lead))
    if view.state in (TaskState.COMPLETED, TaskState.SUBMITTED, TaskState.DONE):
        for index, recipient, members, received in receipts:
            mine = sorted(actor.units & set(members))
            if mine and not received:
                out.append(("receive", f"{mine[0]}|{index}|{recipient}"))
    return out


def _recipients(engine: Engine, history: Iterable[Any]) -> dict[int, tuple[str, ...]]:
    """Who each event of a task's history went to: the units that must act next (a host's notification list).

    A submission goes to the first step's approvers, an approval that leaves the task submitted to the
    next step's (the approvers still pending on that step), a reassignment to the new lead, a rejection
    back to the lead.
    """
    out: dict[int, tuple[str, ...]] = {}
    approved: dict[int, set[str]] = {}
    for e in history:
        steps = engine.plan.tasks[e.task].steps if e.task in engine.plan.tasks else ()
        if e.kind is EventKind.SUBMITTED and steps:
            approved = {}
            out[e.seq] = steps[0].units
        elif e.kind is EventKind.APPROVED and e.step is not None and e.to_state == str(TaskState.SUBMITTED):
            approved.setdefault(e.step, set()).add(e.unit or "")
            if e.ref == "partial":  # 会签: the same step waits on the others
                out[e.seq] = tuple(u for u in steps[e.step].units if u not in approved[e.step])
            elif e.step + 1 < len(steps):
                out[e.seq] = steps[e.step + 1].units
        elif e.kind is EventKind.REASSIGNED and e.target:
            out[e.seq] = (e.target,)
        elif e.kind is EventKind.REJECTED:
            out[e.seq] = (engine.plan.lead_of(e.task, engine.state),)
    return out


def _report(engine: Engine, view: TaskView, sub: Any, now: datetime) -> dict[str, Any]:
    """One ``reports_to`` of a task: to whom, by when, and whether it has been sent (the task is done)."""
    c = engine.campaign
    due = end_instant(sub.due) if sub.due is not None else None
    sent = view.state is TaskState.DONE
    late = due is not None and (view.finished_at > due if sent and view.finished_at is not None else
                                (not sent and view.state is not TaskState.CANCELLED and due <= now))
    return {"to": c.expand(sub.to) or sub.to, "due": due, "sent": sent, "sent_at": view.finished_at if sent else None,
            "late": late, "quote": sub.doc.quote if sub.doc is not None else None}


def _report_row(engine: Engine, view: TaskView, unit: str, now: datetime) -> dict[str, Any]:
    """A task that reports to ``unit``, as the unit's inbox lists it: its submissions to the unit merged."""
    task = engine.campaign.tasks[view.id]
    mine = [_report(engine, view, s, now) for s in task.reports_to]
    mine = [r for r in mine if unit in r["to"]]
    dues = [r["due"] for r in mine if r["due"] is not None]
    return {"view": view, "due": min(dues) if dues else None, "sent": view.state is TaskState.DONE,
            "delivered": view.state in (TaskState.COMPLETED, TaskState.SUBMITTED, TaskState.DONE),
            "signed": False, "receive": [], "key": "",
            "sent_at": view.finished_at if view.state is TaskState.DONE else None, "late": any(r["late"] for r in mine)}


def _chain(engine: Engine, view: TaskView, history: Iterable[Any]) -> list[dict[str, Any]]:
    """The approval steps, each with who approved it when in the current round."""
    steps = engine.plan.tasks[view.id].steps
    given: dict[int, list[Any]] = {s.index: [] for s in steps}
    for event in history:
        if event.kind is EventKind.SUBMITTED:  # a new round: approvals of an earlier one no longer hold
            given = {s.index: [] for s in steps}
        elif event.kind is EventKind.APPROVED and event.step is not None and event.step in given:
            given[event.step].append(event)
    out = []
    for s in steps:
        pending = view.state is TaskState.SUBMITTED and view.step == s.index
        out.append({"index": s.index + 1, "units": s.units, "mode": s.mode, "kind": s.kind, "within": s.within,
                    "approved": given[s.index], "pending": pending,
                    "waiting_on": view.approvers if pending else ()})
    return out


def _gantt(engine: Engine, rows: Sequence[_Row], now: datetime) -> dict[str, Any]:
    """Bars as percentages of the campaign's span, for a Gantt drawn with CSS alone (no script)."""
    infos = engine.plan.tasks
    starts = [infos[r.view.id].earliest for r in rows]
    ends = [infos[r.view.id].deadline or r.view.finished_at for r in rows]
    # The campaign's own span, widened to any task outside it.
    known = [d for d in (*starts, *ends) if d is not None]
    known += [start_instant(engine.campaign.start), end_instant(engine.campaign.end)]
    first, last = min(known), max(known)
    span = max((last - first).total_seconds(), 1.0)
    bars = []
    for r, s, e in zip(rows, starts, ends, strict=True):
        s = s or first
        e = e or s
        left = (s - first).total_seconds() / span * 100
        width = max((e - s).total_seconds() / span * 100, 0.6)
        bars.append({"row": r, "left": round(left, 2), "width": round(min(width, 100 - left), 2)})
    today = (now - first).total_seconds() / span * 100
    return {"bars": bars, "first": first, "last": last, "today": round(today, 2) if 0 <= today <= 100 else None}


def _xlsx(engine: Engine, unit: str, rows: Sequence[_Row], tr: Callable[[str], str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = tr("ledger")
    sheet.append([tr("task"), tr("section"), tr("lead"), tr("partners"), tr("state"), tr("due"), tr("days_left"),
                  tr("started"), tr("finished")])
    names = {uid: u.name for uid, u in engine.campaign.units.items()}
    for r in rows:
        v = r.view
        sheet.append([v.title, engine.campaign.tasks[v.id].section or "", names.get(v.lead, v.lead),
                      "、".join(names.get(p, p) for p in v.partners), tr("s." + str(v.state)), r.due_text,
                      tr("overdue") if r.late else r.days_left, _fmt(v.started_at), _fmt(v.finished_at)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(factory: Callable[[], Starlette]) -> tuple[Starlette, float]:
    """Build an app and return it with the seconds it took (the cold start a benchmark reports)."""
    begin = time.perf_counter()
    app = factory()
    return app, time.perf_counter() - begin
