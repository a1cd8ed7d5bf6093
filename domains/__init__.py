"""The bounded contexts. Each exposes one import surface: ``domains.<context>.api``."""
