"""Shared by the runtime tests: a small campaign built from the model, and its actors."""

from __future__ import annotations

from datetime import date, datetime

from campaignflow.model import Approval, Campaign, Dependency, Duration, Group, Lag, Task, Unit, Window
from campaignflow.runtime import Actor

T0 = datetime(2020, 7, 1, 9, 0)


def small_campaign(**overrides: object) -> Campaign:
    """A province office, two cities, finance and audit; plans approved, a meeting, a budget, a report."""
    units = {u.id: u for u in [
        Unit("ah", "安徽省", kind="province"),
        Unit("ah-fpb", "省扶贫办", kind="department", parent="ah"),
        Unit("hf", "合肥市", kind="city", parent="ah"),
        Unit("wh", "芜湖市", kind="city", parent="ah"),
        Unit("finance", "省财政厅", kind="department", parent="ah"),
        Unit("audit", "省审计厅", kind="department", parent="ah"),
    ]}
    groups = {"cities": Group("cities", "各市", kind="city", under="ah", units=("hf", "wh"))}
    tasks = [
        Task("city-plan@hf", "合肥市制定活动方案", lead="hf", window=Window(due=date(2020, 7, 31)),
             approvals=(Approval(by="ah-fpb", within=Duration(3)),), template="city-plan", template_unit="hf"),
        Task("city-plan@wh", "芜湖市制定活动方案", lead="wh", window=Window(due=date(2020, 7, 31)),
             approvals=(Approval(by="ah-fpb", within=Duration(3)),), template="city-plan", template_unit="wh"),
        Task("budget", "活动经费", lead="ah-fpb",
             approvals=(Approval(by=("finance", "audit"), mode="all"), Approval(by="cities", mode="any"))),
        Task("exchange-meeting", "经验交流会议", lead="ah-fpb", partners=("cities",),
             after=(Dependency("city-plan@hf"), Dependency("city-plan@wh")),
             window=Window(start=date(2020, 8, 3), due=date(2020, 10, 16))),
        Task("report", "报送活动开展情况", lead="ah-fpb", after=(Dependency("exchange-meeting", Lag(2)),),
             window=Window(due=date(2020, 10, 22))),
    ]
    fields: dict[str, object] = dict(
        id="ah-test", name="测试方案", start=date(2020, 7, 1), end=date(2020, 10, 22), issuer="ah-fpb",
        units=units, groups=groups, tasks={t.id: t for t in tasks},
    )
    fields.update(overrides)
    return Campaign(**fields)  # type: ignore[arg-type]

HF = Actor("li.hf", {"hf"})
WH = Actor("zhao.wh", {"wh"})
FPB = Actor("wang.fpb", {"ah-fpb"})
FIN = Actor("qian.fin", {"finance"})
AUD = Actor("sun.aud", {"audit"})
PROV = Actor("zhou.ah", {"ah"})
