"""/metrics: Prometheus' text format, readable from the inside network only, with requests by
endpoint, the outbox's backlog, job runs, the pool and statements by database."""

from __future__ import annotations

import pytest
import requests

from server.extensions import db
from server.jobs import job_by_name
from server.members.models import Member
from server.metrics import serve_scheduler_metrics
from server.notices.demo import seed_templates
from server.notices.models import Notice, SubscribeOutbox, SubscribeTemplate
from server.scheduler import run_job
from server.timeutil import utcnow
from tests.deploy.conftest import closed_port, metric

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def test_requests_are_counted_by_url_rule_not_by_path(client):
    line = ('party_http_requests_total{endpoint="/api/v1/activities/<int:activity_id>",'
            'method="GET",status="401"}')
    before = metric(client, line)
    client.get("/api/v1/activities/1")
    client.get("/api/v1/activities/2")
    assert metric(client, line) == before + 2
    text = client.get("/metrics").get_data(as_text=True)
    assert "/api/v1/activities/1" not in text  # one series per rule, whatever the ids
    assert ('party_http_request_duration_seconds_count{endpoint="/api/v1/activities/'
            '<int:activity_id>",method="GET"}') in text
    client.get("/nowhere/at/all")
    assert 'endpoint="<unmatched>"' in client.get("/metrics").get_data(as_text=True)


def test_metrics_are_plain_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    for name in ("party_http_requests_total", "party_db_statements_total",
                 "party_db_pool_checked_out", "party_db_pool_size", "party_outbox_backlog"):
        assert f"# TYPE {name.removesuffix('_total')}" in text


def test_from_outside_the_inside_network_metrics_are_not_found(client):
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


@pytest.mark.settings(APP_TRUSTED_PROXIES=1)
def test_behind_nginx_the_forwarded_client_must_be_inside_too(client):
    outside = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert outside.status_code == 404
    inside = client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    assert inside.status_code == 200
    # straight to the app server from outside, with a forged header: the peer is outside
    forged = client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"},
                        environ_base=OUTSIDE)
    assert forged.status_code == 404


@pytest.mark.settings(METRICS_ALLOWED_NETWORKS=["192.0.2.0/24"])
def test_the_allowed_networks_are_a_setting(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


def test_the_outbox_backlog_counts_pending_messages(client, org, make_member):
    members: list[Member] = [make_member(f"m{i}", org.buildings[0]) for i in range(4)]
    seed_templates()
    template = db.session.scalars(db.select(SubscribeTemplate)).first()
    notice = Notice(community_id=org.communities[0].id, title="通知", body="内容", audience={},
                    send_at=utcnow())
    db.session.add(notice)
    db.session.flush()
    db.session.add_all([SubscribeOutbox(notice_id=notice.id, member_id=member.id,
                                        template_id=template.id,
                                        status="sent" if member is members[3] else "pending")
                        for member in members])
    db.session.commit()
    assert metric(client, "party_outbox_backlog") == 3


def test_job_runs_are_counted_by_outcome(client):
    line = 'party_job_runs_total{job="purge_idempotency_records",outcome="done"}'
    before = metric(client, line)
    run_job(job_by_name("purge_idempotency_records"))
    assert metric(client, line) == before + 1


def test_statements_are_counted_for_the_primary(client):
    line = 'party_db_statements_total{database="primary"}'
    before = metric(client, line)
    client.get("/healthz")
    assert metric(client, line) > before


def test_the_scheduler_serves_its_job_runs_on_its_own_port(app):
    port = closed_port()
    serve_scheduler_metrics(port, "127.0.0.1")
    run_job(job_by_name("purge_idempotency_records"))
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert 'party_job_runs_total{job="purge_idempotency_records",outcome="done"}' in text
