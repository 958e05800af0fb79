"""What deploy/try-local checks of nginx itself: the redirect, /metrics hidden, the body limit,
request ids, the clock-in limit, the console's caching."""

from __future__ import annotations

import time
from collections import Counter

import httpx
from try_local_journeys import Client
from try_local_topology import Topology


def check_nginx_edges(top: Topology, client: Client, report: dict) -> None:
    """What the site answers on its own: the redirect, /metrics hidden, the body limit, the
    request id, the console's caching."""
    http = httpx.get(f"http://127.0.0.1:{top.ports['nginx-http']}/api/v1/activities")
    assert http.status_code == 301 and http.headers["location"].startswith("https://"), http
    client.call("GET", "/metrics", expect=(404,))
    big = client.call("POST", "/api/v1/auth/login", expect=(413,),
                      content=b"x" * (report["max_body"] + 1),
                      headers={"Content-Type": "application/json"})
    assert big.json()["code"] == "payload_too_large"
    health = client.get("/healthz")
    assert health.headers.get("X-Request-ID"), "no X-Request-ID on the answer"
    edges = ["HTTP→HTTPS 301", "/metrics 404 from outside", "body > app.max_body_bytes: 413 JSON",
             "X-Request-ID on answers", clock_in_burst(top, client)]
    if report["console_built"]:
        index = client.get("/console/")
        assert index.headers.get("Cache-Control") == "no-store", index.headers
        asset = next(part.split('"')[0] for part in index.text.split('src="/console/')[1:]
                     if part.startswith("assets/"))
        cached = client.get(f"/console/{asset}")
        assert "immutable" in cached.headers.get("Cache-Control", ""), cached.headers
        edges.append("console index no-store, assets immutable (served by nginx)")
    else:
        edges.append("console not built: its caching not checked")
    report["edges"] = edges


def clock_in_burst(top: Topology, client: Client) -> str:
    """30 clock-ins at once from one address: nginx lets its per-address burst through (the app
    answers them: 401, no token) and answers the rest itself, 429 in the app's JSON."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_):
        response = client.http.post("/api/v1/activities/999999/clock-in",
                                    json={"method": "qr", "code": "x"})
        return response.status_code, response.headers.get("Retry-After"), response.text

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(one, range(30)))
    limited = [a for a in answers if a[0] == 429]
    passed = sum(a[0] == 401 for a in answers)
    assert limited and passed, f"clock-in burst: {Counter(a[0] for a in answers)}"
    assert all(a[1] and '"rate_limited"' in a[2] for a in limited), limited[:1]
    time.sleep(2.5)  # the address's bucket refills before the member's real clock-in
    return f"clock-in burst of 30 from one address: {passed} to the app, {len(limited)} × 429 JSON"
