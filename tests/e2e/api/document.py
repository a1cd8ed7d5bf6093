"""The API's own OpenAPI document as the judge of a real answer.

A response is *documented* when its operation lists its status, with its content type, and its
body validates against the schema given there: schemathesis' ``response_schema_conformance``
check does the validating, on the document the API serves. An answer no operation can document
(a path nobody serves, a method the path lacks) must still be a Problem.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs
import schemathesis

PROBLEM = "application/problem+json"


class Document:
    """The document served at ``/openapi.json``, checking responses against itself."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self._schema = schemathesis.openapi.from_dict(raw)
        # The Problem component, its references resolved inside the document itself.
        problem = {"$ref": "#/components/schemas/Problem", "components": raw["components"]}
        self._problem = jsonschema_rs.validator_for(problem)

    def check(self, response: httpx.Response) -> None:
        """AssertionError unless ``response`` is what the document says its operation answers."""
        request = response.request
        operation = self._schema.find_operation_by_path(request.method, request.url.path)
        if operation is not None and operation.method.upper() != request.method:
            operation = None  # schemathesis lends HEAD the GET operation; HEAD is not one
        media_type = response.headers.get("content-type", "").partition(";")[0]
        where = f"{request.method} {request.url.path} → {response.status_code} {media_type}"
        if operation is None:
            assert response.status_code in (404, 405), where
            assert media_type == PROBLEM, where
            if request.method != "HEAD":
                errors = [e.message for e in self._problem.iter_errors(response.json())]
                assert not errors, f"not a Problem: {where}: {errors}"
            return
        documented = operation.definition.raw["responses"].get(str(response.status_code))
        assert documented is not None, f"undocumented status: {where}"
        assert media_type in documented.get("content", {}), f"undocumented type: {where}"
        try:
            operation.validate_response(response)
        except* AssertionError as failures:  # schemathesis' failures, each with its reason
            reasons = "\n".join(str(failure) for failure in failures.exceptions)
            raise AssertionError(f"body breaks the documented schema: {where}\n{reasons}") from None

    def problem_codes(self, method: str, path: str, status: int) -> list[str]:
        """The codes the document lists for ``method path`` answering ``status``."""
        response = self.raw["paths"][path][method.lower()]["responses"][str(status)]
        narrowed = response["content"][PROBLEM]["schema"]["allOf"][1]
        return list(narrowed["properties"]["code"]["enum"])
