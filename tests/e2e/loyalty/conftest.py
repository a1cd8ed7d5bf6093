"""The loyalty e2e reuses the checkout fixtures: the API and the fake payment provider."""

from tests.e2e.checkout.conftest import admin, api, provider, provider_behaves_normally

__all__ = ["admin", "api", "provider", "provider_behaves_normally"]
