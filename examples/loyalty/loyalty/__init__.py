"""Loyalty: an example downstream service built on the ``orderflow-events`` kit.

It awards points for confirmed orders and takes them back when an order is refunded or
cancelled, in its own PostgreSQL schema, exactly once per event.
"""
