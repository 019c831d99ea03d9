"""The web app's words, in Chinese (the default) and English."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LANGS", "translator"]

#: Languages the pages are offered in; the first is the default.
LANGS = ("zh", "en")

# key -> (中文, English). Plan text (titles, quotes, unit names) is the plan's own, not translated here.
_WORDS: dict[str, tuple[str, str]] = {
    "app": ("活动工作台", "Campaign desk"),
    "campaigns": ("活动方案", "Campaigns"),
    "inbox": ("我的待办", "My inbox"),
    "ledger": ("台账", "Ledger"),
    "overview": ("活动总览", "Overview"),
    "audit": ("审计日志", "Audit log"),
    "signin": ("登录", "Sign in"),
    "signout": ("退出", "Sign out"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "person": ("姓名", "Name"),
    "unit": ("单位", "Unit"),
    "task": ("任务", "Task"),
    "state": ("状态", "State"),
    "due": ("截止时间", "Due"),
    "days_left": ("剩余工作日", "Working days left"),
    "overdue": ("已逾期", "overdue"),
    "lead": ("牵头单位", "Lead"),
    "partners": ("责任单位", "Partners"),
    "window": ("时间窗口", "Window"),
    "opens": ("可开始时间", "Opens"),
    "quote": ("文件原文", "Document text"),
    "section": ("条目", "Section"),
    "approvals": ("审批流程", "Approval chain"),
    "step": ("步骤", "Step"),
    "approvers": ("审批单位", "Approvers"),
    "approved_by": ("已审批", "Approved"),
    "pending": ("待审批", "Pending"),
    "history": ("办理记录", "History"),
    "actions": ("可办理操作", "Actions you may take"),
    "no_actions": ("您当前无可办理的操作。", "There is nothing you may do on this task now."),
    "reason": ("理由", "Reason"),
    "nothing": ("暂无待办事项。", "Nothing to do."),
    "export_xlsx": ("导出 Excel", "Export to Excel"),
    "started": ("开始时间", "Started"),
    "finished": ("完成时间", "Finished"),
    "counts": ("各状态任务数", "Tasks by state"),
    "overdue_tasks": ("逾期任务", "Overdue tasks"),
    "gantt": ("甘特图", "Gantt chart"),
    "reminders": ("近期提醒(3 个工作日内到期)", "Reminders (due within 3 working days)"),
    "chain_ok": ("哈希链校验通过", "Hash chain verified"),
    "chain_bad": ("哈希链校验失败", "Hash chain does NOT verify"),
    "events": ("条记录", "events"),
    "time": ("时间", "Time"),
    "event": ("事件", "Event"),
    "actor": ("办理人", "Actor"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "all"),
    "refused": ("操作被拒绝", "Action refused"),
    "not_found": ("未找到", "Not found"),
    "forbidden": ("无权操作", "Forbidden"),
    "bad_request": ("请求无效", "Bad request"),
    "csrf": ("表单已失效或来源不明,请刷新页面后重试。", "The form expired or did not come from this site; reload the page and try again."),
    "need_signin": ("请先登录。", "Please sign in first."),
    "done_msg": ("已办理", "Done"),
    "language": ("English", "中文"),
    "a.start": ("接收并开始", "Receive and start"),
    "a.complete": ("办结", "Finish"),
    "a.submit": ("上报审批", "Submit for approval"),
    "a.approve": ("审批通过", "Approve"),
    "a.reject": ("退回", "Send back"),
    "reports": ("报送", "Reports to"),
    "report_to": ("报送单位", "To"),
    "report_note": ("报送件由接收单位签收,无需审批;任务办结即视为已报送。",
                    "A report is received by its recipient, not approved: it is sent when the task is finished."),
    "sent": ("已报送", "sent"),
    "not_sent": ("待报送", "not yet sent"),
    "received": ("报送给本单位的材料", "Reports sent to this unit"),
    "received_note": ("以下材料由其他单位报送本单位,签收查阅即可,无需审批。",
                      "Other units send these to this unit: for reading and filing, not for approval."),
    "sent_at": ("报送时间", "Sent"),
    "a.reassign": ("改派", "Reassign"),
    "a.cancel": ("取消任务", "Cancel the task"),
    "to": ("改派给", "To"),
    "recipients": ("转交", "Passed to"),
    "tick": ("督办检查:触发已到期的提醒与督办", "Check deadlines: fire the reminders and escalations now due"),
    "ticked": ("督办检查完成,新记录", "Deadlines checked; new events"),
    "not_supervisor": ("只有发文单位及其上级可发起督办检查。", "Only the issuer and its superiors may check deadlines."),
    "repeats": ("同一操作被连续拒绝的次数(重复的不再另记,本进程计数)",
                "times the same action was refused in a row (repeats are counted by this process, not logged)"),
    "a.report": ("办结并报送", "Finish and send"),
    # supervision (督办), issue 16
    "a.request-extension": ("申请延期", "Ask for an extension"),
    "a.grant-extension": ("同意延期", "Grant the extension"),
    "a.refuse-extension": ("不予延期", "Refuse the extension"),
    "a.delegate": ("委派", "Delegate"),
    "a.recall": ("收回委派", "Take the delegated task back"),
    "a.receive": ("签收", "Sign for receipt"),
    "until": ("延期至", "New deadline"),
    "delegate_to": ("委派给", "Delegate to"),
    "requested_due": ("延期申请(待审批)", "Extension asked for (awaiting a decision)"),
    "delegated_to": ("受委派单位", "Delegated to"),
    "receipt": ("签收", "Receipt"),
    "received_by": ("已签收", "received"),
    "not_received": ("待签收", "not yet received"),
    "s.waiting": ("等待前置任务", "waiting"),
    "s.ready": ("可开始", "ready"),
    "s.active": ("办理中", "active"),
    "s.completed": ("已完成待上报", "completed"),
    "s.submitted": ("审批中", "submitted"),
    "s.rejected": ("已退回", "rejected"),
    "s.done": ("已办结", "done"),
    "s.cancelled": ("已取消", "cancelled"),
}


def translator(lang: str) -> Callable[[str], str]:
    """A function from a word's key to its text in ``lang`` (an unknown key shows as itself)."""
    index = 1 if lang == "en" else 0

    def tr(key: str) -> str:
        words = _WORDS.get(key)
        return words[index] if words is not None else key

    return tr
