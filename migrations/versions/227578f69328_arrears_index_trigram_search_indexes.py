"""the arrears' index of outstanding bills (a household's overdue bills read from the index
alone) and, on PostgreSQL, trigram indexes on the large lists' search columns (issue 16)

Revision ID: 227578f69328
Revises: 8e2aaccffe47
Create Date: 2026-12-02 05:35:12.307148

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '227578f69328'
down_revision = '8e2aaccffe47'
branch_labels = None
depends_on = None

OUTSTANDING = "status IN ('unpaid', 'partly_paid')"
TRIGRAM = (("bill", "period"), ("owner", "name"), ("owner", "phone"), ("payment", "receipt_no"),
           ("ticket", "code"), ("ticket", "contact_name"), ("unit", "number"))


def upgrade():
    op.create_index('ix_bill_outstanding', 'bill', ['unit_id', 'owner_id', 'due_date'],
                    unique=False, postgresql_include=['amount', 'paid_amount'],
                    postgresql_where=sa.text(OUTSTANDING), sqlite_where=sa.text(OUTSTANDING))
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TRIGRAM:
        op.create_index(f'ix_{table}_{column}_trgm', table, [column], unique=False,
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, column in reversed(TRIGRAM):
            op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
    op.drop_index('ix_bill_outstanding', table_name='bill')
