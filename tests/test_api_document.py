"""The OpenAPI document describes the API as it answers (real responses are checked against it
by every test: tests/openapi_check.py); here, what the document itself must say."""

from __future__ import annotations

import pytest

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/openapi.json").json


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def error_codes(operation, status: str) -> list[str]:
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    assert schema["allOf"][0] == {"$ref": "#/components/schemas/Error"}
    return schema["allOf"][1]["properties"]["code"]["enum"]


def test_the_error_schema_is_the_real_one(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message", "details"]
    assert error["properties"]["code"]["type"] == "string"
    assert "fields" in error["properties"]["details"]["properties"]


def test_every_operation_lists_the_codes_it_can_answer(document):
    for path, method, operation in operations(document):
        if path.startswith("/api/v1/") and operation.get("security") != [{}]:
            assert "unauthorized" in error_codes(operation, "401"), (method, path)
        if "{" in path:
            assert "not_found" in error_codes(operation, "404"), (method, path)
    clock_in = document["paths"]["/api/v1/activities/{activity_id}/clock-in"]["post"]
    assert {"not_signed_up", "clockin_not_open"} <= set(error_codes(clock_in, "409"))
    assert {"outside_geofence", "validation_error"} <= set(error_codes(clock_in, "422"))
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert "wechat_code_used" in error_codes(login, "401")  # raised through a table of errcodes


def test_every_write_documents_the_idempotency_key(document):
    key = document["components"]["parameters"]["IdempotencyKey"]
    assert key["in"] == "header" and key["name"] == "Idempotency-Key"
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (8, 100)
    for path, method, operation in operations(document):
        if method in WRITES:
            refs = [p.get("$ref") for p in operation.get("parameters", [])]
            assert "#/components/parameters/IdempotencyKey" in refs, (method, path)
            assert "idempotency_key_reused" in error_codes(operation, "422"), (method, path)


def test_decimals_are_strings_and_pagination_is_a_json_string(document):
    schemas = document["components"]["schemas"]
    assert schemas["BoardEntry"]["properties"]["hours"]["type"] == "string"
    assert schemas["HoursRuleIn"]["properties"]["min_share"]["type"] == "string"
    hours = schemas["CorrectionIn"]["properties"]["hours"]
    assert (hours["x-minimum"], hours["x-maximum"]) == ("0", "24")
    assert document["components"]["headers"]["PAGINATION"]["schema"] == {"type": "string"}


def test_a_body_is_required_only_when_it_has_required_fields(document):
    patch_me = document["paths"]["/api/v1/me"]["patch"]
    assert patch_me["requestBody"]["required"] is False
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["requestBody"]["required"] is True


def test_a_created_resource_links_to_the_calls_that_use_its_id(document):
    create = document["paths"]["/api/v1/communities/{community_id}/activities"]["post"]
    links = create["responses"]["201"]["links"]
    signup = links["activities_sign_up_post"]
    assert signup["parameters"] == {"activity_id": "$response.body#/id"}
    listed = document["paths"]["/api/v1/communities"]["get"]["responses"]["200"]["links"]
    assert any(link["parameters"] == {"community_id": "$response.body#/0/id"}
               for link in listed.values())


def test_the_docs_page_needs_no_internet(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"/api/docs/assets/{asset}" in page
        assert client.get(f"/api/docs/assets/{asset}").status_code == 200
