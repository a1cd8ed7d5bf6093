"""What the read models (search, analytics) share: guarded upserts and rebuild-and-swap.

A read model is a set of tables in a schema of its own, written by a consumer group from
events. :func:`guarded_upsert` writes one field group of one row unless a newer version of
that group is already there; :func:`rebuild_read_model` builds fresh tables from the beginning
of the topics under a new consumer group and swaps them in, in one short transaction.
"""

from consumers.readmodel.guarded import guarded_upsert
from consumers.readmodel.rebuild import (
    Apply,
    Progress,
    ReadModel,
    RebuildReport,
    rebuild_read_model,
)

__all__ = [
    "Apply",
    "Progress",
    "ReadModel",
    "RebuildReport",
    "guarded_upsert",
    "rebuild_read_model",
]
