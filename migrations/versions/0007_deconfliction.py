"""deconfliction: identifiers, hits, exclusions, contact requests, record grants, checks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 16:24:09.976264

Identifiers are matched by their keyed hash (HMAC under a key kept outside the database); the
operation remembers the fingerprint of that key so a different key file is noticed.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('exclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('phone number', 'e-mail address', 'online handle', 'crypto wallet', 'bank account', 'IMEI', 'IP address', 'domain', 'person', 'address', name='identifierkind', native_enum=False, length=32), nullable=False),
    sa.Column('normalised', sa.String(length=300), nullable=False),
    sa.Column('keyed', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_exclusion_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_exclusion_operation_id_operation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exclusion')),
    sa.UniqueConstraint('operation_id', 'keyed', name='uq_exclusion_keyed')
    )
    op.create_table('identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('phone number', 'e-mail address', 'online handle', 'crypto wallet', 'bank account', 'IMEI', 'IP address', 'domain', 'person', 'address', name='identifierkind', native_enum=False, length=32), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('qualifier', sa.String(length=300), nullable=True),
    sa.Column('normalised', sa.String(length=300), nullable=False),
    sa.Column('keyed', sa.String(length=64), nullable=False),
    sa.Column('phonetic_keyed', sa.String(length=64), nullable=True),
    sa.Column('record_entity', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_identifier_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_identifier_operation_id_operation')),
    sa.ForeignKeyConstraint(['owning_agency_id'], ['agency.id'], name=op.f('fk_identifier_owning_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identifier'))
    )
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.create_index('ix_identifier_agency', ['owning_agency_id'], unique=False)
        batch_op.create_index('ix_identifier_keyed', ['keyed', 'operation_id'], unique=False)
        batch_op.create_index('ix_identifier_phonetic', ['phonetic_keyed'], unique=False,
                              sqlite_where=sa.text('phonetic_keyed IS NOT NULL'),
                              postgresql_where=sa.text('phonetic_keyed IS NOT NULL'))
        batch_op.create_index('ix_identifier_record', ['record_entity', 'record_id'], unique=False)

    op.create_table('identifier_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_identifier_check_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identifier_check'))
    )
    with op.batch_alter_table('identifier_check', schema=None) as batch_op:
        batch_op.create_index('ix_identifier_check_user', ['user_id', 'checked_at'], unique=False)

    op.create_table('hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('match', sa.Enum('exact', 'possible', name='hitmatch', native_enum=False, length=32), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('first_agency_id', sa.Integer(), nullable=False),
    sa.Column('second_agency_id', sa.Integer(), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.Enum('excluded', 'removed', name='hitclosed', native_enum=False, length=32), nullable=True),
    sa.ForeignKeyConstraint(['first_agency_id'], ['agency.id'], name=op.f('fk_hit_first_agency_id_agency')),
    sa.ForeignKeyConstraint(['first_id'], ['identifier.id'], name=op.f('fk_hit_first_id_identifier')),
    sa.ForeignKeyConstraint(['second_agency_id'], ['agency.id'], name=op.f('fk_hit_second_agency_id_agency')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_hit_operation_id_operation')),
    sa.ForeignKeyConstraint(['second_id'], ['identifier.id'], name=op.f('fk_hit_second_id_identifier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hit')),
    sa.UniqueConstraint('first_id', 'second_id', 'match', name='uq_hit_pair')
    )
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.create_index('ix_hit_found', ['operation_id', 'found_at'], unique=False)
        batch_op.create_index('ix_hit_second', ['second_id'], unique=False)

    op.create_table('contact_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('hit_id', sa.Integer(), nullable=False),
    sa.Column('requesting_agency_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('owner_agency_id', sa.Integer(), nullable=False),
    sa.Column('record_entity', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'declined', name='contactstatus', native_enum=False, length=32), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('condition', sa.Enum('H0', 'H1', 'H2', 'H3', name='handlingcondition', native_enum=False, length=32), nullable=True),
    sa.Column('condition_text', sa.String(length=1000), nullable=True),
    sa.Column('decline_reason', sa.String(length=1000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_contact_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['hit_id'], ['hit.id'], name=op.f('fk_contact_request_hit_id_hit')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_contact_request_operation_id_operation')),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agency.id'], name=op.f('fk_contact_request_owner_agency_id_agency')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_contact_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['requesting_agency_id'], ['agency.id'], name=op.f('fk_contact_request_requesting_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_request'))
    )
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.create_index('ix_contact_request_hit', ['hit_id'], unique=False)
        batch_op.create_index('ix_contact_request_owner', ['owner_agency_id', 'status'], unique=False)
        batch_op.create_index('ix_contact_request_requester', ['requesting_agency_id', 'status'], unique=False)

    op.create_table('record_grant',
    sa.Column('record_entity', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('condition', sa.Enum('H0', 'H1', 'H2', 'H3', name='handlingcondition', native_enum=False, length=32), nullable=False),
    sa.Column('condition_text', sa.String(length=1000), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_record_grant_agency_id_agency')),
    sa.ForeignKeyConstraint(['request_id'], ['contact_request.id'], name=op.f('fk_record_grant_request_id_contact_request')),
    sa.PrimaryKeyConstraint('record_entity', 'record_id', 'agency_id', name=op.f('pk_record_grant'))
    )
    op.add_column('operation', sa.Column('deconfliction_key_fingerprint', sa.String(length=64), nullable=True))



def downgrade() -> None:
    # a plain ALTER (SQLite 3.35+): a batch copy of the operation table would trip its foreign keys
    op.execute('ALTER TABLE operation DROP COLUMN deconfliction_key_fingerprint')

    op.drop_table('record_grant')
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_request_requester')
        batch_op.drop_index('ix_contact_request_owner')
        batch_op.drop_index('ix_contact_request_hit')

    op.drop_table('contact_request')
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index('ix_hit_second')
        batch_op.drop_index('ix_hit_found')

    op.drop_table('hit')
    with op.batch_alter_table('identifier_check', schema=None) as batch_op:
        batch_op.drop_index('ix_identifier_check_user')

    op.drop_table('identifier_check')
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.drop_index('ix_identifier_record')
        batch_op.drop_index('ix_identifier_phonetic')
        batch_op.drop_index('ix_identifier_keyed')
        batch_op.drop_index('ix_identifier_agency')

    op.drop_table('identifier')
    op.drop_table('exclusion')
