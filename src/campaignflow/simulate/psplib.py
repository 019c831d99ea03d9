"""Read PSPLIB single-mode ``.sm`` files into the scheduling core's ``SchedulingProblem``.

The format (Kolisch & Sprecher 1996): a ``PRECEDENCE RELATIONS`` block (job,
modes, successor count, successors) and a ``REQUESTS/DURATIONS`` block (job,
mode, duration, one demand per resource), then ``RESOURCEAVAILABILITIES``.
Jobs are numbered from 1 in the file and from 0 in the ``SchedulingProblem``. Only
renewable resources are read (J30/J60/J90/J120 have no others).
"""

from __future__ import annotations

from pathlib import Path

from .rcpsp import SchedulingProblem, ProblemError

__all__ = ["read_sm"]


def _block(lines: list[str], title: str, path: Path) -> int:
    for i, line in enumerate(lines):
        if line.strip().upper().startswith(title):
            return i
    raise ProblemError(f"{path}: no {title} block")


def read_sm(path: str | Path) -> SchedulingProblem:
    """Parse one ``.sm`` file; ``ProblemError`` (with the file and line) when it is not one."""
    path = Path(path)
    lines = path.read_text(encoding="latin-1").splitlines()
    try:
        i = _block(lines, "PRECEDENCE RELATIONS", path) + 2
        succ: list[list[tuple[int, int]]] = []
        while not lines[i].startswith("*"):
            f = [int(x) for x in lines[i].split()]
            if f[0] != len(succ) + 1 or len(f) != 3 + f[2]:
                raise ProblemError(f"{path}:{i + 1}: bad precedence line {lines[i]!r}")
            succ.append([(k - 1, 0) for k in f[3:]])
            i += 1
        n = len(succ)
        i = _block(lines, "REQUESTS/DURATIONS", path) + 3
        dur: list[int] = []
        dem: list[list[int]] = []
        while not lines[i].startswith("*"):
            f = [int(x) for x in lines[i].split()]
            dur.append(f[2])
            dem.append(f[3:])
            i += 1
        i = _block(lines, "RESOURCEAVAILABILITIES", path) + 2
        caps = [int(x) for x in lines[i].split()]
    except (IndexError, ValueError) as exc:
        raise ProblemError(f"{path}:{i + 1}: not a PSPLIB .sm file ({exc})") from None
    if len(dur) != n:
        raise ProblemError(f"{path}: {len(dur)} durations for {n} jobs")
    m = len(caps)
    return SchedulingProblem(dur, caps, [d[:m] for d in dem], succ, names=[str(j + 1) for j in range(n)])
