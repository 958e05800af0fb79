"""Demo activities: a few published ones in each demo community, one of them under way
whenever the demo is seeded, so a visitor can clock in at once.
Idempotent: found by community and title before being created."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from server.activities.models import Activity
from server.activities.service import create_activity
from server.extensions import db
from server.members.models import Community
from server.timeutil import LOCAL_TZ, local_today, utcnow

# (title, category, day offset, start, hours, capacity, content); a start of None means
# "began an hour ago", whatever the time of day the demo is seeded at.
PLAN = [
    ("楼道环境清理", "environment", 0, None, 4, None,
     "清理楼道杂物、张贴文明提示，请自带手套。"),
    ("文明交通劝导", "civility", 2, time(7, 30), 2, 10,
     "早高峰在路口劝导行人和非机动车文明出行。"),
    ("夜间平安巡逻", "patrol", 3, time(19, 0), 2, 8, "沿小区主干道巡查安全隐患，两人一组。"),
    ("关爱独居老人上门探访", "elder_help", 5, time(14, 0), 3, 6,
     "为辖区独居老人送去生活用品，了解需求。"),
]
POINTS = {"幸福里社区": (31.2304, 121.4737), "光明社区": (31.2404, 121.4837)}


def seed(log) -> None:
    today = local_today()
    for community in db.session.scalars(sa.select(Community).order_by(Community.id)):
        lat, lng = POINTS.get(community.name, (31.23, 121.47))
        for title, category, offset, start, hours, capacity, content in PLAN:
            exists = db.session.scalar(
                sa.select(Activity.id).filter_by(community_id=community.id, title=title)
            )
            if exists:
                continue
            if start is None:
                starts = utcnow().astimezone(LOCAL_TZ).replace(
                    minute=0, second=0, microsecond=0) - timedelta(hours=1)
            else:
                starts = datetime.combine(today + timedelta(days=offset), start, tzinfo=LOCAL_TZ)
            create_activity(
                None,
                community.id,
                {
                    "title": title,
                    "category": category,
                    "content": content,
                    "address": community.address or community.name,
                    "latitude": lat,
                    "longitude": lng,
                    "radius_m": 300,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=hours),
                    "organiser": f"{community.name}党委",
                    "leader_name": "王建国",
                    "capacity": capacity,
                },
                publish=True,
            )
            log(f"活动: {community.name} {title}")
    db.session.commit()
