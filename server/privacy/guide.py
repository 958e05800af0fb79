"""The privacy guide (隐私保护指引) the mini-program shows: every kind of personal information
the service holds, what it is, why, and how long it is kept. The data export has exactly these
kinds (a test holds the two lists equal), so the guide cannot leave one out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    what: str
    why: str
    kept: str


def kinds() -> list[Kind]:
    location_days = current_app.config["PRIVACY_LOCATION_KEEP_DAYS"]
    log_days = access_log_keep_days()
    return [
        Kind("profile", "基本信息", "姓名、党员类型、所在社区与楼栋、房号、微信昵称",
             "确认您的党员身份，办理到社区报到（双重管理）", "账号存续期间；注销后删除"),
        Kind("phone", "手机号", "您填写或经微信确认的手机号",
             "社区工作人员联系您参加活动", "账号存续期间；注销后删除"),
        Kind("unit", "工作单位", "工作单位及其党组织名称",
             "向单位党组织反馈您在社区的表现（反馈单）", "账号存续期间；注销后不再与您关联"),
        Kind("registrations", "报到记录", "每次报到的社区、楼栋、房号、审核结果",
             "在职党员登记卡，社区管理报到党员", "账号存续期间；注销后删除房号"),
        Kind("consents", "同意记录", "隐私政策版本、位置授权、公开榜单展示的同意与撤回",
             "证明您的选择，并按您的选择处理信息", "账号存续期间"),
        Kind("signups", "活动报名", "您报名的活动与报名状态",
             "组织志愿服务活动、候补递补", "账号存续期间；注销后不再与您关联"),
        Kind("attendances", "签到签退", "签到、签退的时间与方式",
             "记录志愿服务时长", "账号存续期间；注销后不再与您关联"),
        Kind("locations", "签到位置", "位置签到时的坐标与精度，以及距活动地点的距离判定",
             "确认您在活动现场（仅在您同意使用位置时收集）",
             f"坐标在活动结束 {location_days} 天后删除，只保留距离判定"),
        Kind("hours", "志愿服务时长", "每次活动的时长、地点、组织方及审核、更正记录",
             "志愿服务记录与证明（民政部《志愿服务记录与证明出具办法》）",
             "长期保存；注销后保留时长但不再与您关联"),
        Kind("appeals", "时长申诉", "您对时长记录提出的申诉及处理结果",
             "更正错误的服务记录", "账号存续期间；注销后删除申诉内容"),
        Kind("points", "积分", "积分台账、各期积分与星级、人工加减分",
             "积分量化考核、星级评定、先锋榜", "长期保存；注销后不再与您关联"),
        Kind("pledges", "承诺书与签名", "包楼栋承诺书、手写签名、责任区、楼栋长",
             "亮身份、亮职责、亮承诺", "账号存续期间；注销后删除签名"),
        Kind("photos", "践诺记录与照片", "践诺记录的内容与照片",
             "社区核实承诺的履行", "账号存续期间；注销后删除"),
        Kind("party_days", "党员活动日", "固定党员活动日出勤、补课预约",
             "组织生活出勤记录", "账号存续期间；注销后不再与您关联"),
        Kind("notices", "通知阅读", "您收到的通知及阅读时间",
             "确认通知送达", "账号存续期间；注销后不再与您关联"),
        Kind("subscriptions", "订阅消息授权", "您允许发送的订阅消息次数",
             "按您的授权发送活动提醒", "账号存续期间；注销后删除"),
        Kind("comments", "评语", "社区党组织书记写给您工作单位的评语",
             "双向反馈：单位在年度考核中参考", "账号存续期间；注销后删除"),
        Kind("certificates", "志愿服务记录证明",
             "为您出具的证明、所含记录、您选择显示的证件号后四位",
             "按您的申请证明志愿服务经历",
             "长期保存以供核验；注销后删除文件与证件号，仅保留核验信息"),
        Kind("logins", "登录记录", "每次登录的时间、有效期与退出时间",
             "账号安全（《网络安全法》第二十一条）", f"{log_days} 天后删除"),
        Kind("account", "注销申请", "注销申请、确认、撤销的时间", "办理账号注销",
             "长期保存（不含您的身份信息）"),
    ]


def access_log_keep_days() -> int:
    # the Cybersecurity Law asks for network logs to be kept at least six months
    return max(183, int(current_app.config["PRIVACY_ACCESS_LOG_KEEP_DAYS"]))


def guide() -> dict[str, Any]:
    return {
        "version": current_app.config["APP_PRIVACY_NOTICE_VERSION"],
        "items": [kind.__dict__ for kind in kinds()],
        "rights": [
            "查阅、复制：在「我的个人信息」中查看并下载全部信息",
            "更正：手机号、报到地址可自行修改，服务时长可提出申诉",
            "撤回同意：位置授权、公开榜单展示可随时撤回",
            "注销账号：确认后有冷静期，期间可撤销",
        ],
    }
