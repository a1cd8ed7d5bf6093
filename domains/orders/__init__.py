"""The orders bounded context. Import from ``domains.orders.api`` only."""
