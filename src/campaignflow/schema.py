"""A JSON Schema of the plan format, for editors (taplo, Even Better TOML) and ``campaignflow schema``.

The key *names* of every table are the loader's own key tables
(``campaignflow.load.*._KEYS``): this module only adds each key's JSON type
and its English and Chinese description, and refuses to build a schema when
the two disagree (a key the loader accepts without a description here, or a
description of a key the loader no longer reads). A test keeps the shipped
``schemas/plan.schema.json`` equal to what :func:`plan_schema` builds.

The schema checks the shape of a plan (keys, types, required keys, the
``format`` version); references between ids, dates against the calendar and
everything the checks find are the loader's and the checks' business.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import attrs

__all__ = ["SCHEMA_ID", "KeyDoc", "key_docs", "plan_schema", "schema_text", "shipped_schema", "to_json_value"]

#: The schema's ``$id``: a name, not an address that is fetched.
SCHEMA_ID = "urn:campaignflow:plan-format:1"

# -- value shapes ---------------------------------------------------------------------

_STR: dict[str, Any] = {"type": "string"}
_STRS: dict[str, Any] = {"anyOf": [_STR, {"type": "array", "items": _STR}]}
# TOML dates reach the schema as strings (taplo and `to_json_value` both render them so),
# and a date expression ("@poverty_day + 7d") is a string too.
# Period edges ("7月底", "三季度末", "年底", "2020-07 end") as the loader's load/dates.py reads them,
# in the ECMA regex dialect JSON Schema uses (no named groups or conditionals).
_EDGE_ZH = (r"([0-9]{4}年)?(([0-9]{1,2}|十[一二]?|[一二三四五六七八九])月(底|末|初)|第?[1-4一二三四]季度(末|初))前?"
            r"|([0-9]{4}|年)(底|末|终|初)前?")
_EDGE_ASCII = r"[0-9]{4}(-[0-9]{2}|-[Qq][1-4])?\s+(start|end)"
_DATE: dict[str, Any] = {"type": "string", "pattern": (r"^\s*(@\S.*|[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?|"
                                                       + _EDGE_ZH + "|" + _EDGE_ASCII + r")\s*$")}
_DURATION_TEXT: dict[str, Any] = {"type": "string", "pattern": r"^\s*-?[0-9]+(\.[0-9]+)?\s*(wd|d|h|w)\s*$"}
_DOC_REF = {"$ref": "#/definitions/doc"}
_SEVERITY = {"type": "string",
             "pattern": "^([Ee][Rr][Rr][Oo][Rr]|[Ww][Aa][Rr][Nn][Ii][Nn][Gg]|[Ii][Nn][Ff][Oo])$"}


@attrs.frozen
class KeyDoc:
    """One key of one table: its JSON type and what it means, in English and Chinese."""

    #: The JSON Schema of the key's value (without descriptions).
    shape: Mapping[str, Any] = attrs.field(converter=dict)
    en: str
    zh: str

    def schema(self) -> dict[str, Any]:
        """The key's subschema, with both descriptions (English first, as the rest of campaignflow)."""
        out = dict(self.shape)
        out["description"] = f"{self.en}\n\n{self.zh}"
        # Even Better TOML shows markdownDescription on hover when it is present.
        out["markdownDescription"] = f"{self.en}\n\n{self.zh}"
        return out


def _k(shape: Mapping[str, Any], en: str, zh: str) -> KeyDoc:
    return KeyDoc(shape, en, zh)


_DOC_KEY = _k(_DOC_REF, "An annotation: the document's own words (quote) and the author's remark (note).",
              "注释:文件原文(quote)与编写者备注(note)。")

#: Section name -> key -> description. Section names are those of docs/plan-format.md's key reference.
_DOCS: dict[str, dict[str, KeyDoc]] = {
    "top": {
        "format": _k({"const": 1}, "The plan format version; must be 1.", "方案格式版本,必须为 1。"),
        "campaign": _k({"$ref": "#/definitions/campaign"}, "The campaign: id, name, dates, calendar.",
                       "活动:标识、名称、起止日期、日历。"),
        "units": _k({"type": "object", "additionalProperties": {"$ref": "#/definitions/unit"}},
                    "Units (单位), by id.", "单位,按标识列出。"),
        "groups": _k({"type": "object", "additionalProperties": {"$ref": "#/definitions/group"}},
                     "Groups of units (各乡镇 …), by id.", "单位组(如各乡镇),按标识列出。"),
        "pairings": _k({"type": "array", "items": {"$ref": "#/definitions/pairing"}},
                       "Support relations between units (对口帮扶 / 定点帮扶).", "单位之间的帮扶关系(对口帮扶 / 定点帮扶)。"),
        "tasks": _k({"type": "object", "additionalProperties": {"$ref": "#/definitions/task"}},
                    "Tasks, by id.", "任务,按标识列出。"),
        "templates": _k({"type": "object", "additionalProperties": {"$ref": "#/definitions/template"}},
                        "Templates: one task per unit of a group.", "模板:为组内每个单位生成一项任务。"),
        "checks": _k({"$ref": "#/definitions/checks"}, "Which checks run, and at what severity.",
                     "运行哪些检查,以及各检查的严重程度。"),
        "calendar": _k({"$ref": "#/definitions/calendar"},
                       "Calendar overrides: a year's official holidays and 调休 working days.",
                       "日历调整:某年的法定节假日与调休工作日。"),
        "supervision": _k({"$ref": "#/definitions/supervision"},
                          "督办: reminders (催办) before each deadline and the escalation ladder after it.",
                          "督办:截止前的催办提醒,以及逾期后的分级督办。"),
    },
    "supervision": {
        "reminders": _k({"anyOf": [{"$ref": "#/definitions/reminder"},
                                   {"type": "array", "items": {"$ref": "#/definitions/reminder"}}]},
                        "催办: reminders before each task's deadline.", "催办:每项任务截止前的提醒。"),
        "levels": _k({"anyOf": [{"$ref": "#/definitions/level"},
                                {"type": "array", "items": {"$ref": "#/definitions/level"}}]},
                     "The escalation ladder after a deadline (blue, orange, red …); without it a missed deadline "
                     "escalates to the lead's parent.",
                     "逾期后的分级督办(蓝、橙、红等);未设置时逾期上报牵头单位的上级。"),
        "doc": _DOC_KEY,
    },
    "reminder": {
        "before": _k(_DURATION_TEXT, 'How long before the deadline ("2wd", "1d", "4h").', '截止前多久提醒("2wd"、"1d"、"4h")。'),
        "to": _k(_STR, 'Who is reminded: "lead" (default), "parent", "issuer" or a unit id.',
                 '提醒对象:"lead"(默认,牵头单位)、"parent"(上级)、"issuer"(印发单位)或单位标识。'),
    },
    "level": {
        "name": _k(_STR, "The level (blue, orange, red …), unique.", "级别名称(如 blue、orange、red),不得重复。"),
        "after": _k(_DURATION_TEXT, 'How long after the deadline ("0d", "2wd"); not earlier than the level before.',
                    '逾期多久触发("0d"、"2wd");不得早于上一级。'),
        "to": _k(_STR, 'Who is alerted: "parent" (default), "lead", "issuer" or a unit id.',
                 '通知对象:"parent"(默认,上级)、"lead"、"issuer" 或单位标识。'),
    },
    "campaign": {
        "id": _k({"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}, "The campaign's id: [a-z0-9][a-z0-9-]*.",
                 "活动标识:小写字母、数字和连字符。"),
        "name": _k(_STR, "The document's title.", "文件标题。"),
        "name_en": _k(_STR, "An English name.", "英文名称。"),
        "issuer": _k(_STR, "The unit that issues the plan (a unit id).", "印发方案的单位(单位标识)。"),
        "start": _k(_DATE, "The campaign's first day.", "活动的第一天。"),
        "end": _k(_DATE, "The campaign's last day (the end of that day).", "活动的最后一天(至当日结束)。"),
        "timezone": _k(_STR, 'IANA timezone of every local date and time (default "Asia/Shanghai").',
                       '所有本地日期时间所用的 IANA 时区(默认 "Asia/Shanghai")。'),
        "calendar": _k(_STR, 'Working-day calendar (default "weekdays"; "cn-workdays": China\'s holidays and 调休).',
                       '工作日日历(默认 "weekdays";"cn-workdays":中国法定节假日与调休)。'),
        "include": _k(_STRS, "Further plan files merged into this one (paths relative to this file).",
                      "合并进本方案的其他方案文件(相对本文件的路径)。"),
        "dates": _k({"type": "object", "additionalProperties": _DATE},
                    'Named dates (poverty_day = 2020-10-17), used as "@poverty_day".',
                    '命名日期(如 poverty_day = 2020-10-17),以 "@poverty_day" 引用。'),
        "doc": _DOC_KEY,
        "fixed_dates": _k(_STRS, "Names of [campaign.dates] that stay put when a scenario moves the start (simulate --start).",
                          "在模拟中改变开始日期(simulate --start)时保持不变的命名日期。"),
        "allow_self_approval": _k({"type": "boolean"},
                                  "Whether a task's lead may give its own approval steps at run time (default false).",
                                  "运行时任务的牵头单位能否审批自己的任务(默认 false)。"),
    },
    "unit": {
        "name": _k(_STR, "The unit's name (县扶贫办).", "单位名称(如县扶贫办)。"),
        "name_en": _k(_STR, "An English name.", "英文名称。"),
        "kind": _k(_STR, "Free text: province, city, county, township, village, department …",
                   "自由文本:省、市、县、乡镇、村、部门……"),
        "parent": _k(_STR, "The unit above it (a unit id).", "上级单位(单位标识)。"),
        "capacity": _k({"type": "integer", "minimum": 1, "maximum": 1000000},
                       "How many tasks it leads at once (default: unlimited).", "可同时牵头的任务数(默认不限)。"),
        "household": _k({"type": "boolean"},
                        "A household (住户), not an office (default false): its id, name and the reasons given by or "
                        "about it are personal data, kept outside the hash-chained run log, redacted for listeners "
                        "and left out of exports with --no-households.",
                        "住户而非机关(默认 false):其标识、名称及由其或关于其的理由属个人信息,不写入哈希链日志,"
                        "对监听插件脱敏,导出时可用 --no-households 略去。"),
        "doc": _DOC_KEY,
    },
    "group": {
        "name": _k(_STR, "The group's name (各乡镇).", "组名称(如各乡镇)。"),
        "kind": _k(_STR, "Every unit of this kind (below `under`, if given).", "该类型的所有单位(如给出 `under`,则限其下级)。"),
        "under": _k(_STR, "Every unit strictly below this one.", "该单位的所有下级单位。"),
        "members": _k({"type": "array", "items": _STR}, "Added members (units or groups).", "加入的成员(单位或组)。"),
        "except": _k({"type": "array", "items": _STR}, "Members taken out.", "排除的成员。"),
        "doc": _DOC_KEY,
    },
    "pairing": {
        "a": _k(_STR, "One side (a unit or group).", "一方(单位或组)。"),
        "b": _k(_STR, "The other side (a unit or group).", "另一方(单位或组)。"),
        "kind": _k(_STR, "Free text (fixed-point …).", "自由文本(如 fixed-point 定点帮扶)。"),
        "doc": _DOC_KEY,
    },
    "task": {
        "title": _k(_STR, "The document's words for the task.", "文件中对该任务的表述。"),
        "title_en": _k(_STR, "An English title.", "英文标题。"),
        "section": _k(_STR, "Where the document says it (三(一)1).", "在文件中的位置(如 三(一)1)。"),
        "kind": _k(_STR, "Free text (meeting …); plugins may give kinds meaning.", "自由文本(如 meeting);插件可赋予含义。"),
        "lead": _k(_STR, "The one accountable unit (牵头单位); further 牵头单位 go in co_leads.",
                   "唯一的主责牵头单位;其他牵头单位写入 co_leads。"),
        "partners": _k(_STRS, "Responsible / co-operating units (责任单位): units or groups.",
                       "责任单位 / 配合单位:单位或组。"),
        "co_leads": _k(_STRS, "Further 牵头单位 when the document names several; lead stays the accountable one.",
                       "文件列出多个牵头单位时的其他牵头单位;lead 仍为主责单位。"),
        "reports_to": _k({"anyOf": [_STR, {"$ref": "#/definitions/submission"},
                                    {"type": "array", "items": {"anyOf": [_STR, {"$ref": "#/definitions/submission"}]}}]},
                         "Submissions (报送 / 函送): delivered to and received by these units; never gates dependents.",
                         "报送 / 函送:送达并由这些单位签收;不阻塞后续任务。"),
        "after": _k({"anyOf": [_STR, {"type": "array", "items": {"anyOf": [_STR, {"$ref": "#/definitions/after"}]}}]},
                    'Finish-to-start dependencies: task ids or { task, lag }; "tpl@*" is every instance of a template.',
                    '完成-开始依赖:任务标识或 { task, lag };"tpl@*" 表示模板的全部实例。'),
        "start": _k(_DATE, "Earliest start (a date or a date expression).", "最早开始日期(日期或日期表达式)。"),
        "due": _k(_DATE, "Deadline: a date is the end of that day, a datetime that moment.",
                  "截止时间:日期指当日结束,日期时间指该时刻。"),
        "on": _k(_DATE, "A fixed event: that day (or moment); excludes start, due and repeat.",
                 "固定日期的事项:当日(或该时刻);不能与 start、due、repeat 同用。"),
        "duration": _k({"anyOf": [_DURATION_TEXT, {"$ref": "#/definitions/duration"}]},
                       'Working time ("3d", "4h", "1w"), or three points for simulation (default "1d").',
                       '工作时长("3d"、"4h"、"1w"),或用于模拟的三点估计(默认 "1d")。'),
        "repeat": _k({"$ref": "#/definitions/repeat"}, "Occurrences ID#1 … ID#N.", "重复:生成 ID#1 … ID#N。"),
        "around": _k({"anyOf": [_DATE, {"$ref": "#/definitions/near"}]},
                     "前后: a window around this day (3 calendar days either side unless a width is given).",
                     "前后:该日前后的时间窗(未给 width 时前后各 3 个日历日)。"),
        "eve": _k({"anyOf": [_DATE, {"$ref": "#/definitions/near"}]},
                  "前夕: the days strictly before this day (3 calendar days unless a width is given).",
                  "前夕:该日之前的几天,不含当日(未给 width 时为 3 个日历日)。"),
        "renamed_from": _k(_STR, "The id this task had in the running plan an amendment changes "
                           "(campaignflow run amend): its history follows it.",
                           "在修订运行中的方案(campaignflow run amend)时该任务原来的标识:其历史随之保留。"),
        "venue": _k(_STR, "Where it takes place (地点); the calendar export writes it as the location.",
                    "地点;日历导出时写为事件地点。"),
        "solicits": _k(_STRS, "Units asked for money or goods (募捐 / 认捐).", "被募捐 / 认捐的单位。"),
        "tags": _k(_STRS, "Free labels.", "自由标签。"),
        "approvals": _k({"anyOf": [{"$ref": "#/definitions/approval"},
                                   {"type": "array", "items": {"$ref": "#/definitions/approval"}}]},
                        "Sign-offs (审批), in order.", "审批步骤,按顺序。"),
        "doc": _DOC_KEY,
    },
    "approval": {
        "by": _k(_STRS, "Who approves: units or groups.", "审批单位:单位或组。"),
        "mode": _k({"enum": ["all", "any"]}, '"all" (会签, every one) or "any" (或签, the first decides).',
                   '"all"(会签,全部同意)或 "any"(或签,首个决定)。'),
        "within": _k(_DURATION_TEXT, "How long the approver is expected to take.", "审批预计用时。"),
        "due": _k(_DATE, "An absolute deadline for the step.", "该步骤的截止时间。"),
        "kind": _k(_STR, "consent and recommend need not come from a superior unit.",
                   "consent(同意)和 recommend(推荐)不要求来自上级单位。"),
        "doc": _DOC_KEY,
    },
    "submission": {
        "to": _k(_STRS, "Units (or groups) the submission is delivered to.", "报送对象:单位或组。"),
        "due": _k(_DATE, "When it must be delivered.", "报送截止时间。"),
        "doc": _DOC_KEY,
    },
    "after": {
        "task": _k(_STR, "The prerequisite task's id.", "前置任务的标识。"),
        "lag": _k(_DURATION_TEXT, 'Wait after it finishes ("2d", "2wd", "4h", "1w"; negative: a lead time).',
                  '前置任务完成后的间隔("2d"、"2wd"、"4h"、"1w";负数表示提前)。'),
        "doc": _DOC_KEY,
    },
    "duration": {
        "likely": _k(_DURATION_TEXT, "The deterministic schedule's duration.", "确定性排程所用的工期。"),
        "optimistic": _k(_DURATION_TEXT, "The shortest (default: likely).", "最短工期(默认同 likely)。"),
        "pessimistic": _k(_DURATION_TEXT, "The longest (default: likely).", "最长工期(默认同 likely)。"),
    },
    "repeat": {
        "every": _k({"enum": ["week", "month", "quarter"]}, 'The period: "week", "month" or "quarter".',
                    '周期:"week"(周)、"month"(月)或 "quarter"(季度)。'),
        "times": _k({"type": "integer", "minimum": 1}, "How many occurrences (default: at_least).",
                    "重复次数(默认同 at_least)。"),
        "at_least": _k({"type": "integer", "minimum": 1}, "The document's minimum (全年至少4次); times may not be lower.",
                       "文件规定的最少次数(如 全年至少4次);times 不得少于它。"),
        "day": _k({"anyOf": [{"enum": ["end"]}, {"type": "integer", "minimum": 1, "maximum": 92}]},
                  'A ledger: each occurrence is due on this day of its period ("end", or 1 to 92).',
                  '台账式重复:每次在周期内的这一天到期("end" 或 1 至 92)。'),
        "if_not_working": _k({"enum": ["previous", "next", "keep"]},
                             'A ledger day that is not a working day moves to the "previous" (default) or "next" '
                             'working day, or is kept ("keep").',
                             '台账日期遇非工作日时移至前一个("previous",默认)或后一个("next")工作日,或保留("keep")。'),
    },
    "near": {
        "date": _k(_DATE, "The day the document names.", "文件所写的日期。"),
        "width": _k(_DURATION_TEXT, 'Calendar days ("3d"), up to 31d.', '日历天数(如 "3d"),最多 31d。'),
        "doc": _DOC_KEY,
    },
    "template": {
        "for_each": _k(_STR, "A group: one task per unit of it.", "一个组:为其中每个单位生成一项任务。"),
        "task": _k({"$ref": "#/definitions/template_task"}, "The task, with {unit} placeholders.",
                   "任务内容,可使用 {unit} 等占位符。"),
        "repeat": _k({"$ref": "#/definitions/repeat"}, "As a task's repeat (not both).", "同任务的 repeat(二者不能同时使用)。"),
        "doc": _DOC_KEY,
    },
    "checks": {
        "select": _k(_STRS, "Only these checks run (codes or prefixes).", "只运行这些检查(代码或前缀)。"),
        "ignore": _k(_STRS, "Never reported for this plan (codes or prefixes).", "本方案不报告这些检查(代码或前缀)。"),
        "severity": _k({"type": "object", "additionalProperties": _SEVERITY},
                       'Raise or lower a check: { CODE = "error" | "warning" | "info" }.',
                       '调整检查的严重程度:{ CODE = "error" | "warning" | "info" }。'),
        "options": _k({"type": "object", "additionalProperties": {"type": "object"}},
                      "Options a check documents ([checks.options.CODE]).", "检查所说明的选项([checks.options.CODE])。"),
        "doc": _DOC_KEY,
    },
    "doc": {
        "quote": _k(_STR, "The document's own words.", "文件原文。"),
        "note": _k(_STR, "The author's remark.", "编写者备注。"),
    },
    "calendar": {
        "overrides": _k({"type": "object", "additionalProperties": {"$ref": "#/definitions/calendar_year"}},
                        "[calendar.overrides.YEAR]: a year the calendar does not cover.",
                        "[calendar.overrides.YEAR]:日历未涵盖的年份。"),
        "office_hours": _k({"type": "array", "minItems": 1,
                            "items": {"type": "string", "pattern": "^\\s*[0-9]{1,2}:[0-9]{2}\\s*-\\s*[0-9]{1,2}:[0-9]{2}\\s*$"}},
                           'Office hours of a working day, ascending periods (default ["08:30-12:00", "14:00-17:30"]): '
                           'hours of work fall inside them, and a day of work ("1d") is all of them ("7h" on the default).',
                           '工作日的办公时间,按先后排列的时段(默认 ["08:30-12:00", "14:00-17:30"]):按小时计的工期只在办公时间内计算,'
                           '一个工作日("1d")即全部办公时间(默认为 "7h")。'),
    },
    "calendar_year": {
        "holidays": _k({"type": "array", "items": {"anyOf": [_DATE, {"$ref": "#/definitions/holiday"}]}},
                       "Official holidays: dates, or { from, to, name } ranges.", "法定节假日:日期,或 { from, to, name } 区间。"),
        "workdays": _k({"type": "array", "items": _DATE}, "Adjusted working days (调休).", "调休工作日。"),
        "doc": _DOC_KEY,
    },
    "holiday": {
        "from": _k(_DATE, "The first day of the holiday.", "假期第一天。"),
        "to": _k(_DATE, "The last day of the holiday.", "假期最后一天。"),
        "name": _k(_STR, "The holiday's name (国庆节).", "节日名称(如国庆节)。"),
    },
}

#: Keys a table must have (the loader's missing-key problems).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "campaign": ("id", "name", "start", "end"), "unit": ("name",), "pairing": ("a", "b"),
    "task": ("title", "lead"), "approval": ("by",), "after": ("task",), "duration": ("likely",),
    "repeat": ("every",), "near": ("date",), "reminder": ("before",), "level": ("name", "after"), "template": ("for_each", "task"), "holiday": ("from", "to"),
    "submission": ("to",),
}


def _loader_keys() -> dict[str, frozenset[str]]:
    """The loader's own key tables, by section (the names are never written twice)."""
    from .load.calendar_overrides import CALENDAR_KEYS, HOLIDAY_KEYS, OVERRIDE_KEYS
    from .load.expand import GROUP_KEYS
    from .load.structure import CAMPAIGN_KEYS, CHECKS_KEYS, DOC_KEYS, PAIRING_KEYS, TOP_KEYS, UNIT_KEYS
    from .load.tasks import (AFTER_KEYS, APPROVAL_KEYS, DURATION_KEYS, NEAR_KEYS, REPEAT_KEYS, SUBMISSION_KEYS,
                             TASK_KEYS)
    from .load.supervision import LEVEL_KEYS, REMINDER_KEYS, SUPERVISION_KEYS
    from .load.templates import TEMPLATE_KEYS

    return {
        "top": TOP_KEYS, "campaign": CAMPAIGN_KEYS, "unit": UNIT_KEYS, "group": GROUP_KEYS, "pairing": PAIRING_KEYS,
        "task": TASK_KEYS, "approval": APPROVAL_KEYS, "submission": SUBMISSION_KEYS, "after": AFTER_KEYS,
        "duration": DURATION_KEYS, "repeat": REPEAT_KEYS, "near": NEAR_KEYS,
        "supervision": SUPERVISION_KEYS, "reminder": REMINDER_KEYS, "level": LEVEL_KEYS, "template": TEMPLATE_KEYS, "checks": CHECKS_KEYS,
        "doc": DOC_KEYS, "calendar": CALENDAR_KEYS, "calendar_year": OVERRIDE_KEYS, "holiday": HOLIDAY_KEYS,
    }


def key_docs() -> dict[str, dict[str, KeyDoc]]:
    """Every table's keys with their descriptions, checked against the loader's key tables.

    Raises:
        RuntimeError: when a loader table and its descriptions name different keys.
    """
    for section, keys in _loader_keys().items():
        described = set(_DOCS.get(section, {}))
        if described != set(keys):
            msg = (f"schema descriptions of [{section}] disagree with the loader: "
                   f"undescribed {sorted(set(keys) - described)}, not read {sorted(described - set(keys))}")
            raise RuntimeError(msg)
    return _DOCS


def _table(section: str, docs: dict[str, dict[str, KeyDoc]], *, required: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {key: doc.schema() for key, doc in sorted(docs[section].items())},
        "additionalProperties": False,
    }
    if required and section in _REQUIRED:
        out["required"] = list(_REQUIRED[section])
    return out


def plan_schema(*, fragment: bool = False) -> dict[str, Any]:
    """The JSON Schema (draft-07, which taplo reads) of a plan file.

    Args:
        fragment: the schema of an included file (``[campaign] include = [...]``),
            which needs neither ``format`` nor ``[campaign]``.
    """
    docs = key_docs()
    definitions = {section: _table(section, docs) for section in docs if section != "top"}
    # A template's task is written with placeholders and may leave `lead` to a default of
    # the template's producer; the loader checks the expanded tasks.
    # `times` defaults to `at_least`: a repeat needs one of them.
    definitions["repeat"]["anyOf"] = [{"required": ["times"]}, {"required": ["at_least"]}]
    definitions["template_task"] = _table("task", docs, required=False)
    # An included file may hold some of [campaign] (dates, say) without its required keys.
    if fragment:
        definitions["campaign"] = _table("campaign", docs, required=False)
    top = _table("top", docs, required=False)
    if not fragment:
        top["required"] = ["format", "campaign"]
    title = "campaignflow plan (included file)" if fragment else "campaignflow plan"
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID + (":include" if fragment else ""),
        "title": title,
        "description": "A campaign plan: units, groups, tasks, windows and approvals (format 1).\n\n"
                       "活动方案:单位、组、任务、时间窗口与审批(格式 1)。",
        **top,
        "definitions": dict(sorted(definitions.items())),
    }


def schema_text(*, fragment: bool = False) -> str:
    """The schema as the JSON text shipped in the package (stable key order, UTF-8, newline at the end)."""
    return json.dumps(plan_schema(fragment=fragment), ensure_ascii=False, indent=2) + "\n"


def shipped_schema(*, fragment: bool = False) -> str:
    """The schema file shipped in the package (``campaignflow/schemas/``)."""
    name = "include.schema.json" if fragment else "plan.schema.json"
    return resources.files("campaignflow").joinpath("schemas", name).read_text(encoding="utf-8")


def to_json_value(value: Any) -> Any:
    """A parsed TOML value as JSON sees it: dates and times become ISO strings, as in taplo."""
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return value
