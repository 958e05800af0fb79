"""A Hypothesis state machine over the ledger: awards, duplicate awards, reversals,
corrections, rule changes and caps, checking the ledger's promises after every step."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from server import events
from server.activities.models import HoursRecord
from server.errors import AppError
from server.extensions import db
from server.points import ledger, scheme
from server.points.leaderboard import leaderboard, rank_rows
from server.points.models import PointBalance, PointEntry, PointRule
from server.points.reconcile import reconcile
from server.timeutil import LOCAL_TZ
from tests.points.helpers import activity, approve_hours, street_rule

FIRST_DAY = date(2026, 3, 27)  # the days cross a month end, so monthly caps reset
DAYS = 10
STEPS = {"count": 0}


def test_ledger_keeps_its_promises_under_any_sequence_of_operations(org, make_member):
    street_rule(org.street.id, points=10, daily_cap=50, monthly_cap=150)
    street_rule(org.street.id, kind="pledge_note", points=5, daily_cap=10)
    community = org.communities[0]
    members = [make_member(f"h{i}", org.buildings[i]).id for i in range(3)]
    activities = [activity(community.id, FIRST_DAY + timedelta(days=d)) for d in range(DAYS)
                  for _ in range(2)]
    day_of = {a.id: a.starts_at.astimezone(LOCAL_TZ).date() for a in activities}
    base_rules = {r.id for r in db.session.scalars(sa.select(PointRule))}

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            for table in (PointEntry.__table__, PointBalance.__table__, HoursRecord.__table__):
                db.session.execute(table.delete())
            db.session.execute(PointRule.__table__.delete().where(
                PointRule.id.not_in(base_rules)))
            db.session.commit()
            self.today = 3
            self.clock = time_machine.travel(self._now(), tick=False)
            self.clock.start()
            self.hours: dict[tuple[int, int], float] = {}

        def _now(self):
            return datetime.combine(FIRST_DAY + timedelta(days=self.today), time(20),
                                    tzinfo=LOCAL_TZ)

        def teardown(self):
            self.clock.stop()
            db.session.rollback()

        def _step(self):
            STEPS["count"] += 1
            db.session.commit()

        @rule()
        def next_day(self):
            if self.today < DAYS - 1:
                self.today += 1
                self.clock.stop()
                self.clock = time_machine.travel(self._now(), tick=False)
                self.clock.start()
            self._step()

        @rule(m=st.sampled_from(members), a=st.integers(0, len(activities) - 1),
              hours=st.sampled_from([0.5, 1, 1.5, 2, 3, 4, 6]))
        def award_or_correct_hours(self, m, a, hours):
            act = activities[a]
            if (day_of[act.id] - FIRST_DAY).days > self.today:
                return self._step()
            if self.hours.get((m, act.id)) == hours:
                return self._step()
            approve_hours(m, act, hours, commit=False)
            self.hours[(m, act.id)] = hours
            self._step()

        @rule(m=st.sampled_from(members), a=st.integers(0, len(activities) - 1))
        def reverse_hours(self, m, a):
            act = activities[a]
            if self.hours.get((m, act.id), 0) == 0:
                return self._step()
            approve_hours(m, act, 0, commit=False)
            self.hours[(m, act.id)] = 0
            self._step()

        @rule(m=st.sampled_from(members), a=st.integers(0, len(activities) - 1))
        def duplicate_hours_signal(self, m, a):
            record = db.session.scalar(sa.select(HoursRecord).filter_by(
                member_id=m, activity_id=activities[a].id, status="approved"))
            if record is not None:
                events.hours_record_finalised.send(record, previous_hours=None)
            self._step()

        @rule(m=st.sampled_from(members), note=st.integers(1, 6))
        def pledge_note_verified_maybe_again(self, m, note):
            events.pledge_note_verified.send(SimpleNamespace(
                id=note * 10 + m, member_id=m, community_id=community.id))
            self._step()

        @rule(m=st.sampled_from(members), note=st.integers(1, 6))
        def reverse_pledge_note(self, m, note):
            entry = db.session.scalar(sa.select(PointEntry).filter_by(
                source_key=f"pledge_note:{note * 10 + m}", revision=1))
            if entry is not None:
                try:
                    ledger.reverse_source(entry.id, None, "核查不实")
                except AppError as error:
                    assert error.code == "already_reversed"
            self._step()

        @rule(rate=st.integers(0, 20), daily=st.one_of(st.none(), st.integers(0, 60)),
              monthly=st.one_of(st.none(), st.integers(0, 200)), ahead=st.integers(1, 3))
        def change_rule(self, rate, daily, monthly, ahead):
            day = FIRST_DAY + timedelta(days=self.today + ahead)
            scheme.add_rule(scope_type="community", scope_id=community.id, kind="hours",
                            category="*", points=rate, daily_cap=daily, monthly_cap=monthly,
                            effective_from=day, user_id=None)
            self._step()

        @invariant()
        def balances_equal_the_ledger(self):
            assert reconcile().differences == []

        @invariant()
        def no_source_is_paid_twice(self):
            nets = defaultdict(lambda: [0, 0, 0])
            for e in db.session.scalars(sa.select(PointEntry)):
                nets[e.source_key][0] += e.amount
                nets[e.source_key][1] += e.hours_centi
                nets[e.source_key][2] += e.amount > 0 and e.revision == 1
            for key, (points, hours_centi, _first) in nets.items():
                assert points >= 0, key
                if key.startswith("hours:"):
                    _kind, m, a = key.split(":")
                    assert hours_centi == round(self.hours[(int(m), int(a))] * 100), key
                    assert points <= 20 * hours_centi / 100 + 1, key
                else:
                    assert points <= 5, key  # one pledge pays at most once

        @invariant()
        def caps_hold(self):
            day_sums = defaultdict(int)
            month_sums = defaultdict(int)
            rules_of_day = defaultdict(set)
            rules_of_month = defaultdict(set)
            for e in db.session.scalars(sa.select(PointEntry)):
                day_sums[(e.member_id, e.rule_key, e.earned_on)] += e.amount
                month_sums[(e.member_id, e.rule_key, e.month)] += e.amount
                if e.rule_id is not None:
                    rules_of_day[(e.member_id, e.rule_key, e.earned_on)].add(e.rule_id)
                    rules_of_month[(e.member_id, e.rule_key, e.month)].add(e.rule_id)
            for key, total in day_sums.items():
                ids = rules_of_day[key]
                assert len(ids) <= 1, "a day's points all follow the rule in force that day"
                if ids:
                    cap = db.session.get(PointRule, next(iter(ids))).daily_cap
                    assert cap is None or total <= cap, key
            for key, total in month_sums.items():
                caps = [db.session.get(PointRule, i).monthly_cap for i in rules_of_month[key]]
                if caps and None not in caps:
                    assert total <= max(caps), key

        @invariant()
        def board_order_agrees_with_balances(self):
            for period in ("all", "2026-03", "2026-04"):
                board = leaderboard(scope="community", scope_id=community.id, period=period,
                                    full_names=True, limit=50)
                expected = sorted(
                    db.session.execute(sa.select(PointBalance.member_id, PointBalance.points)
                                       .filter_by(period=period)),
                    key=lambda r: (-r.points, r.member_id))
                assert [(e["member_id"], e["points"]) for e in board["entries"]] == [
                    (r.member_id, r.points) for r in expected]
                assert [e["rank"] for e in board["entries"]] == rank_rows(
                    [r.points for r in expected])

    STEPS["count"] = 0
    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=25, stateful_step_count=40, deadline=None,
        suppress_health_check=list(HealthCheck)))
    print(f"\nHypothesis ledger machine: {STEPS['count']} steps")
    assert STEPS["count"] >= 500
