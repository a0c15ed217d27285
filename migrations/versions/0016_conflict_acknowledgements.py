"""command acknowledges an action-day conflict between packages, with a note

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:40:00.000000

One row per acknowledged conflict (who, when, the note both lead agencies read), removed when the
acknowledgement lapses (a package of the pair moved) or the conflict goes; the audit trail keeps every
acknowledgement and lapse.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('conflict_acknowledgement',
    sa.Column('conflict_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user_account.id'], name=op.f('fk_conflict_acknowledgement_acknowledged_by_id_user_account')),
    sa.ForeignKeyConstraint(['conflict_id'], ['package_conflict.id'], name=op.f('fk_conflict_acknowledgement_conflict_id_package_conflict')),
    sa.PrimaryKeyConstraint('conflict_id', name=op.f('pk_conflict_acknowledgement'))
    )


def downgrade() -> None:
    op.drop_table('conflict_acknowledgement')
