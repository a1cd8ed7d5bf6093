"""The fulfillment bounded context. Import from ``domains.fulfillment.api`` only."""
