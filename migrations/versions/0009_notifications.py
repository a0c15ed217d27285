"""notifications, each person's notification settings, scheduled briefings' PDFs, the pass lease

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 16:40:00.000000

A notification is unique per (person, event key), so each event reaches each person once whoever
fires it; its indexes serve a person's inbox (newest first) and their unread count. The pass lease
lets one replica at a time run the reminder pass.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=48), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('event_key', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'event_key', name='uq_notification_event_key')
    )
    op.create_index('ix_notification_inbox', 'notification', ['user_id', 'id'])
    op.create_index('ix_notification_unread', 'notification', ['user_id', 'id', 'event', 'entity', 'entity_id'],
                    sqlite_where=sa.text('read_at IS NULL'), postgresql_where=sa.text('read_at IS NULL'))
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mail', sa.Enum('off', 'immediately', 'hourly digest', 'daily digest', name='mailmode',
                              native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('muted', sa.String(length=500), nullable=False),
    sa.Column('mail_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('briefing_at', sa.String(length=5), nullable=True),
    sa.Column('last_briefing_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_notification_settings_user_id_user_account')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('briefing_file',
    sa.Column('briefing_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_briefing_file_author_id_user_account')),
    sa.ForeignKeyConstraint(['briefing_id'], ['briefing.id'], name=op.f('fk_briefing_file_briefing_id_briefing')),
    sa.PrimaryKeyConstraint('briefing_id', name=op.f('pk_briefing_file'))
    )
    op.create_table('pass_lease',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_pass_lease'))
    )


def downgrade() -> None:
    op.drop_table('pass_lease')
    op.drop_table('briefing_file')
    op.drop_table('notification_settings')
    op.drop_index('ix_notification_unread', table_name='notification')
    op.drop_index('ix_notification_inbox', table_name='notification')
    op.drop_table('notification')
