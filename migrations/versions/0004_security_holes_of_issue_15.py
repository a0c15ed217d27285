"""sign-ins void before a user was disabled

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:00:00.000000

Disabling a user ends their open sign-ins and voids every sign-in issued before that moment, so
that enabling the account again needs a fresh sign-in (issue 15).
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
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_ins_void_before', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('sign_ins_void_before')
