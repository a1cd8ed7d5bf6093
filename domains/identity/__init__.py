"""The identity bounded context: users, passwords, tokens. Import from ``domains.identity.api``."""
