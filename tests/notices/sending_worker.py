"""A real outbox worker process for the crash test: `python -m tests.notices.sending_worker
DATABASE_URL STANDIN_URL` sends what is due until nothing is left (or it is killed)."""

from __future__ import annotations

import sys

from server import create_app
from server.notices import outbox
from tests.conftest import APPID, SECRET


def main(database_url: str, standin_url: str) -> None:
    app = create_app({
        "APP_ENV": "test", "DATABASE_URL": database_url, "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET, "WECHAT_API_BASE_URL": standin_url, "WECHAT_MAX_RETRIES": 2,
        "RATELIMIT_ENABLED": False, "NOTICES_SEND_CONCURRENCY": 4,
        "NOTICES_OUTBOX_BATCH_SIZE": 25,
    })
    with app.app_context():
        print("worker:", outbox.deliver_due(budget_seconds=600), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
