"""The API document speaks the language of the service's users: every operation's summary and
description (the view's docstring, read by flask-smorest) are in Chinese."""

from __future__ import annotations

import re

CHINESE = re.compile(r"[\u4e00-\u9fff]")
METHODS = {"get", "post", "put", "patch", "delete"}


def test_every_operation_has_a_chinese_summary_and_description(app):
    document = app.test_client().get("/api/openapi.json").json
    offending = [
        f"{method.upper()} {path}: {operation.get('summary')!r}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        and not (CHINESE.search(operation.get("summary", ""))
                 and CHINESE.search(operation.get("description", "")))
    ]
    assert not offending, (
        "operations whose summary or description is not in Chinese "
        "(write the view's docstring: a Chinese summary line, a blank line, a Chinese "
        "description):\n" + "\n".join(offending))
