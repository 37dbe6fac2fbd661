"""on PostgreSQL, prefix indexes (varchar_pattern_ops) for the search box of the large
lists: a word of one or two characters has no trigram, so it matches from the start of
ticket codes and contact names, bill periods, receipt numbers and the audit trail's
record, person and account (admin_views/search.py)

Revision ID: 0b5e2f7c91a4
Revises: f262dc7abc6f
Create Date: 2026-12-02 14:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0b5e2f7c91a4'
down_revision = 'f262dc7abc6f'
branch_labels = None
depends_on = None

PREFIX = (("ticket", "code"), ("ticket", "contact_name"), ("bill", "period"),
          ("payment", "receipt_no"), ("audit_entry", "record_label"),
          ("audit_entry", "actor_name"), ("audit_entry", "username"))


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, column in PREFIX:
            op.create_index(f'ix_{table}_{column}_prefix', table, [column], unique=False,
                            postgresql_ops={column: 'varchar_pattern_ops'})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, column in reversed(PREFIX):
            op.drop_index(f'ix_{table}_{column}_prefix', table_name=table)
