"""Checks real responses against the OpenAPI document: the suite's own requests are the sample.

`ResponseChecker.record` runs after each response of a test app (tests/conftest.py): for each
(operation, status) it checks the first few JSON responses, and the test that made a response
the document does not describe fails, saying which and how.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

import jsonschema_rs

SAMPLES_PER_KIND = 3


def _json_schema(node):
    """OpenAPI 3.0 schema objects → JSON Schema (draft 4): `nullable` becomes a null type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _json_schema(value) for key, value in node.items()
              if not key.startswith("x-") and key not in {"example", "discriminator"}}
    if result.pop("nullable", False):
        if "type" in result:
            result["type"] = [result["type"], "null"]
        elif "$ref" in result or "allOf" in result:
            result = {"anyOf": [result, {"type": "null"}]}
    return result


@dataclass
class ResponseChecker:
    document: dict
    checked: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    operations: set = field(default_factory=set)
    validators: dict = field(default_factory=dict)

    def __post_init__(self):
        self.components = _json_schema(copy.deepcopy(self.document["components"]))
        self.paths = {re.sub(r"{([^}]+)}", r"<\1>", path): item
                      for path, item in self.document["paths"].items()}

    def _operation(self, rule: str, method: str):
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"<\1>", rule)
        return self.paths.get(path, {}).get(method.lower())

    def _resolve(self, node: dict) -> dict:
        while "$ref" in node:
            kind, name = node["$ref"].split("/")[-2:]
            node = self.document["components"][kind][name]
        return node

    def record(self, rule: str | None, method: str, response) -> None:
        if rule is None or not rule.startswith("/api/v1") or response.direct_passthrough:
            return
        operation = self._operation(rule, method)
        if operation is None:
            return
        status = str(response.status_code)
        kind = (rule, method, status)
        if self.checked.get(kind, 0) >= SAMPLES_PER_KIND:
            return
        self.checked[kind] = self.checked.get(kind, 0) + 1
        self.operations.add((rule, method))
        responses = operation["responses"]
        documented = responses.get(status) or responses.get("default")
        where = f"{method} {rule} → {status}"
        if status not in responses:
            self.problems.append(f"{where}: status not in the document "
                                 f"({response.get_data(as_text=True)[:200]})")
            return
        documented = self._resolve(documented)
        content = documented.get("content")
        if not content:
            # werkzeug sends no body with a 204 whatever the view left in it
            if response.status_code != 204 and response.get_data():
                self.problems.append(f"{where}: a body where the document has none: "
                                     f"{response.get_data()[:100]!r}")
            return
        if response.mimetype not in content:
            self.problems.append(f"{where}: {response.mimetype} not in {sorted(content)}")
            return
        if response.mimetype != "application/json":
            return
        validator = self.validators.get(kind)
        if validator is None:  # built once per kind: each carries every component
            schema = _json_schema(content["application/json"].get("schema", {}))
            validator = jsonschema_rs.Draft4Validator({**schema, "components": self.components})
            self.validators[kind] = validator
        body = json.loads(response.get_data())
        errors = [f"{e.message} at /{'/'.join(map(str, e.instance_path))}"
                  for e in validator.iter_errors(body)]
        if errors:
            self.problems.append(f"{where}: " + "; ".join(errors[:3]))
