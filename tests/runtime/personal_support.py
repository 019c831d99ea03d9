"""A village with two households (issue 20): what the tests of personal data run."""

from __future__ import annotations

from datetime import date

from campaignflow.model import Approval, Campaign, Duration, Task, Unit, Window
from campaignflow.runtime import Actor, Engine

#: What must never be in the chain: the people acting for households (names, ID numbers), their reasons.
SECRETS = ("张三", "370102198001011234", "李四", "孩子生病住院", "老人卧床")

ZHANG = Actor("张三 370102198001011234", {"hh-zhang"})
LI = Actor("李四", {"hh-li"})
CUN = Actor("wang.cun", {"cun"})


def village(**overrides: object) -> Campaign:
    """A village committee and two households, each giving its consent, approved by the village."""
    units = {u.id: u for u in [
        Unit("cun", "某村委会", kind="village"),
        Unit("hh-zhang", "张三家", kind="household", parent="cun", household=True),
        Unit("hh-li", "李四家", kind="household", parent="cun", household=True),
    ]}
    tasks = [Task(f"consent@{h}", "征求本户同意", lead=h, window=Window(due=date(2020, 10, 20)),
                  approvals=(Approval(by="cun", within=Duration(3)),), template="consent", template_unit=h)
             for h in ("hh-zhang", "hh-li")]
    tasks.append(Task("publish", "推介特殊贫困户", lead="cun", window=Window(due=date(2020, 10, 30))))
    fields: dict[str, object] = dict(id="village", name="推介特殊贫困户", start=date(2020, 10, 8),
                                     end=date(2020, 10, 30), issuer="cun", units=units, tasks={t.id: t for t in tasks})
    fields.update(overrides)
    return Campaign(**fields)  # type: ignore[arg-type]


def act(engine: Engine) -> None:
    """Both households start and submit; the village rejects one with a reason, approves the other."""
    engine.start("consent@hh-zhang", ZHANG)
    engine.submit("consent@hh-zhang", ZHANG)
    engine.reject("consent@hh-zhang", CUN, reason="孩子生病住院, 本户暂不同意")
    engine.start("consent@hh-zhang", ZHANG)
    engine.submit("consent@hh-zhang", ZHANG)
    engine.start("consent@hh-li", LI)
    engine.submit("consent@hh-li", LI)
    engine.approve("consent@hh-li", CUN, reason="老人卧床, 同意推介")
    engine.start("publish", CUN)
