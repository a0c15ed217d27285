"""tallies counted per statement on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:10:00.000000

0002 counted row by row; the importer's statements of thousands of rows made one count row change
thousands of times per transaction. The triggers are replaced by ones that count each statement's
transition tables at once. The counts themselves do not change; SQLite keeps its row triggers.
"""
from typing import Sequence, Union

from alembic import op

from coordination import tallies


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _replace_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in tallies.drop_statements(dialect) + tallies.create_statements(dialect):
        op.execute(statement)


def upgrade() -> None:
    """Re-create the tally triggers as this code defines them."""
    _replace_triggers()


def downgrade() -> None:
    """The triggers count the same either way: 0002's tables are kept and stay correct."""
    _replace_triggers()
