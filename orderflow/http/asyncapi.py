"""``/docs/asyncapi`` (the AsyncAPI 3.0 JSON) and ``/docs/asyncapi.html`` (a readable page).

The page is rendered on the server from the same document, with no scripts or CDN assets.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse

from events.contracts import build_asyncapi, flatten_fields

router = APIRouter(tags=["event contracts"])

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;"
    "padding:.25rem .5rem;text-align:left;vertical-align:top}code{background:#f4f4f4}"
    ".deprecated{color:#888}"
)


@cache
def asyncapi_document() -> dict[str, Any]:
    """The document; built once per process (the registry is fixed at import time)."""
    return build_asyncapi()


@router.get("/docs/asyncapi", summary="AsyncAPI 3.0 document of every topic")
async def asyncapi_json() -> JSONResponse:
    """The machine-readable contract for downstream teams."""
    return JSONResponse(asyncapi_document())


@router.get("/docs/asyncapi.html", response_class=HTMLResponse, summary="Event contracts page")
async def asyncapi_html() -> HTMLResponse:
    """Channels, messages and their fields, as plain HTML."""
    return HTMLResponse(render_page(asyncapi_document()))


def render_page(document: dict[str, Any]) -> str:
    """The HTML page of an AsyncAPI document produced by :func:`build_asyncapi`."""
    info = document["info"]
    body = [
        f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>",
        f"<p>{escape(info['description'])}</p>",
        '<p>JSON: <a href="/docs/asyncapi">/docs/asyncapi</a></p>',
    ]
    messages = document["components"]["messages"]
    schemas = document["components"]["schemas"]
    for topic, channel in document["channels"].items():
        body.append(f"<h2>Topic <code>{escape(topic)}</code></h2>")
        body.append(f"<p>{escape(channel['description'])}</p>")
        for message_id in channel["messages"]:
            body.append(_message(messages[message_id], schemas[message_id]))
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def _message(message: dict[str, Any], payload: dict[str, Any]) -> str:
    css = ' class="deprecated"' if message.get("deprecated") else ""
    rows = "".join(
        f"<tr><td><code>{escape(f.path)}</code></td><td>{escape(f.type_label)}</td>"
        f"<td>{'yes' if f.required else 'no'}</td><td>{escape(f.description)}</td></tr>"
        for f in flatten_fields(payload).values()
    )
    key = message["bindings"]["kafka"]["key"]
    return (
        f"<section{css}><h3>{escape(message['title'])}</h3>"
        f"<p>{escape(message['description'])}</p>"
        f"<p>Key: {escape(key['description'])}</p>"
        "<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>"
        f"{rows}</table></section>"
    )
