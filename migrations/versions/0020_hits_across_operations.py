"""hits carry each side's operation: identifiers match across operations

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 22:10:00.000000

Identifiers are keyed with the deployment's one key, and now match across operations: the same
phone number held in two operations is a hit of both. Each side of a hit may be of another
operation, so a hit copies each side's operation (as it copies its agency and marking), filled
here from the identifiers; `operation_id` stays the first side's. The second side's operation is
indexed with the hit's time found, as `operation_id` is, for the hits told in each operation.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0020'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SIDES = ('first', 'second')
FILL = (
    "UPDATE hit SET first_operation_id = (SELECT operation_id FROM identifier WHERE identifier.id = hit.first_id)",
    "UPDATE hit SET second_operation_id = (SELECT operation_id FROM identifier WHERE identifier.id = hit.second_id)",
)


def upgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        for side in SIDES:
            batch_op.add_column(sa.Column(f'{side}_operation_id', sa.Integer(), nullable=True))
    for statement in FILL:
        op.execute(statement)
    with op.batch_alter_table('hit', schema=None) as batch_op:
        for side in SIDES:
            batch_op.alter_column(f'{side}_operation_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_hit_{side}_operation_id_operation'), 'operation',
                                        [f'{side}_operation_id'], ['id'])
        batch_op.create_index('ix_hit_second_operation', ['second_operation_id', 'found_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index('ix_hit_second_operation')
        for side in SIDES:
            batch_op.drop_constraint(batch_op.f(f'fk_hit_{side}_operation_id_operation'), type_='foreignkey')
            batch_op.drop_column(f'{side}_operation_id')
