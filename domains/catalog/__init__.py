"""The catalog bounded context: products, prices, stock. Import from ``domains.catalog.api``."""
