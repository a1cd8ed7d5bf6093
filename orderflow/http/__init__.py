"""The HTTP API process."""

from orderflow.http.app import create_app

__all__ = ["create_app"]
