"""The OpenAPI document, made to say what the server does.

FastAPI documents errors as ``application/json`` in its own 422 shape. Here every error
response becomes ``application/problem+json`` with the one ``Problem`` schema, narrowed per
operation to the codes it can answer with: the ones its route declares
(``domains.shared.problems.problem_responses``) plus those every operation shares, from the
request guard, validation and authentication.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domains.shared.problems import PROBLEM, Problem

PROBLEM_REF = "#/components/schemas/Problem"
NUL = {"pattern": "\\u0000"}  # a regex matching U+0000, in the ECMA syntax schemas use
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

# What any operation can answer before its route runs: orderflow.http.malformed, the body
# limit, and validation of the declared parameters and body.
SHARED_CODES: dict[int, tuple[str, ...]] = {
    400: ("malformed_header", "malformed_url", "malformed_json", "json_too_deep"),
    413: ("body_too_large",),
    422: ("validation_error", "invalid_character"),
}
# A bad or missing bearer token, on every operation with a security requirement.
AUTHENTICATION_CODES: dict[int, tuple[str, ...]] = {
    401: ("missing_token", "invalid_token", "token_expired", "session_ended"),
}


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected document at ``app.openapi_url`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = with_problems(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every error response a problem, the codes listed per operation."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)  # FastAPI's 422 shape, which we never send
    schemas.pop("ValidationError", None)
    operations = [
        operation
        for path_item in document.get("paths", {}).values()
        for method, operation in path_item.items()
        if method in HTTP_METHODS
    ]
    for name in _request_schemas(operations, schemas):
        _forbid_nul(schemas[name])
    schemas.update(problem_schemas())
    for operation in operations:
        _document_problems(operation)
        for parameter in operation.get("parameters", []):
            _forbid_nul(parameter.get("schema", {}))
    return document


def documented_methods(document: dict[str, Any], path: str) -> list[str]:
    """The methods the document lists for the path template ``path`` matches, sorted."""
    for template, path_item in document.get("paths", {}).items():
        parts = re.split(r"(\{[^/{}]+\})", template)
        pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        if re.fullmatch(pattern, path):
            return sorted(method.upper() for method in path_item if method in HTTP_METHODS)
    return []


def problem_schemas() -> dict[str, Any]:
    """``Problem`` and the schemas it refers to, as components."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    return {**nested, "Problem": schema}


def _document_problems(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    codes: dict[int, list[str]] = {}
    own = set()  # statuses a route answers with a body of its own (OAuth's RFC 6749 errors)
    for key, declared in responses.items():
        if key.isdigit() and int(key) >= 400:
            if declared.pop("x-own-error-body", False):
                own.add(int(key))
                continue
            codes[int(key)] = list(declared.pop("x-problem-codes", []))
    shared = {**SHARED_CODES, **(AUTHENTICATION_CODES if operation.get("security") else {})}
    for status, common in shared.items():
        codes.setdefault(status, []).extend(common)
    for status in own:
        codes.pop(status, None)
    for status, names in sorted(codes.items()):
        response = responses.setdefault(str(status), {})
        unique = sorted(set(names))
        text = response.get("description") or HTTPStatus(status).phrase
        response["description"] = f"{text}. Codes: {', '.join(f'`{c}`' for c in unique)}"
        response["content"] = {PROBLEM: {"schema": _narrowed(unique)}}
    operation["responses"] = dict(sorted(responses.items()))


def _request_schemas(operations: list[dict[str, Any]], schemas: dict[str, Any]) -> set[str]:
    """The names of the components that request bodies use, directly or nested."""
    found: set[str] = set()
    pending = [op.get("requestBody", {}) for op in operations]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.removeprefix("#/components/schemas/")
            if ref and name not in found and name in schemas:
                found.add(name)
                pending.append(schemas[name])
            pending.extend(node.values())
    return found


def _forbid_nul(schema: Any) -> None:
    """Say in every string schema what the request guard refuses: U+0000 (invalid_character)."""
    if isinstance(schema, list):
        for item in schema:
            _forbid_nul(item)
    elif isinstance(schema, dict):
        if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
            schema["not"] = dict(NUL)
        for key, value in schema.items():
            if key != "not":
                _forbid_nul(value)


def _narrowed(codes: list[str]) -> dict[str, Any]:
    """The Problem schema whose ``code`` is one of ``codes``."""
    return {"allOf": [{"$ref": PROBLEM_REF}, {"properties": {"code": {"enum": codes}}}]}
