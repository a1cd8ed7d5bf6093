"""Helpers the tests share: databases, polling. Fixtures stay in the conftest files."""
