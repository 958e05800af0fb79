"""The database drops the outbox's connections while WeChat holds four accepted messages'
answers (what a PostgreSQL restart does mid-broadcast): the answers wait in memory and are
written once the database answers again, so no member gets the message twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.database import is_postgresql
from server.extensions import db
from server.notices import outbox, service
from server.notices.models import SubscribeCredit, SubscribeOutbox
from server.timeutil import utcnow

SEND = "cgi-bin/message/subscribe/send"
MEMBERS = 80


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.settings(NOTICES_SEND_CONCURRENCY=4, NOTICES_OUTBOX_BATCH_SIZE=25)
def test_connections_dropped_between_sends_repeat_no_message(app, org, bulk_members, standin):
    if not is_postgresql(db.engine):
        pytest.skip("pg_terminate_backend: PostgreSQL only")
    bulk_members(org.buildings[0], MEMBERS, prefix="restart")
    notice = service.event_notice(
        "test:restart", community_id=org.communities[0].id, kind=service.NoticeKind.NOTICE,
        title="党员奉献日动员", body="周六上午九点集合。", audience={"type": "community"})
    notice_id = notice.id
    db.session.commit()
    # 30 answers go back; then WeChat accepts each message but holds its answer: the four
    # sending threads each wait on one accepted message
    standin.state.hold_after(SEND, 30)
    errors: list[BaseException] = []

    def worker() -> None:
        with app.app_context():
            try:
                outbox.deliver_due(budget_seconds=600)
            except BaseException as error:  # noqa: BLE001 - asserted below
                errors.append(error)
            finally:
                db.session.remove()

    sender = threading.Thread(target=worker)
    sender.start()
    try:
        _wait_for(lambda: len(standin.state.sent()) == 30 + 4)
        # every other connection to the database is cut, as a restart cuts them
        with db.engine.connect() as conn:
            cut = conn.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
            conn.commit()
        assert cut >= 1
    finally:
        standin.state.release_holds()
        sender.join(120)
    db.session.remove()
    db.engine.dispose()

    # what is left goes on the next runs (one of them after every lease has run out)
    outbox.deliver_due()
    outbox.deliver_due(utcnow() + outbox.LEASE + timedelta(minutes=1))

    openids = [m["touser"] for m in standin.state.sent()]
    repeats = len(openids) - len(set(openids))
    print(f"\nconnections cut mid-batch: {len(openids)} sends for {MEMBERS} members, "
          f"{repeats} repeated; the worker's error: {errors!r}")
    assert len(set(openids)) == MEMBERS  # every member gets the message
    assert repeats == 0
    assert errors == []
    statuses = dict(db.session.execute(
        sa.select(SubscribeOutbox.status, sa.func.count()).where(
            SubscribeOutbox.notice_id == notice_id).group_by(SubscribeOutbox.status)).all())
    assert statuses == {"sent": MEMBERS}
    assert db.session.scalar(sa.select(sa.func.sum(SubscribeCredit.credits))) == 0
