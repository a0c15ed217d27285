"""notifications carry their record's operation: an inbox walks one operation's

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 22:45:00.000000

A person in two operations reading one walked the other's notifications too, batch by batch, to
find the ones of the operation read: a busy other operation left their inbox page short and their
unread count slow. A notification now copies its record's operation, filled here from the record
it names (a record no longer there leaves it None: never shown, as it was not), and both of a
person's indexes lead with it after the person.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0022'
down_revision: Union[str, Sequence[str], None] = '0021'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TOLD_ABOUT = {  # entity a notification names -> its table, each row of one operation
    'suspect': 'suspect', 'arrest': 'arrest', 'evidence item': 'evidence_item', 'task': 'task',
    'target package': 'target_package', 'package conflict': 'package_conflict', 'briefing': 'briefing',
}
UNREAD = sa.text('read_at IS NULL')


def _indexes(leading: list[str]) -> None:
    op.create_index('ix_notification_inbox', 'notification', [*leading, 'id'])
    op.create_index('ix_notification_unread', 'notification', [*leading, 'id', 'event', 'entity', 'entity_id'],
                    sqlite_where=UNREAD, postgresql_where=UNREAD)


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_operation_id_operation'), 'operation',
                                    ['operation_id'], ['id'])
    for entity, table in TOLD_ABOUT.items():  # table names: this module's constants
        fill = (f"UPDATE notification SET operation_id = (SELECT {table}.operation_id FROM {table} "  # noqa: S608
                f"WHERE {table}.id = notification.entity_id) WHERE notification.entity = :entity")
        op.execute(sa.text(fill).bindparams(entity=entity))
    op.drop_index('ix_notification_unread', table_name='notification')
    op.drop_index('ix_notification_inbox', table_name='notification')
    _indexes(['user_id', 'operation_id'])


def downgrade() -> None:
    op.drop_index('ix_notification_unread', table_name='notification')
    op.drop_index('ix_notification_inbox', table_name='notification')
    _indexes(['user_id'])
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_operation_id_operation'), type_='foreignkey')
        batch_op.drop_column('operation_id')
