"""Co-leads (`co_leads`, `Task.leads`) in the capacity, solicitation and hierarchy checks (#18).

A co-lead (共同牵头单位) is a lead: the task books it (CF301), it may not approve the work
(CF302), its approvers must be above it (CF303), and a drive it co-leads is its solicitation
(CF401, CF403). CF402 counts drives, not the units leading them: a joint drive is one drive.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from checks_support import group, only, plan, run, step, task, unit

MON, TUE = date(2020, 9, 7), date(2020, 9, 8)


def _codes(campaign, code: str) -> list:
    return only(run(campaign), code)


# -- CF301: a co-lead is booked ------------------------------------------------------------------

def _booked(co: bool):
    # `fpb` (capacity 1) leads two tasks in two days and co-leads a third: three days of work.
    return plan(units=[unit("fpb", capacity=1), unit("civil")], tasks=[
        task("t0", lead="fpb", start=MON, due=TUE),
        task("t1", lead="fpb", start=MON, due=TUE),
        task("t2", lead="civil", start=MON, due=TUE, co_leads=("fpb",) if co else ()),
    ])


def test_cf301_counts_the_tasks_a_unit_co_leads():
    assert _codes(_booked(co=False), "CF301") == []
    (f,) = _codes(_booked(co=True), "CF301")
    assert f.location.key_path == "units.fpb.capacity" and set(f.tasks) == {"t0", "t1", "t2"}
    # The co-led task is pointed at where it names `fpb`: its co_leads entry.
    assert "tasks.t2.co_leads[0]" in [r.key_path for r in f.related]


def test_cf301_a_co_lead_that_is_also_the_lead_counts_once():
    campaign = plan(units=[unit("fpb", capacity=1)], tasks=[
        task("t0", lead="fpb", start=MON, due=TUE, co_leads=("fpb",)),
        task("t1", lead="fpb", start=MON, due=TUE)])
    assert _codes(campaign, "CF301") == []


# -- CF302 and CF303: hierarchy and self-approval --------------------------------------------------

HIER = [unit("city"), unit("county", "city"), unit("fpb", "county"), unit("civil", "county"),
        unit("township", "fpb")]


def test_cf302_a_co_lead_approving_its_own_work_is_self_approval():
    campaign = plan(units=HIER, tasks=[task("t", lead="fpb", co_leads=("civil",), approvals=[step("civil")])])
    (f,) = _codes(campaign, "CF302")
    assert "co-lead 'civil'" in f.message.en and "共同牵头单位“civil”" in f.message.zh
    assert f.location.key_path == "tasks.t.approvals[0].by"
    assert [r.key_path for r in f.related] == ["tasks.t.co_leads[0]"]
    # Without the co-lead the same approver is a peer, not the task's own unit.
    alone = plan(units=HIER, tasks=[task("t", lead="fpb", approvals=[step("civil")])])
    assert _codes(alone, "CF302") == []


def test_cf302_through_a_group_the_co_lead_belongs_to():
    campaign = plan(units=HIER, groups=[group("depts", "civil", "county")],
                    tasks=[task("t", lead="fpb", co_leads=("civil",), approvals=[step("depts")])])
    (f,) = _codes(campaign, "CF302")
    assert "through group 'depts'" in f.message.en


def test_cf303_the_approver_must_be_above_each_lead():
    # `fpb` is above `township`, but not above the co-lead `civil`.
    campaign = plan(units=HIER, tasks=[task("t", lead="township", co_leads=("civil",), approvals=[step("fpb")])])
    (f,) = _codes(campaign, "CF303")
    assert "not above its co-lead 'civil'" in f.message.en
    assert [r.key_path for r in f.related] == ["tasks.t.co_leads[0]"]
    alone = plan(units=HIER, tasks=[task("t", lead="township", approvals=[step("fpb")])])
    assert _codes(alone, "CF303") == []
    # A common superior of both is fine.
    fine = plan(units=HIER, tasks=[task("t", lead="township", co_leads=("civil",), approvals=[step("county")])])
    assert _codes(fine, "CF303") == []


def test_cf303_leaves_a_lead_in_by_to_cf302():
    campaign = plan(units=HIER, tasks=[task("t", lead="township", co_leads=("civil",), approvals=[step("civil")])])
    assert _codes(campaign, "CF303") == [] and len(_codes(campaign, "CF302")) == 1


# -- CF401, CF402, CF403: solicitation ---------------------------------------------------------------

def test_cf401_a_co_lead_soliciting_back_is_mutual_solicitation():
    units = [unit("county"), unit("a", "county"), unit("b", "county"), unit("c", "county")]
    campaign = plan(units=units, tasks=[
        task("ask-b", lead="c", co_leads=("a",), solicits=["b"]),
        task("ask-a", lead="b", solicits=["a"])])
    (f,) = _codes(campaign, "CF401")
    assert {"a", "b"} <= set(f.units)
    assert "co-lead 'a'" in f.message.en and "共同牵头单位“a”" in f.message.zh
    assert "tasks.ask-b.co_leads[0]" in [r.key_path for r in f.related]
    alone = plan(units=units, tasks=[task("ask-b", lead="c", solicits=["b"]), task("ask-a", lead="b", solicits=["a"])])
    assert _codes(alone, "CF401") == []


def test_cf401_one_joint_drive_does_not_solicit_itself():
    units = [unit("county"), unit("a", "county"), unit("b", "county")]
    campaign = plan(units=units, tasks=[task("joint", lead="a", co_leads=("b",), solicits=["a", "b"])])
    assert _codes(campaign, "CF401") == []


def test_cf402_a_joint_drive_is_one_drive():
    units = [unit("county"), unit("a", "county"), unit("b", "county"), unit("donor", "county")]
    campaign = plan(units=units, tasks=[task("joint", lead="a", co_leads=("b",), solicits=["donor"])])
    assert _codes(campaign, "CF402") == []


def test_cf403_a_co_lead_asking_its_subordinates():
    campaign = plan(units=HIER, tasks=[task("drive", lead="civil", co_leads=("fpb",), solicits=["township"])])
    (f,) = _codes(campaign, "CF403")
    assert "its co-lead 'fpb'" in f.message.en and "township" in f.message.en
    assert [r.key_path for r in f.related] == ["tasks.drive.co_leads[0]"]
    alone = plan(units=HIER, tasks=[task("drive", lead="civil", solicits=["township"])])
    assert _codes(alone, "CF403") == []


def test_cf403_names_every_lead_that_asks_its_subordinates():
    units = [*HIER, unit("village", "civil")]
    campaign = plan(units=units, groups=[group("below", "township", "village")],
                    tasks=[task("drive", lead="civil", co_leads=("fpb",), solicits=["below"])])
    (f,) = _codes(campaign, "CF403")
    assert "'civil'" in f.message.en and "so do 'fpb'" in f.message.en


# -- Invariants ---------------------------------------------------------------------------------------

_UNITS = ["a", "b", "c", "d"]


def _signature(campaign) -> list[tuple[str, tuple[str, ...]]]:
    """What the co-lead-aware checks say, without wording: code and sorted units."""
    return sorted((f.code, tuple(sorted(f.units))) for f in run(campaign) if f.code in {"CF301", "CF401", "CF403"})


@settings(max_examples=30, deadline=None)
@given(tasks=st.lists(st.tuples(st.sampled_from(_UNITS), st.sampled_from(_UNITS),
                                st.lists(st.sampled_from(_UNITS), max_size=2, unique=True)),
                      min_size=1, max_size=5))
def test_every_lead_counts_alike(tasks):
    """Swapping a task's lead and its co-lead changes nothing the capacity and solicitation checks say;
    naming the lead again among the co-leads changes nothing at all."""
    units = [unit("county"), *(unit(u, "county" if u in "ab" else "a", capacity=1) for u in _UNITS)]

    def build(swap: bool, again: bool):
        out = []
        for i, (lead, co, solicits) in enumerate(tasks):
            first, second = (co, lead) if swap else (lead, co)
            extra = (first,) if again else ()
            out.append(task(f"t{i}", lead=first, co_leads=(second, *extra), start=MON, due=TUE, solicits=solicits))
        return plan(units=units, tasks=out)

    base = _signature(build(False, False))
    assert _signature(build(True, False)) == base
    assert _signature(build(False, True)) == base
