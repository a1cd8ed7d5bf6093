"""The payments bounded context. Import from ``domains.payments.api`` only."""
