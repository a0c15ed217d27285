"""a conflict's acknowledgement is per operation: each side's command acknowledges its own side

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 22:40:00.000000

Packages of two operations at one door now conflict; each operation's command acknowledges the
conflict for its own side, and neither reads the other's note. An acknowledgement names the
operation it was given in, filled here from the conflict's (every conflict so far is within one
operation), and is keyed by (conflict, operation).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0021'
down_revision: Union[str, Sequence[str], None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FILL = ("UPDATE conflict_acknowledgement SET operation_id = (SELECT operation_id FROM package_conflict "
        "WHERE package_conflict.id = conflict_acknowledgement.conflict_id)")
TABLE = 'conflict_acknowledgement'


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column('operation_id', sa.Integer(), nullable=True))
    op.execute(FILL)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column('operation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_conflict_acknowledgement_operation_id_operation'), 'operation',
                                    ['operation_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('pk_conflict_acknowledgement'), type_='primary')
        batch_op.create_primary_key(batch_op.f('pk_conflict_acknowledgement'), ['conflict_id', 'operation_id'])


def downgrade() -> None:
    # the other side's acknowledgements of conflicts between operations have no place in one key
    op.execute("DELETE FROM conflict_acknowledgement WHERE operation_id <> (SELECT operation_id FROM "
               "package_conflict WHERE package_conflict.id = conflict_acknowledgement.conflict_id)")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('pk_conflict_acknowledgement'), type_='primary')
        batch_op.create_primary_key(batch_op.f('pk_conflict_acknowledgement'), ['conflict_id'])
        batch_op.drop_constraint(batch_op.f('fk_conflict_acknowledgement_operation_id_operation'),
                                 type_='foreignkey')
        batch_op.drop_column('operation_id')
