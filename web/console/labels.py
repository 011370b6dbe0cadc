"""Chinese labels (with the English staff use) for the console's events, states and roles."""

from __future__ import annotations

EVENTS = {
    "pass": "通过审核 pass",
    "reject": "驳回 reject",
    "ask_info": "要求补充材料 ask-info",
    "supplement": "补充材料 supplement",
    "approve": "同意共享 approve",
    "refuse": "不予共享 refuse",
    "push": "推送答复 push",
    "subscribe": "订阅 subscribe",
    "doubt": "提出异议 doubt",
    "fix": "更正 fix",
    "feedback": "使用反馈 feedback",
    "appeal": "申诉 appeal",
    "grant": "准予 grant",
    "uphold": "维持原决定 uphold",
    "suspend": "暂停 suspend",
    "reinstate": "恢复 reinstate",
    "revoke": "撤销 revoke",
    "withdraw": "撤回 withdraw",
    # opening (GX-Open art. 15, 20, 22; GX-Dispatch art. 21–22, 27, 33–34)
    "overrule": "退回重新答复 overrule",
    "agree": "签署协议 agree",
    "deliver": "交付 deliver",
    "answer": "答复异议 answer",
    "close": "办结 close",
    "coordinate": "申请协调 coordinate",
    "confirm": "确认备案 confirm",
    "update": "已更新目录 update",
    "cancel": "撤销更新 cancel",
    "keep": "保留 keep",
    "remove": "下线目录 remove",
    "take_offline": "数据下线 take offline",
    "verify": "核实 verify",
    "restore": "恢复开放 restore",
    "reprocess": "重新处理 reprocess",
    "reopen": "重新开放 reopen",
    # correction tickets (GX-Reg art. 18)
    "resolve": "办结 resolve",
    "extend": "延期 extend",
}

# where an opening case's step reads differently from a share request's
OPENING_EVENTS = {
    "approve": "同意 approve",
    "refuse": "不予开放 refuse",
}
OPENING_REQUEST_EVENTS = {**OPENING_EVENTS, "approve": "同意开放 approve"}


def opening_event_label(kind: str, event: str) -> str:
    own = OPENING_REQUEST_EVENTS if kind in ("open_request", "open_on_request") else OPENING_EVENTS
    return own.get(event) or event_label(event)


URGENCY = {"normal": "普通 normal", "urgent": "加急 urgent", "most_urgent": "特急 most urgent"}

OPENING_KINDS = {
    "open_request": "有条件开放申请 conditional-open request",
    "open_on_request": "依申请开放 on-request opening",
    "complaint": "开放数据异议 complaint",
    "catalog_update": "目录更新 catalog update",
    "catalog_offline": "目录下线 catalog offline",
    "data_offline": "数据下线 data offline",
}

GROUNDS = {
    "privacy": "个人隐私 privacy",
    "trade_secret": "商业秘密 trade secret",
    "other": "其他 other",
}

CLOCK_STATES = {
    "running": "进行中 running",
    "due_soon": "即将到期 due soon",
    "due": "今日到期 due today",
    "overdue": "已超期 overdue",
    "paused": "暂停计时 paused",
    "met": "按期完成 met",
    "missed": "超期完成 missed",
}

ROLES = {
    "bureau_admin": "大数据局管理员 bureau admin",
    "bureau_reviewer": "大数据局审核员 bureau reviewer",
    "provider_staff": "提供部门 provider staff",
    "requester_staff": "使用部门 requester staff",
    "quality_owner": "质量负责人 quality owner",
    "open_data_staff": "开放数据专员 open-data staff",
    "analyst": "分析人员 analyst",
    "auditor": "审计人员 auditor",
}

RELEASE_ACTIONS = {
    "suspend": "暂停开放 suspend",
    "withdraw": "撤回 withdraw",
    "restore": "恢复开放 restore",
}

RELEASE_STATUS = {
    "published": "开放中 published",
    "suspended": "已暂停 suspended",
    "withdrawn": "已撤回 withdrawn",
    "unpublished": "未发布 unpublished",
}


def event_label(event: str) -> str:
    return EVENTS.get(event.replace("-", "_"), event)


# how a case's parties and resource read by its kind (share requests: the default)
CASE_PARTIES = {
    "share_request": ("使用部门 Requester", "提供部门 Provider", "资源 Resource"),
    "ticket": ("开具部门 Raised by", "承办部门 Department responsible", "工单类型 Ticket kind"),
    "review": ("提出 Raised by", "承办 Responsible", "比对项 Review item"),
}


def case_parties(kind: str) -> tuple[str, str, str]:
    return CASE_PARTIES.get(kind, CASE_PARTIES["share_request"])


CASE_FIELDS = {
    "items": "数据项 Items",
    "purpose": "用途 Purpose",
    "until": "使用期限 Until",
    "method": "方式 Method",
    "share_type": "共享类型 Share type",
    "use_conditions": "使用条件 Conditions of use",
    "legal_basis": "法律依据 Legal basis",
    "ticket": "工单 Ticket",
    "kind": "类型 Kind",
    "source_ref": "来源 Source",
}
