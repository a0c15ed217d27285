"""several operations in one deployment: a short code, dates, partners and memberships

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 21:30:00.000000

A deployment held one operation, "the first row of `operation`", and a person had one role
everywhere. Now a person reads an operation as its member, with the role of their membership.
The upgrade keeps what every person saw: each operation gets a short code (the last word of its
code name, upper-cased: "Operation Elaborate" -> ELABORATE), every agency becomes a partner of
every operation, and every user but an admin a member of every operation in their current role
(a database of this schema's age holds one operation, so that is "the operation").
"""
import re
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _code(code_name: str, taken: set[str]) -> str:
    words = re.findall(r"[A-Za-z0-9]+", code_name) or ["OPERATION"]
    base = words[-1].upper()[:28]
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}{n}"
    taken.add(code)
    return code


def upgrade() -> None:
    # plain ADD COLUMNs and indexes: a batch copy of `operation` or `user_account` would drop a table
    # that every record references, which SQLite's foreign keys refuse once there are records
    op.add_column('operation', sa.Column('code', sa.String(length=32), nullable=False, server_default=''))
    op.add_column('operation', sa.Column('starts_on', sa.Date(), nullable=True))
    op.add_column('operation', sa.Column('ends_on', sa.Date(), nullable=True))
    op.add_column('operation', sa.Column('deconfliction_contact', sa.String(length=300), nullable=True))
    op.add_column('user_account', sa.Column('last_operation_id', sa.Integer(), nullable=True))
    op.create_table('operation_partner',
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_operation_partner_agency_id_agency')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'],
                            name=op.f('fk_operation_partner_operation_id_operation')),
    sa.PrimaryKeyConstraint('operation_id', 'agency_id', name=op.f('pk_operation_partner'))
    )
    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'commander', 'liaison', 'analyst', 'observer', name='role',
                              native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_membership_operation_id_operation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('operation_id', 'user_id', name='uq_membership_person')
    )
    op.create_index('ix_membership_user_id', 'membership', ['user_id'], unique=False)

    bind = op.get_bind()
    taken: set[str] = set()
    operations = bind.execute(sa.text("SELECT id, code_name FROM operation ORDER BY id")).all()
    for operation_id, code_name in operations:
        bind.execute(sa.text("UPDATE operation SET code = :code WHERE id = :id"),
                     {"code": _code(code_name, taken), "id": operation_id})
    op.create_index('ix_operation_code', 'operation', ['code'], unique=True)
    bind.execute(sa.text("INSERT INTO operation_partner (operation_id, agency_id) "
                         "SELECT operation.id, agency.id FROM operation CROSS JOIN agency"))
    bind.execute(sa.text("INSERT INTO membership (operation_id, user_id, role, version) "
                         "SELECT operation.id, user_account.id, user_account.role, 1 "
                         "FROM operation CROSS JOIN user_account WHERE user_account.role <> 'admin'"))


def downgrade() -> None:
    op.drop_index('ix_membership_user_id', table_name='membership')
    op.drop_table('membership')
    op.drop_table('operation_partner')
    op.drop_index('ix_operation_code', table_name='operation')
    for table, column in (('user_account', 'last_operation_id'), ('operation', 'deconfliction_contact'),
                          ('operation', 'ends_on'), ('operation', 'starts_on'), ('operation', 'code')):
        op.drop_column(table, column)
