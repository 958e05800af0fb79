"""Links between operations: the id one answer carries leads to the operations whose path
needs it (schemathesis' stateful runs follow them, tests/test_api_stateful.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Resources whose ids go by another name in paths: schema name -> path parameter
ID_PARAMETER = {
    "HoursRecord": "record_id",
    "ManualAward": "award_id",
    "Makeup": "session_id",
    "Entry": "entry_id",
    "Template": "template_id",
    "Area": "area_id",
    "Note": "note_id",
    "Unconfirmed": "attendance_id",
}



def operations(spec_paths: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec_paths.items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation

def ref_name(schema: dict) -> tuple[str | None, bool]:
    """The component a response schema names, and whether it is a list of them."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1], False
    items = schema.get("items", {})
    if schema.get("type") == "array" and "$ref" in items:
        return items["$ref"].rsplit("/", 1)[-1], True
    return None, False


def _id_parameter(schema_name: str) -> str:
    name = re.sub(r"(Out|Detail|Brief)$", "", schema_name)
    if name in ID_PARAMETER:
        return ID_PARAMETER[name]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() + "_id"

def add_links(spec_paths: dict) -> None:
    """Each operation whose answer carries a resource's id links to every operation whose path
    needs exactly that id (a create to what comes next; a list to each item's pages)."""
    by_parameter: dict[str, list[tuple[str, dict]]] = {}
    for path, _method, operation in operations(spec_paths):
        names = re.findall(r"{([^}]+)}", path)
        if len(names) == 1:
            by_parameter.setdefault(names[0], []).append((path, operation))
    for _path, _method, operation in operations(spec_paths):
        for status, response in operation.get("responses", {}).items():
            if not status.startswith("2") or "content" not in response:
                continue
            schema = response["content"].get("application/json", {}).get("schema", {})
            name, many = ref_name(schema)
            if name is None:
                continue
            parameter = _id_parameter(name)
            pointer = "$response.body#/0/id" if many else "$response.body#/id"
            links = {
                f"{target['operationId']}": {
                    "operationId": target["operationId"],
                    "parameters": {parameter: pointer},
                }
                for _target_path, target in by_parameter.get(parameter, [])
                if "operationId" in target and target is not operation
            }
            if links:
                response["links"] = links

