"""tallies counted per statement on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:10:00.000000

0002 counted row by row; the importer's statements of thousands of rows made one count row change
thousands of times per transaction. The triggers are replaced by ones that count each statement's
transition tables at once. The counts themselves do not change; SQLite keeps its row triggers.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The SQL is frozen on purpose, as text, so that editing coordination/tallies.py can never change
# what this revision does. PostgreSQL only: on SQLite, 0002's row triggers are the ones
# coordination/tallies.py still creates (same text), so this revision leaves SQLite alone.

# The statement triggers, generated once from coordination/tallies.py as it was at commit 72c3e7a.
POSTGRESQL_STATEMENT_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION arrest_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, 1 AS d"
        " FROM new_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, jurisdiction_id, day"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'arrest' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, -1 AS d"
        " FROM old_rows c"
        " UNION ALL SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, 1 AS d"
        " FROM new_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, jurisdiction_id, day"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'arrest' AND r.entity_id = c.id WHERE c.tlp = 'RED'"
        " UNION ALL SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'arrest' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, -1 AS d"
        " FROM old_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, jurisdiction_id, day"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', c.arrested_at) AS DATE) AS day, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'arrest' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER arrest_tally_on_insert AFTER INSERT ON arrest REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION arrest_tally_keep()",
    "CREATE TRIGGER arrest_tally_on_update AFTER UPDATE ON arrest REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION arrest_tally_keep()",
    "CREATE TRIGGER arrest_tally_on_delete AFTER DELETE ON arrest REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION arrest_tally_keep()",
    "CREATE OR REPLACE FUNCTION arrest_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE) AS day, 1 AS d"
        " FROM new_rows c JOIN arrest s ON s.id = c.entity_id"
        " WHERE c.entity = 'arrest' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE) AS day, -1 AS d"
        " FROM old_rows c JOIN arrest s ON s.id = c.entity_id WHERE c.entity = 'arrest' AND s.tlp = 'RED'"
        " UNION ALL SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE) AS day, 1 AS d"
        " FROM new_rows c JOIN arrest s ON s.id = c.entity_id"
        " WHERE c.entity = 'arrest' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.jurisdiction_id AS jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE) AS day, -1 AS d"
        " FROM old_rows c JOIN arrest s ON s.id = c.entity_id"
        " WHERE c.entity = 'arrest' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER arrest_red_tally_on_recipient_insert AFTER INSERT ON recipient REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION arrest_red_tally_keep()",
    "CREATE TRIGGER arrest_red_tally_on_recipient_update AFTER UPDATE ON recipient REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION arrest_red_tally_keep()",
    "CREATE TRIGGER arrest_red_tally_on_recipient_delete AFTER DELETE ON recipient REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION arrest_red_tally_keep()",
    "CREATE OR REPLACE FUNCTION suspect_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) SELECT operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, 1 AS d"
        " FROM new_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, tier, status"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT user_id, operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'suspect' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed GROUP BY user_id, operation_id, owning_agency_id, tlp, tier, status"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) SELECT operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, -1 AS d"
        " FROM old_rows c"
        " UNION ALL SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, 1 AS d"
        " FROM new_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, tier, status"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT user_id, operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'suspect' AND r.entity_id = c.id WHERE c.tlp = 'RED'"
        " UNION ALL SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'suspect' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed GROUP BY user_id, operation_id, owning_agency_id, tlp, tier, status"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) SELECT operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, -1 AS d"
        " FROM old_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, tier, status"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT user_id, operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.tier AS tier, c.status AS status, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'suspect' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed GROUP BY user_id, operation_id, owning_agency_id, tlp, tier, status"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER suspect_tally_on_insert AFTER INSERT ON suspect REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION suspect_tally_keep()",
    "CREATE TRIGGER suspect_tally_on_update AFTER UPDATE ON suspect REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION suspect_tally_keep()",
    "CREATE TRIGGER suspect_tally_on_delete AFTER DELETE ON suspect REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION suspect_tally_keep()",
    "CREATE OR REPLACE FUNCTION suspect_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT user_id, operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.tier AS tier, s.status AS status, 1 AS d"
        " FROM new_rows c JOIN suspect s ON s.id = c.entity_id"
        " WHERE c.entity = 'suspect' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, tier, status HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT user_id, operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.tier AS tier, s.status AS status, -1 AS d"
        " FROM old_rows c JOIN suspect s ON s.id = c.entity_id WHERE c.entity = 'suspect' AND s.tlp = 'RED'"
        " UNION ALL SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.tier AS tier, s.status AS status, 1 AS d"
        " FROM new_rows c JOIN suspect s ON s.id = c.entity_id"
        " WHERE c.entity = 'suspect' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, tier, status HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT user_id, operation_id, owning_agency_id, tlp, tier, status, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.tier AS tier, s.status AS status, -1 AS d"
        " FROM old_rows c JOIN suspect s ON s.id = c.entity_id"
        " WHERE c.entity = 'suspect' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, tier, status HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER suspect_red_tally_on_recipient_insert AFTER INSERT ON recipient REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION suspect_red_tally_keep()",
    "CREATE TRIGGER suspect_red_tally_on_recipient_update AFTER UPDATE ON recipient REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION suspect_red_tally_keep()",
    "CREATE TRIGGER suspect_red_tally_on_recipient_delete AFTER DELETE ON recipient REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION suspect_red_tally_keep()",
    "CREATE OR REPLACE FUNCTION evidence_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, 1 AS d"
        " FROM new_rows c) AS changed"
        " GROUP BY operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'evidence item' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, -1 AS d"
        " FROM old_rows c"
        " UNION ALL SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, 1 AS d"
        " FROM new_rows c) AS changed"
        " GROUP BY operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'evidence item' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED'"
        " UNION ALL SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'evidence item' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, -1 AS d"
        " FROM old_rows c) AS changed"
        " GROUP BY operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.item_type AS item_type, c.status AS status, c.holder_agency_id AS holder_agency_id, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'evidence item' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER evidence_tally_on_insert AFTER INSERT ON evidence_item REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION evidence_tally_keep()",
    "CREATE TRIGGER evidence_tally_on_update AFTER UPDATE ON evidence_item REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION evidence_tally_keep()",
    "CREATE TRIGGER evidence_tally_on_delete AFTER DELETE ON evidence_item REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION evidence_tally_keep()",
    "CREATE OR REPLACE FUNCTION evidence_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.item_type AS item_type, s.status AS status, s.holder_agency_id AS holder_agency_id, 1 AS d"
        " FROM new_rows c JOIN evidence_item s ON s.id = c.entity_id"
        " WHERE c.entity = 'evidence item' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.item_type AS item_type, s.status AS status, s.holder_agency_id AS holder_agency_id, -1 AS d"
        " FROM old_rows c JOIN evidence_item s ON s.id = c.entity_id"
        " WHERE c.entity = 'evidence item' AND s.tlp = 'RED'"
        " UNION ALL SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.item_type AS item_type, s.status AS status, s.holder_agency_id AS holder_agency_id, 1 AS d"
        " FROM new_rows c JOIN evidence_item s ON s.id = c.entity_id"
        " WHERE c.entity = 'evidence item' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.item_type AS item_type, s.status AS status, s.holder_agency_id AS holder_agency_id, -1 AS d"
        " FROM old_rows c JOIN evidence_item s ON s.id = c.entity_id"
        " WHERE c.entity = 'evidence item' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER evidence_red_tally_on_recipient_insert AFTER INSERT ON recipient REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION evidence_red_tally_keep()",
    "CREATE TRIGGER evidence_red_tally_on_recipient_update AFTER UPDATE ON recipient REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION evidence_red_tally_keep()",
    "CREATE TRIGGER evidence_red_tally_on_recipient_delete AFTER DELETE ON recipient REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION evidence_red_tally_keep()",
    "CREATE OR REPLACE FUNCTION task_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) SELECT operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, 1 AS d"
        " FROM new_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, status, due_by"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT user_id, operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'task' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, status, due_by HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) SELECT operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, -1 AS d"
        " FROM old_rows c"
        " UNION ALL SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, 1 AS d"
        " FROM new_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, status, due_by"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT user_id, operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'task' AND r.entity_id = c.id WHERE c.tlp = 'RED'"
        " UNION ALL SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, 1 AS d"
        " FROM new_rows c JOIN recipient r ON r.entity = 'task' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, status, due_by HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) SELECT operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, -1 AS d"
        " FROM old_rows c) AS changed GROUP BY operation_id, owning_agency_id, tlp, status, due_by"
        " HAVING sum(d) <> 0"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT user_id, operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT r.user_id, c.operation_id AS operation_id, c.owning_agency_id AS owning_agency_id, c.tlp AS tlp, c.status AS status, COALESCE(c.due_date, '9999-12-31') AS due_by, -1 AS d"
        " FROM old_rows c JOIN recipient r ON r.entity = 'task' AND r.entity_id = c.id"
        " WHERE c.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, status, due_by HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER task_tally_on_insert AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION task_tally_keep()",
    "CREATE TRIGGER task_tally_on_update AFTER UPDATE ON task REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION task_tally_keep()",
    "CREATE TRIGGER task_tally_on_delete AFTER DELETE ON task REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION task_tally_keep()",
    "CREATE OR REPLACE FUNCTION task_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'INSERT' THEN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT user_id, operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.status AS status, COALESCE(s.due_date, '9999-12-31') AS due_by, 1 AS d"
        " FROM new_rows c JOIN task s ON s.id = c.entity_id"
        " WHERE c.entity = 'task' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, status, due_by HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'UPDATE' THEN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT user_id, operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.status AS status, COALESCE(s.due_date, '9999-12-31') AS due_by, -1 AS d"
        " FROM old_rows c JOIN task s ON s.id = c.entity_id WHERE c.entity = 'task' AND s.tlp = 'RED'"
        " UNION ALL SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.status AS status, COALESCE(s.due_date, '9999-12-31') AS due_by, 1 AS d"
        " FROM new_rows c JOIN task s ON s.id = c.entity_id"
        " WHERE c.entity = 'task' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, status, due_by HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " ELSIF TG_OP = 'DELETE' THEN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT user_id, operation_id, owning_agency_id, tlp, status, due_by, sum(d)"
        " FROM (SELECT c.user_id, s.operation_id AS operation_id, s.owning_agency_id AS owning_agency_id, s.tlp AS tlp, s.status AS status, COALESCE(s.due_date, '9999-12-31') AS due_by, -1 AS d"
        " FROM old_rows c JOIN task s ON s.id = c.entity_id"
        " WHERE c.entity = 'task' AND s.tlp = 'RED') AS changed"
        " GROUP BY user_id, operation_id, owning_agency_id, tlp, status, due_by HAVING sum(d) <> 0"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER task_red_tally_on_recipient_insert AFTER INSERT ON recipient REFERENCING NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION task_red_tally_keep()",
    "CREATE TRIGGER task_red_tally_on_recipient_update AFTER UPDATE ON recipient REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION task_red_tally_keep()",
    "CREATE TRIGGER task_red_tally_on_recipient_delete AFTER DELETE ON recipient REFERENCING OLD TABLE AS old_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION task_red_tally_keep()",
)

# Dropping each function drops the triggers that call it.
POSTGRESQL_DROP_STATEMENT_TRIGGERS = (
    "DROP FUNCTION IF EXISTS arrest_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS arrest_red_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS suspect_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS suspect_red_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS evidence_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS evidence_red_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS task_tally_keep() CASCADE",
    "DROP FUNCTION IF EXISTS task_red_tally_keep() CASCADE",
)

# 0002's row triggers, copied from 0002 (generated from coordination/tallies.py at commit b7f2639):
# the upgrade drops them, the downgrade puts them back exactly as 0002 installed them.
POSTGRESQL_ROW_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION arrest_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.jurisdiction_id, CAST(timezone('UTC', OLD.arrested_at) AS DATE), -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.jurisdiction_id, CAST(timezone('UTC', OLD.arrested_at) AS DATE), -1"
        " FROM recipient r WHERE r.entity = 'arrest' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.jurisdiction_id, CAST(timezone('UTC', NEW.arrested_at) AS DATE), 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.jurisdiction_id, CAST(timezone('UTC', NEW.arrested_at) AS DATE), 1"
        " FROM recipient r WHERE r.entity = 'arrest' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER arrest_tally_keep AFTER INSERT OR DELETE OR UPDATE OF operation_id, owning_agency_id, tlp, jurisdiction_id, arrested_at ON arrest"
        " FOR EACH ROW EXECUTE FUNCTION arrest_tally_keep()",
    "CREATE OR REPLACE FUNCTION arrest_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE), -1"
        " FROM arrest s WHERE OLD.entity = 'arrest' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE), 1"
        " FROM arrest s WHERE NEW.entity = 'arrest' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER arrest_red_tally_keep AFTER INSERT OR DELETE OR UPDATE ON recipient"
        " FOR EACH ROW EXECUTE FUNCTION arrest_red_tally_keep()",
    "CREATE OR REPLACE FUNCTION suspect_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.tier, OLD.status, -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.tier, OLD.status, -1"
        " FROM recipient r WHERE r.entity = 'suspect' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.tier, NEW.status, 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.tier, NEW.status, 1"
        " FROM recipient r WHERE r.entity = 'suspect' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER suspect_tally_keep AFTER INSERT OR DELETE OR UPDATE OF operation_id, owning_agency_id, tlp, tier, status ON suspect"
        " FOR EACH ROW EXECUTE FUNCTION suspect_tally_keep()",
    "CREATE OR REPLACE FUNCTION suspect_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, -1"
        " FROM suspect s WHERE OLD.entity = 'suspect' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, 1"
        " FROM suspect s WHERE NEW.entity = 'suspect' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER suspect_red_tally_keep AFTER INSERT OR DELETE OR UPDATE ON recipient"
        " FOR EACH ROW EXECUTE FUNCTION suspect_red_tally_keep()",
    "CREATE OR REPLACE FUNCTION evidence_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.item_type, OLD.status, OLD.holder_agency_id, -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.item_type, OLD.status, OLD.holder_agency_id, -1"
        " FROM recipient r WHERE r.entity = 'evidence item' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.item_type, NEW.status, NEW.holder_agency_id, 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.item_type, NEW.status, NEW.holder_agency_id, 1"
        " FROM recipient r WHERE r.entity = 'evidence item' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER evidence_tally_keep AFTER INSERT OR DELETE OR UPDATE OF operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id ON evidence_item"
        " FOR EACH ROW EXECUTE FUNCTION evidence_tally_keep()",
    "CREATE OR REPLACE FUNCTION evidence_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, -1"
        " FROM evidence_item s WHERE OLD.entity = 'evidence item' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, 1"
        " FROM evidence_item s WHERE NEW.entity = 'evidence item' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER evidence_red_tally_keep AFTER INSERT OR DELETE OR UPDATE ON recipient"
        " FOR EACH ROW EXECUTE FUNCTION evidence_red_tally_keep()",
    "CREATE OR REPLACE FUNCTION task_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.status, COALESCE(OLD.due_date, '9999-12-31'), -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.status, COALESCE(OLD.due_date, '9999-12-31'), -1"
        " FROM recipient r WHERE r.entity = 'task' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.status, COALESCE(NEW.due_date, '9999-12-31'), 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.status, COALESCE(NEW.due_date, '9999-12-31'), 1"
        " FROM recipient r WHERE r.entity = 'task' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER task_tally_keep AFTER INSERT OR DELETE OR UPDATE OF operation_id, owning_agency_id, tlp, status, due_date ON task"
        " FOR EACH ROW EXECUTE FUNCTION task_tally_keep()",
    "CREATE OR REPLACE FUNCTION task_red_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), -1"
        " FROM task s WHERE OLD.entity = 'task' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), 1"
        " FROM task s WHERE NEW.entity = 'task' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n;"
        " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER task_red_tally_keep AFTER INSERT OR DELETE OR UPDATE ON recipient"
        " FOR EACH ROW EXECUTE FUNCTION task_red_tally_keep()",
)

POSTGRESQL_DROP_ROW_TRIGGERS = (
    "DROP TRIGGER IF EXISTS arrest_tally_keep ON arrest",
    "DROP TRIGGER IF EXISTS suspect_tally_keep ON suspect",
    "DROP TRIGGER IF EXISTS evidence_tally_keep ON evidence_item",
    "DROP TRIGGER IF EXISTS task_tally_keep ON task",
    "DROP TRIGGER IF EXISTS arrest_red_tally_keep ON recipient",
    "DROP TRIGGER IF EXISTS suspect_red_tally_keep ON recipient",
    "DROP TRIGGER IF EXISTS evidence_red_tally_keep ON recipient",
    "DROP TRIGGER IF EXISTS task_red_tally_keep ON recipient",
    "DROP FUNCTION IF EXISTS arrest_tally_keep()",
    "DROP FUNCTION IF EXISTS arrest_red_tally_keep()",
    "DROP FUNCTION IF EXISTS suspect_tally_keep()",
    "DROP FUNCTION IF EXISTS suspect_red_tally_keep()",
    "DROP FUNCTION IF EXISTS evidence_tally_keep()",
    "DROP FUNCTION IF EXISTS evidence_red_tally_keep()",
    "DROP FUNCTION IF EXISTS task_tally_keep()",
    "DROP FUNCTION IF EXISTS task_red_tally_keep()",
)


def _execute(statements: Sequence[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


def upgrade() -> None:
    """PostgreSQL: 0002's row triggers give way to statement triggers. The tallies are kept."""
    _execute(POSTGRESQL_DROP_ROW_TRIGGERS + POSTGRESQL_STATEMENT_TRIGGERS)


def downgrade() -> None:
    """PostgreSQL: 0002's row triggers again. The counts are the same either way, so the tallies stay."""
    _execute(POSTGRESQL_DROP_STATEMENT_TRIGGERS + POSTGRESQL_ROW_TRIGGERS)
