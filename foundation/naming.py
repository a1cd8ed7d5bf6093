"""The naming convention of every table's indexes and constraints, in every schema.

Migrations name constraints and indexes explicitly; ``MetaData(naming_convention=...)`` makes the
tables declared in code produce the same names, so alembic's comparison finds no difference.
"""

from __future__ import annotations

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
