"""Who reacts to what: every signal receiver and session listener of the areas, connected
once at app start (`create_app` calls `connect_receivers`), never as a side effect of
importing a module. The signals themselves are declared in server/events.py."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from server import events
from server.desk import notifications as desk
from server.notices import reminders as notices
from server.pledges import party_day
from server.points import balances
from server.points import receivers as points

_SIGNAL_RECEIVERS = [
    # activities → points: approved hours, and an absence after signing up (无故缺席)
    (events.hours_record_finalised, points.on_hours_record_finalised),
    (events.signup_absent, points.on_signup_absent),
    # pledges → points: a verified pledge note, the party day attended
    (events.pledge_note_verified, points.on_pledge_note_verified),
    (events.party_day_attended, points.on_party_day_attended),
    # activities → pledges: a clock-in at a party day or make-up counts the month as attended
    (events.clocked_in, party_day.on_clocked_in),
    # activities → desk: staff and secretaries are told of an appeal at once
    (events.appeal_filed, desk.on_appeal_filed),
    # activities → notices: changes, cancellations, sign-ups confirmed and promoted
    *notices.SIGNAL_RECEIVERS,
]

_SESSION_LISTENERS = [
    # members → points: a member's move takes their balance rows along
    ("after_flush", balances.follow_member_moves),
]


def connect_receivers() -> None:
    """Connect every receiver; connecting again (another app in the same process) is a no-op."""
    for signal, receiver in _SIGNAL_RECEIVERS:
        signal.connect(receiver, weak=False)
    for name, listener in _SESSION_LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
