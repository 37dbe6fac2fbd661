"""Messages to owners (P-TKT-4, P-TKT-5, P-OWN-3, P-COM-1, P-FEE-2): which events notify,
what each offers its template, which are essential, the channel order, quiet hours and the
retry schedule. Pure: no session, no Flask.

The default texts are the messages' content, in Chinese as owners read them; the admin edits
them as message templates (models/outbox.py). A template names a variable in Chinese,
`{编号}` (or by its key, `{code}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .refusal import N_, Refused

CHANNELS = ("wechat", "sms", "email")

# Each variable's key (what the providers get: WeChat's data keys, Aliyun's TemplateParam) and
# the name a template writes it by, in Chinese as the admin reads it: {编号}. A template may
# also write the key itself, {code}.
NAMES = {
    "owner": "业主", "code": "编号", "link": "链接", "deadline": "处理时限", "category": "类别",
    "department": "处理部门", "note": "进展", "time": "时间",
    "steward": "管家", "amount": "欠费金额", "bills": "欠费账单", "title": "活动",
    "location": "地点", "project": "项目",
}
KEYS = {name: key for key, name in NAMES.items()}


@dataclass(frozen=True)
class Event:
    name: str
    label: str  # an English message id
    essential: bool  # sent even to an owner who opted out of non-essential notices
    variables: tuple[str, ...]
    subject: str
    body: str


_TICKET = ("owner", "code", "link")

EVENTS: dict[str, Event] = {e.name: e for e in (
    # The owner's request is 诉求 in every message, as on the owner's page. The resolution
    # text is the staff's record (it may name a worker or judge the owner): no message
    # offers it; the owner hears only what the steward shares as a progress note.
    Event("ticket_received", N_("Ticket received"), True, (*_TICKET, "deadline", "category"),
          "您的诉求已收到 {编号}",
          "{业主}您好，您的诉求（{类别}）已登记，编号 {编号}，我们将在 {处理时限} 前处理完毕。"
          "查看进度：{链接}"),
    Event("ticket_dispatched", N_("Ticket dispatched"), True, (*_TICKET, "department"),
          "您的诉求 {编号} 已派单",
          "{业主}您好，您的诉求 {编号} 已派至{处理部门}处理。查看进度：{链接}"),
    Event("ticket_progress", N_("Progress note for the owner"), True, (*_TICKET, "note"),
          "您的诉求 {编号} 有新进展",
          "{业主}您好，您的诉求 {编号} 进展：{进展}。查看进度：{链接}"),
    Event("ticket_resolved", N_("Ticket resolved: rating asked"), True, _TICKET,
          "您的诉求 {编号} 已处理完毕，请评价",
          "{业主}您好，您的诉求 {编号} 已处理完毕。请在此为我们的服务评分：{链接}"),
    Event("ticket_reopened", N_("Ticket reopened after a poor rating"), True, _TICKET,
          "您的诉求 {编号} 已重新处理",
          "{业主}您好，很抱歉未能让您满意，您的诉求 {编号} 已重新安排处理。查看进度：{链接}"),
    Event("ticket_closed", N_("Ticket closed"), True, _TICKET,
          "您的诉求 {编号} 已关闭",
          "{业主}您好，您的诉求 {编号} 已办结，感谢您的支持。详情：{链接}"),
    Event("visit_planned", N_("Return visit planned"), False, ("owner", "time", "steward"),
          "回访预约",
          "{业主}您好，您的管家{管家}将于 {时间} 对您进行回访，如需改期请联系物业服务中心。"),
    Event("arrears_reminder", N_("Arrears reminder"), True, ("owner", "amount", "bills"),
          "物业费缴费提醒",
          "{业主}您好，您尚有物业费 {欠费金额} 未缴（{欠费账单}）。可在物业服务中心前台、"
          "公众号“缴费”菜单或银行转账缴纳，如已缴请忽略。"),
    Event("community_event", N_("Community event announcement"), False,
          ("owner", "title", "time", "location", "project"),
          "社区活动：{活动}",
          "{业主}您好，{项目}将于 {时间} 在{地点}举办“{活动}”，欢迎参加。"),
)}

# The owner's preferred way of contact → the channels tried, in order. An owner is reached
# on the first channel they have an address for and that is configured.
FALLBACK = {
    "wechat": ("wechat", "sms", "email"),
    "email": ("email", "sms", "wechat"),
    "phone": ("sms", "wechat", "email"),
    "visit": ("sms", "wechat", "email"),
    "letter": ("sms", "wechat", "email"),
}


def channel_order(preferred: str | None) -> tuple[str, ...]:
    return FALLBACK.get(preferred or "phone", FALLBACK["phone"])


def wanted(event: str, opted_out: bool) -> bool:
    """P-COM-1: an owner who opted out gets only the essential messages."""
    return EVENTS[event].essential or not opted_out


VARIABLE = re.compile(r"\{(\w+)\}")


def names_in(text: str) -> set[str]:
    """The variables a template's text names, each written `{name}`."""
    return set(VARIABLE.findall(text or ""))


def offered(event: str) -> str:
    """The variables of `event` as a template writes them: {业主}、{编号}…"""
    return "、".join("{" + NAMES[key] + "}" for key in EVENTS[event].variables)


def check_template(event: str, *texts: str) -> None:
    """A template may use only the variables its event offers."""
    keys = set(EVENTS[event].variables)
    unknown = {name for name in set().union(*(names_in(t) for t in texts))
               if KEYS.get(name, name) not in keys}
    if unknown:
        raise Refused(N_("Unknown variables %(unknown)s: this event offers %(offered)s."),
                      unknown="、".join("{" + n + "}" for n in sorted(unknown)),
                      offered=offered(event))


def offered_only(event: str, variables: dict) -> dict:
    """The variables `event` offers, of those written (a message written before a variable
    was withdrawn keeps it in its row: it is not sent)."""
    keys = set(EVENTS[event].variables)
    return {key: value for key, value in variables.items() if key in keys}


def clause(text: str) -> str:
    """A note set inside a sentence of the template: without its own final stop, so
    "进展：{进展}。" never reads "。。"."""
    return (text or "").strip().rstrip("。.；;，,！!？? ").strip()


def render(text: str, variables: dict) -> str:
    """`text` with its variables (keyed as in NAMES) filled in; one the event lacks is left
    empty."""
    return VARIABLE.sub(lambda m: str(variables.get(KEYS.get(m.group(1), m.group(1)), "")),
                        text or "")


# ---- when ------------------------------------------------------------------------------
QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def quiet_hours(setting: str | None) -> tuple[time, time] | None:
    """"22:00-08:00" → (22:00, 08:00); empty → None (no quiet hours). Anything else (an en
    dash, 24:00, one time) is a ValueError: settings.py checks it at startup and in `flask
    check-config`, so a typo never reaches the save hook that writes messages."""
    if not setting or not setting.strip():
        return None
    found = QUIET.match(setting)
    try:
        h1, m1, h2, m2 = map(int, found.groups())
        return time(h1, m1), time(h2, m2)
    except (AttributeError, ValueError):
        raise ValueError(f"quiet hours {setting!r}: write them like 22:00-08:00 "
                         "(hours 0-23, an ASCII hyphen)") from None


def inside_quiet_hours(local_now: datetime, quiet: tuple[time, time] | None,
                       urgent: bool) -> bool:
    return send_after(local_now, quiet, urgent) > local_now


def send_after(local_now: datetime, quiet: tuple[time, time] | None, urgent: bool) -> datetime:
    """The earliest local moment a message may go: now, or the end of the quiet hours for a
    non-urgent message written within them."""
    if urgent or quiet is None:
        return local_now
    start, end = quiet
    now = local_now.time()
    inside = (start <= now or now < end) if start > end else (start <= now < end)
    if not inside:
        return local_now
    day = local_now.date() if now < end else local_now.date() + timedelta(days=1)
    return local_now.replace(year=day.year, month=day.month, day=day.day, hour=end.hour,
                             minute=end.minute, second=0, microsecond=0)


# ---- still worth sending ----------------------------------------------------------------
# The ticket statuses in which each ticket message still tells the owner something true: a
# message held (quiet hours, retries) past them is dropped as overtaken — "please rate"
# after the owner rated, "dispatched" once the ticket is resolved. Its successor says more.
CURRENT_WHILE = {
    "ticket_received": ("new", "accepted", "in_progress"),
    "ticket_dispatched": ("in_progress",),
    "ticket_progress": ("new", "accepted", "in_progress", "resolved"),
    "ticket_resolved": ("resolved",),
    "ticket_reopened": ("in_progress",),
    "ticket_closed": ("closed",),
}


def overtaken(event: str, ticket_status: str | None) -> bool:
    """P-TKT-4, P-TKT-5: a ticket message whose ticket has since moved on is not sent."""
    allowed = CURRENT_WHILE.get(event)
    return allowed is not None and ticket_status is not None and ticket_status not in allowed


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """Backoff after the `attempts`-th failed try: base, 4×base, 16×base, … (at most a day)."""
    return timedelta(seconds=min(base_seconds * 4 ** max(attempts - 1, 0), 86400))
