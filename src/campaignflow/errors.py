"""Every public exception of campaignflow, in one place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from .findings import Fix, Location, Text

__all__ = [
    "CampaignflowError",
    "Problem",
    "PlanError",
    "CycleError",
    "PluginError",
    "PluginLoadError",
    "CheckCrashed",
    "UnknownPlanError",
    "RuntimeEngineError",
    "TransitionError",
    "NotAuthorized",
    "InvalidTransition",
    "UnknownTaskError",
    "ConcurrencyConflict",
    "StoreError",
    "TamperedLogError",
    "PlanChangedError",
    "AmendmentRefused",
    "ScenarioError",
    "DraftError",
]


class CampaignflowError(Exception):
    """Base of every error campaignflow raises on purpose."""


@attrs.frozen
class Problem:
    """One thing wrong with a plan file, located.

    Attributes:
        code: stable identifier of the kind of problem, e.g. ``unknown-key``.
        message: what is wrong, in English and Chinese.
        location: file, line, column and key path.
        hint: a suggestion (``did you mean 'city-plans'?``), if one is likely.
        fixes: changes that would resolve it (``validate --fix``, the language server's code actions).
        related: further locations (the first definition of a duplicate key).
    """

    code: str
    message: Text = attrs.field(converter=lambda m: m if isinstance(m, Text) else Text(str(m)))
    location: Location = attrs.field(factory=Location)
    hint: Text | None = attrs.field(
        default=None, converter=lambda h: h if h is None or isinstance(h, Text) else Text(str(h))
    )
    fixes: tuple[Fix, ...] = attrs.field(default=(), converter=tuple)
    related: tuple[Location, ...] = attrs.field(default=(), converter=tuple)

    def format(self, lang: str = "en") -> str:
        """``file:line:col: error: `key.path`: message; hint`` as the CLI prints it."""
        where = str(self.location)
        label = "错误" if lang.startswith("zh") else "error"
        path = f"`{self.location.key_path}`: " if self.location.key_path else ""
        text = f"{where}: {label}: {path}{self.message.get(lang)}"
        if self.hint is not None:
            text += f"; {self.hint.get(lang)}"
        if self.related:
            also = "另见" if lang.startswith("zh") else "see also"
            text += f" ({also} " + ", ".join(str(r) for r in self.related) + ")"
        return text

    def __str__(self) -> str:
        return self.format()


class PlanError(CampaignflowError, ValueError):
    """A plan could not be loaded. Carries every problem found, in file order.

    Nothing is half-loaded: when this is raised, no campaign was returned.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.problems:
            return "the plan could not be loaded"
        lines = [p.format() for p in self.problems]
        head = f"{len(self.problems)} problem(s) in the plan:" if len(lines) > 1 else ""
        return "\n".join([head, *lines]) if head else lines[0]


class CycleError(PlanError):
    """A dependency or hierarchy cycle. ``cycle`` lists its members in order."""

    def __init__(self, cycle: Sequence[str], problems: Iterable[Problem]) -> None:
        self.cycle: tuple[str, ...] = tuple(cycle)
        super().__init__(problems)


class UnknownPlanError(CampaignflowError, LookupError):
    """No loaded plugin contributes a plan with this id."""

    def __init__(self, plan_id: str, known: Sequence[str] = ()) -> None:
        self.plan_id = plan_id
        self.known = tuple(known)
        msg = f"no plan with id {plan_id!r} is installed and it is not a file"
        if self.known:
            msg += f" (installed plans: {', '.join(self.known)})"
        super().__init__(msg)


class PluginError(CampaignflowError):
    """Base of errors raised on behalf of a plugin."""


class PluginLoadError(PluginError):
    """A plugin could not be imported or registered."""

    def __init__(self, name: str, exc: BaseException) -> None:
        self.name = name
        self.exc = exc
        super().__init__(f"plugin {name!r} failed to load: {type(exc).__name__}: {exc}")


class CheckCrashed(PluginError):
    """A check raised instead of returning findings."""

    def __init__(self, code: str, plugin: str, exc: BaseException) -> None:
        self.code = code
        self.plugin = plugin
        self.exc = exc
        super().__init__(f"check {code} from plugin {plugin!r} crashed: {type(exc).__name__}: {exc}")


class RuntimeEngineError(CampaignflowError):
    """Base of errors raised by the workflow engine at run time."""


class TransitionError(RuntimeEngineError):
    """A transition was refused; nothing was changed."""

    def __init__(self, message: str, *, task_id: str | None = None, state: str | None = None,
                 actor: str | None = None) -> None:
        self.task_id = task_id
        self.state = state
        self.actor = actor
        super().__init__(message)


class NotAuthorized(TransitionError, PermissionError):
    """The actor does not act for a unit allowed to make this transition."""


class InvalidTransition(TransitionError):
    """The transition is not legal from the task's current state."""


class UnknownTaskError(RuntimeEngineError, KeyError):
    """No task (or unit) with that id in the running campaign."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the sentence.
        return str(self.args[0]) if self.args else "unknown task"


class ConcurrencyConflict(RuntimeEngineError):
    """Another writer appended to the log first; reload and retry."""


class StoreError(RuntimeEngineError):
    """The durable store could not be opened or written."""


class TamperedLogError(RuntimeEngineError):
    """The event log's hash chain does not verify."""

    def __init__(self, message: str, *, sequence: int | None = None) -> None:
        self.sequence = sequence
        super().__init__(message)


class PlanChangedError(RuntimeEngineError):
    """The campaign's plan is not the one this engine was given.

    Raised by ``Engine.open`` when a running campaign is opened with an edited plan
    (amend it with ``Engine.amend`` / ``campaignflow run amend``), and by a decision of
    an engine whose campaign was amended by another process meanwhile (reopen it on the
    current plan). ``text`` holds the message in English and Chinese; ``running`` and
    ``given`` are the two plan fingerprints.
    """

    def __init__(self, text: Text, *, running: str | None = None, given: str | None = None) -> None:
        self.text = text
        self.running = running
        self.given = given
        super().__init__(text.en)


class SupervisionChangedError(PlanChangedError):
    """The host gave this engine another supervision ladder than the campaign was opened with.

    ``Engine.open(..., supervision=...)`` records the host's reminders and ladder on the
    campaign's ``opened`` event; an engine given another one (or none, where one was given)
    would fire other reminders and levels, so it is refused. ``running`` and ``given`` are
    the two ladders' fingerprints (``"none"``: no host ladder, the plan's ``[supervision]``).
    """


class AmendmentRefused(RuntimeEngineError):
    """An amendment cannot be applied (e.g. it removes a task that has started); nothing was changed.

    ``migration`` is the report (``campaignflow.runtime.Migration``) with its ``refusals``.
    """

    def __init__(self, text: Text, migration: object) -> None:
        self.text = text
        self.migration = migration
        super().__init__(text.en)


class ScenarioError(CampaignflowError, ValueError):
    """A what-if scenario names an unknown task or unit, or an impossible value.

    ``problems`` holds one bilingual message per problem (``campaignflow.findings.Text``).
    """

    def __init__(self, problems: Iterable[Text]) -> None:
        self.problems: tuple[Text, ...] = tuple(problems)
        super().__init__("; ".join(p.en for p in self.problems) or "invalid scenario")


class DraftError(CampaignflowError, ValueError):
    """A document could not be drafted: not a document, unreadable, or too large.

    ``message`` is English, ``message_zh`` Chinese; ``str()`` gives the English.
    """

    def __init__(self, message: str, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
