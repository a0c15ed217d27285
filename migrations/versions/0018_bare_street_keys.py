"""addresses also keyed by street and number alone, so a line with neither town nor postcode is matched

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 19:00:00.000000

"Flat 2, 37 Barthor Road" (no town, no postcode) is in the building of "37 Barthor Rd, London SW1A
1AA": target packages and address identifiers gain `bare_keyed`, the street and building number
without locality (coordination/places.py, `match`), an HMAC under the operation's deconfliction key
like the other keys, indexed. A revision has no key: every package's keys are emptied (the first
package checked keys them all again, as after 0014) and every address identifier's country (the
application reads and keys them again at its next use of the key, as after 0017).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('target_package', sa.Column('bare_keyed', sa.String(length=64), nullable=True))
    op.create_index('ix_target_package_bare_keyed', 'target_package', ['operation_id', 'bare_keyed'])
    op.add_column('identifier', sa.Column('bare_keyed', sa.String(length=64), nullable=True))
    op.create_index('ix_identifier_bare', 'identifier', ['bare_keyed'], sqlite_where=sa.text('bare_keyed IS NOT NULL'),
                    postgresql_where=sa.text('bare_keyed IS NOT NULL'))
    op.execute("UPDATE target_package SET address_keyed = NULL, postcode_keyed = NULL, street_keyed = NULL, "
               "unit_keyed = NULL")
    op.execute("UPDATE identifier SET country = NULL, postcode_keyed = NULL, street_keyed = NULL, unit_keyed = NULL "
               "WHERE kind = 'address'")


def downgrade() -> None:
    # hits found by the bare street key stay, as same building (a match the older code knows)
    op.drop_index('ix_identifier_bare', table_name='identifier')
    op.drop_column('identifier', 'bare_keyed')
    op.drop_index('ix_target_package_bare_keyed', table_name='target_package')
    op.drop_column('target_package', 'bare_keyed')
