"""The AsyncAPI document: complete, served over HTTP, and valid for the official AsyncAPI parser."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from events import registry
from events.contracts import build_asyncapi
from orderflow.http.asyncapi import router

VALIDATOR = Path(__file__).resolve().parents[3] / "tools" / "asyncapi"
SETUP = "npm ci --prefix tools/asyncapi"


def _validate(document: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not (VALIDATOR / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(f"the AsyncAPI validator is not installed: run `{SETUP}` (make setup)")
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    return subprocess.run(
        ["node", str(VALIDATOR / "validate.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_document_is_valid_asyncapi_3(tmp_path: Path) -> None:
    result = _validate(build_asyncapi(), tmp_path)

    assert result.returncode == 0, result.stderr
    assert "valid AsyncAPI 3.0.0 document" in result.stdout


def test_the_validator_rejects_a_broken_document(tmp_path: Path) -> None:
    document = build_asyncapi()
    channel = document["channels"]["orders.order.v1"]
    channel["messages"]["orders.OrderPlaced.v2"] = {"$ref": "#/components/messages/nope"}
    del document["info"]

    result = _validate(document, tmp_path)

    assert result.returncode == 1
    assert "error" in result.stderr


def test_every_topic_is_a_channel_with_every_version_and_its_key_and_headers() -> None:
    document = build_asyncapi()

    assert set(document["channels"]) == registry.topics()
    placed = document["components"]["messages"]["orders.OrderPlaced.v1"]
    assert placed["deprecated"] is True
    assert placed["bindings"]["kafka"]["key"]["format"] == "uuid"
    headers = placed["headers"]["properties"]
    assert headers["ce_type"]["const"] == "orderflow.orders.OrderPlaced.v1"
    assert {"ce_id", "ce_source", "ce_time", "correlation_id", "traceparent"} <= set(headers)
    assert placed["examples"][0]["payload"]["order_id"]
    operation = document["operations"]["send.orders.order.v1"]
    sent = {m["$ref"].rsplit("/", 1)[-1] for m in operation["messages"]}
    assert "orders.OrderPlaced.v2" in sent
    assert "orders.OrderPlaced.v1" not in sent


def test_every_message_documents_the_producing_build_as_an_optional_extension() -> None:
    messages = build_asyncapi()["components"]["messages"].values()

    for message in messages:
        headers = message["headers"]
        assert "producerversion" in headers["properties"]["ce_producerversion"]["description"]
        assert "ce_producerversion" not in headers["required"]  # older releases lack it
        assert message["examples"][0]["headers"]["ce_producerversion"].startswith("orderflow/")


def test_the_document_and_its_page_are_served() -> None:
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)

    document = client.get("/docs/asyncapi")
    page = client.get("/docs/asyncapi.html")

    assert document.status_code == 200
    assert document.json()["asyncapi"] == "3.0.0"
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "orders.OrderPlaced v2" in page.text
    assert "<code>lines[].sku</code>" in page.text
    assert "<script" not in page.text
