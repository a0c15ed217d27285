"""hits carry both sides' marking and record

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 20:10:00.000000

A hit copied its two sides' owning agencies; the telling rule also reads each side's TLP label and
record (whether the viewer is a named recipient of a RED one), so counting the hits an operation
picture shows joined every hit with two identifiers (at stress scale the picture's full rerun took
2x its floor on SQLite, 4x on PostgreSQL). Each hit now copies them too (the services keep them in
step with the record, as they keep the identifiers'), filled here from the identifiers.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TLP = sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32)
SIDES = ('first', 'second')
FILL = (
    "UPDATE hit SET first_tlp = (SELECT tlp FROM identifier WHERE identifier.id = hit.first_id), "
    "first_record_entity = (SELECT record_entity FROM identifier WHERE identifier.id = hit.first_id), "
    "first_record_id = (SELECT record_id FROM identifier WHERE identifier.id = hit.first_id)",
    "UPDATE hit SET second_tlp = (SELECT tlp FROM identifier WHERE identifier.id = hit.second_id), "
    "second_record_entity = (SELECT record_entity FROM identifier WHERE identifier.id = hit.second_id), "
    "second_record_id = (SELECT record_id FROM identifier WHERE identifier.id = hit.second_id)",
)


def _columns(nullable: bool) -> dict[str, sa.Column]:
    columns = {}
    for side in SIDES:
        columns[f'{side}_tlp'] = sa.Column(f'{side}_tlp', TLP, nullable=nullable)
        columns[f'{side}_record_entity'] = sa.Column(f'{side}_record_entity', sa.String(length=32), nullable=nullable)
        columns[f'{side}_record_id'] = sa.Column(f'{side}_record_id', sa.Integer(), nullable=nullable)
    return columns


def upgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        for column in _columns(nullable=True).values():
            batch_op.add_column(column)
    for statement in FILL:
        op.execute(statement)
    with op.batch_alter_table('hit', schema=None) as batch_op:
        for name, column in _columns(nullable=False).items():
            batch_op.alter_column(name, existing_type=column.type, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        for name in _columns(nullable=True):
            batch_op.drop_column(name)
