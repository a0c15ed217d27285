"""one-time tokens of submitted forms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 13:40:00.000000

A form carries a token; the write it asks for claims the token in the same transaction, so a
double click or a resubmitted form writes nothing twice.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('submission',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_submission'))
    )


def downgrade() -> None:
    op.drop_table('submission')
