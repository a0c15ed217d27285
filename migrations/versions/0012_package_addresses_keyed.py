"""target packages' addresses matched keyed, as identifiers are

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-26 19:50:00.000000

Event deconfliction compared packages' normalised addresses as plain text. It now compares
`address_keyed`, the HMAC of the normalised address under the operation's deconfliction key (kept
outside the database, as identifiers' `keyed`), and the plain normalised column goes. A revision has
no key: the packages there are keyed by the application the first time a package is checked with
the key (or by `deconflict rotate-key`); until then they are matched by distance only.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('target_package', sa.Column('address_keyed', sa.String(length=64), nullable=True))
    op.create_index('ix_target_package_address_keyed', 'target_package', ['operation_id', 'address_keyed'])
    op.drop_index('ix_target_package_address', table_name='target_package')
    op.drop_column('target_package', 'address_normalised')


def downgrade() -> None:
    # the plain normal form cannot be made again without the application: the address folded stands in.
    # Added NOT NULL with a default, as SQLite adds a column in place (rebuilding a table that others
    # reference is refused while foreign keys are enforced); PostgreSQL drops the default after.
    op.add_column('target_package', sa.Column('address_normalised', sa.String(length=300), nullable=False,
                                              server_default=''))
    op.execute("UPDATE target_package SET address_normalised = lower(address)")
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('target_package', 'address_normalised', server_default=None)
    op.create_index('ix_target_package_address', 'target_package', ['address_normalised'])
    op.drop_index('ix_target_package_address_keyed', table_name='target_package')
    op.drop_column('target_package', 'address_keyed')
