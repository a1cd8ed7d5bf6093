"""The loyalty e2e reuses the checkout fixtures: the API and the fake payment provider."""

from tests.e2e.checkout.conftest import _normal_provider, admin, api, provider

__all__ = ["_normal_provider", "admin", "api", "provider"]
