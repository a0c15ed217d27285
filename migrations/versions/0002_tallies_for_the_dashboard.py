"""tallies for the dashboard

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:27:57.373515

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The tally SQL, frozen on purpose: generated once, per dialect, from coordination/tallies.py as it
# was when this revision took its final shape (commit b7f2639, which added the RED tallies; row
# triggers on both stores) and pasted here as text, so that editing that module can never change
# what this revision installs. Revision 0003 replaces the PostgreSQL triggers; its downgrade puts
# these back.

# The tallies counted from the records already there (a GROUP BY per tally), before the triggers.
SQLITE_FILL = (
    "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT arrest.operation_id, arrest.owning_agency_id, arrest.tlp, arrest.jurisdiction_id, date(arrest.arrested_at), count(*)"
        " FROM arrest"
        " GROUP BY arrest.operation_id, arrest.owning_agency_id, arrest.tlp, arrest.jurisdiction_id, date(arrest.arrested_at)",
    "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, date(s.arrested_at), count(*)"
        " FROM recipient r JOIN arrest s ON s.id = r.entity_id WHERE r.entity = 'arrest' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, date(s.arrested_at)",
    "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) SELECT suspect.operation_id, suspect.owning_agency_id, suspect.tlp, suspect.tier, suspect.status, count(*)"
        " FROM suspect"
        " GROUP BY suspect.operation_id, suspect.owning_agency_id, suspect.tlp, suspect.tier, suspect.status",
    "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, count(*)"
        " FROM recipient r JOIN suspect s ON s.id = r.entity_id WHERE r.entity = 'suspect' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status",
    "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT evidence_item.operation_id, evidence_item.owning_agency_id, evidence_item.tlp, evidence_item.item_type, evidence_item.status, evidence_item.holder_agency_id, count(*)"
        " FROM evidence_item"
        " GROUP BY evidence_item.operation_id, evidence_item.owning_agency_id, evidence_item.tlp, evidence_item.item_type, evidence_item.status, evidence_item.holder_agency_id",
    "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, count(*)"
        " FROM recipient r JOIN evidence_item s ON s.id = r.entity_id"
        " WHERE r.entity = 'evidence item' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id",
    "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) SELECT task.operation_id, task.owning_agency_id, task.tlp, task.status, COALESCE(task.due_date, '9999-12-31'), count(*)"
        " FROM task"
        " GROUP BY task.operation_id, task.owning_agency_id, task.tlp, task.status, COALESCE(task.due_date, '9999-12-31')",
    "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), count(*)"
        " FROM recipient r JOIN task s ON s.id = r.entity_id WHERE r.entity = 'task' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31')",
)

POSTGRESQL_FILL = (
    "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT arrest.operation_id, arrest.owning_agency_id, arrest.tlp, arrest.jurisdiction_id, CAST(timezone('UTC', arrest.arrested_at) AS DATE), count(*)"
        " FROM arrest"
        " GROUP BY arrest.operation_id, arrest.owning_agency_id, arrest.tlp, arrest.jurisdiction_id, CAST(timezone('UTC', arrest.arrested_at) AS DATE)",
    "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE), count(*)"
        " FROM recipient r JOIN arrest s ON s.id = r.entity_id WHERE r.entity = 'arrest' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, CAST(timezone('UTC', s.arrested_at) AS DATE)",
    "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) SELECT suspect.operation_id, suspect.owning_agency_id, suspect.tlp, suspect.tier, suspect.status, count(*)"
        " FROM suspect"
        " GROUP BY suspect.operation_id, suspect.owning_agency_id, suspect.tlp, suspect.tier, suspect.status",
    "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, count(*)"
        " FROM recipient r JOIN suspect s ON s.id = r.entity_id WHERE r.entity = 'suspect' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status",
    "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT evidence_item.operation_id, evidence_item.owning_agency_id, evidence_item.tlp, evidence_item.item_type, evidence_item.status, evidence_item.holder_agency_id, count(*)"
        " FROM evidence_item"
        " GROUP BY evidence_item.operation_id, evidence_item.owning_agency_id, evidence_item.tlp, evidence_item.item_type, evidence_item.status, evidence_item.holder_agency_id",
    "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, count(*)"
        " FROM recipient r JOIN evidence_item s ON s.id = r.entity_id"
        " WHERE r.entity = 'evidence item' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id",
    "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) SELECT task.operation_id, task.owning_agency_id, task.tlp, task.status, COALESCE(task.due_date, '9999-12-31'), count(*)"
        " FROM task"
        " GROUP BY task.operation_id, task.owning_agency_id, task.tlp, task.status, COALESCE(task.due_date, '9999-12-31')",
    "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), count(*)"
        " FROM recipient r JOIN task s ON s.id = r.entity_id WHERE r.entity = 'task' AND s.tlp = 'RED'"
        " GROUP BY r.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31')",
)

FILL = {"sqlite": SQLITE_FILL, "postgresql": POSTGRESQL_FILL}

# Row triggers that keep the tallies from then on.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER arrest_tally_on_insert AFTER INSERT ON arrest BEGIN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.jurisdiction_id, date(NEW.arrested_at), 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.jurisdiction_id, date(NEW.arrested_at), 1"
        " FROM recipient r WHERE r.entity = 'arrest' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; END",
    "CREATE TRIGGER arrest_tally_on_update AFTER UPDATE OF operation_id, owning_agency_id, tlp, jurisdiction_id, arrested_at ON arrest"
        " BEGIN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.jurisdiction_id, date(OLD.arrested_at), -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.jurisdiction_id, date(OLD.arrested_at), -1"
        " FROM recipient r WHERE r.entity = 'arrest' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.jurisdiction_id, date(NEW.arrested_at), 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.jurisdiction_id, date(NEW.arrested_at), 1"
        " FROM recipient r WHERE r.entity = 'arrest' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; END",
    "CREATE TRIGGER arrest_tally_on_delete AFTER DELETE ON arrest BEGIN "
        "INSERT INTO arrest_tally (operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.jurisdiction_id, date(OLD.arrested_at), -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.jurisdiction_id, date(OLD.arrested_at), -1"
        " FROM recipient r WHERE r.entity = 'arrest' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; END",
    "CREATE TRIGGER arrest_red_tally_on_recipient_insert AFTER INSERT ON recipient BEGIN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, date(s.arrested_at), 1"
        " FROM arrest s WHERE NEW.entity = 'arrest' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; END",
    "CREATE TRIGGER arrest_red_tally_on_recipient_update AFTER UPDATE ON recipient BEGIN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, date(s.arrested_at), -1"
        " FROM arrest s WHERE OLD.entity = 'arrest' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, date(s.arrested_at), 1"
        " FROM arrest s WHERE NEW.entity = 'arrest' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; END",
    "CREATE TRIGGER arrest_red_tally_on_recipient_delete AFTER DELETE ON recipient BEGIN "
        "INSERT INTO arrest_red_tally (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.jurisdiction_id, date(s.arrested_at), -1"
        " FROM arrest s WHERE OLD.entity = 'arrest' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, jurisdiction_id, day) DO UPDATE SET n = arrest_red_tally.n + excluded.n; END",
    "CREATE TRIGGER suspect_tally_on_insert AFTER INSERT ON suspect BEGIN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.tier, NEW.status, 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.tier, NEW.status, 1"
        " FROM recipient r WHERE r.entity = 'suspect' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; END",
    "CREATE TRIGGER suspect_tally_on_update AFTER UPDATE OF operation_id, owning_agency_id, tlp, tier, status ON suspect"
        " BEGIN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.tier, OLD.status, -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.tier, OLD.status, -1"
        " FROM recipient r WHERE r.entity = 'suspect' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.tier, NEW.status, 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.tier, NEW.status, 1"
        " FROM recipient r WHERE r.entity = 'suspect' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; END",
    "CREATE TRIGGER suspect_tally_on_delete AFTER DELETE ON suspect BEGIN "
        "INSERT INTO suspect_tally (operation_id, owning_agency_id, tlp, tier, status, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.tier, OLD.status, -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.tier, OLD.status, -1"
        " FROM recipient r WHERE r.entity = 'suspect' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; END",
    "CREATE TRIGGER suspect_red_tally_on_recipient_insert AFTER INSERT ON recipient BEGIN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, 1"
        " FROM suspect s WHERE NEW.entity = 'suspect' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; END",
    "CREATE TRIGGER suspect_red_tally_on_recipient_update AFTER UPDATE ON recipient BEGIN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, -1"
        " FROM suspect s WHERE OLD.entity = 'suspect' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, 1"
        " FROM suspect s WHERE NEW.entity = 'suspect' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; END",
    "CREATE TRIGGER suspect_red_tally_on_recipient_delete AFTER DELETE ON recipient BEGIN "
        "INSERT INTO suspect_red_tally (user_id, operation_id, owning_agency_id, tlp, tier, status, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.tier, s.status, -1"
        " FROM suspect s WHERE OLD.entity = 'suspect' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, tier, status) DO UPDATE SET n = suspect_red_tally.n + excluded.n; END",
    "CREATE TRIGGER evidence_tally_on_insert AFTER INSERT ON evidence_item BEGIN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.item_type, NEW.status, NEW.holder_agency_id, 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.item_type, NEW.status, NEW.holder_agency_id, 1"
        " FROM recipient r WHERE r.entity = 'evidence item' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; END",
    "CREATE TRIGGER evidence_tally_on_update AFTER UPDATE OF operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id ON evidence_item"
        " BEGIN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.item_type, OLD.status, OLD.holder_agency_id, -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.item_type, OLD.status, OLD.holder_agency_id, -1"
        " FROM recipient r WHERE r.entity = 'evidence item' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.item_type, NEW.status, NEW.holder_agency_id, 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.item_type, NEW.status, NEW.holder_agency_id, 1"
        " FROM recipient r WHERE r.entity = 'evidence item' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; END",
    "CREATE TRIGGER evidence_tally_on_delete AFTER DELETE ON evidence_item BEGIN "
        "INSERT INTO evidence_tally (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.item_type, OLD.status, OLD.holder_agency_id, -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.item_type, OLD.status, OLD.holder_agency_id, -1"
        " FROM recipient r WHERE r.entity = 'evidence item' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; END",
    "CREATE TRIGGER evidence_red_tally_on_recipient_insert AFTER INSERT ON recipient BEGIN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, 1"
        " FROM evidence_item s WHERE NEW.entity = 'evidence item' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; END",
    "CREATE TRIGGER evidence_red_tally_on_recipient_update AFTER UPDATE ON recipient BEGIN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, -1"
        " FROM evidence_item s WHERE OLD.entity = 'evidence item' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, 1"
        " FROM evidence_item s WHERE NEW.entity = 'evidence item' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; END",
    "CREATE TRIGGER evidence_red_tally_on_recipient_delete AFTER DELETE ON recipient BEGIN "
        "INSERT INTO evidence_red_tally (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.item_type, s.status, s.holder_agency_id, -1"
        " FROM evidence_item s WHERE OLD.entity = 'evidence item' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, item_type, status, holder_agency_id) DO UPDATE SET n = evidence_red_tally.n + excluded.n; END",
    "CREATE TRIGGER task_tally_on_insert AFTER INSERT ON task BEGIN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.status, COALESCE(NEW.due_date, '9999-12-31'), 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.status, COALESCE(NEW.due_date, '9999-12-31'), 1"
        " FROM recipient r WHERE r.entity = 'task' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; END",
    "CREATE TRIGGER task_tally_on_update AFTER UPDATE OF operation_id, owning_agency_id, tlp, status, due_date ON task"
        " BEGIN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.status, COALESCE(OLD.due_date, '9999-12-31'), -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.status, COALESCE(OLD.due_date, '9999-12-31'), -1"
        " FROM recipient r WHERE r.entity = 'task' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) VALUES (NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.status, COALESCE(NEW.due_date, '9999-12-31'), 1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, NEW.operation_id, NEW.owning_agency_id, NEW.tlp, NEW.status, COALESCE(NEW.due_date, '9999-12-31'), 1"
        " FROM recipient r WHERE r.entity = 'task' AND r.entity_id = NEW.id AND NEW.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; END",
    "CREATE TRIGGER task_tally_on_delete AFTER DELETE ON task BEGIN "
        "INSERT INTO task_tally (operation_id, owning_agency_id, tlp, status, due_by, n) VALUES (OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.status, COALESCE(OLD.due_date, '9999-12-31'), -1)"
        " ON CONFLICT (operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT r.user_id, OLD.operation_id, OLD.owning_agency_id, OLD.tlp, OLD.status, COALESCE(OLD.due_date, '9999-12-31'), -1"
        " FROM recipient r WHERE r.entity = 'task' AND r.entity_id = OLD.id AND OLD.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; END",
    "CREATE TRIGGER task_red_tally_on_recipient_insert AFTER INSERT ON recipient BEGIN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), 1"
        " FROM task s WHERE NEW.entity = 'task' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; END",
    "CREATE TRIGGER task_red_tally_on_recipient_update AFTER UPDATE ON recipient BEGIN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), -1"
        " FROM task s WHERE OLD.entity = 'task' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT NEW.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), 1"
        " FROM task s WHERE NEW.entity = 'task' AND s.id = NEW.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; END",
    "CREATE TRIGGER task_red_tally_on_recipient_delete AFTER DELETE ON recipient BEGIN "
        "INSERT INTO task_red_tally (user_id, operation_id, owning_agency_id, tlp, status, due_by, n) SELECT OLD.user_id, s.operation_id, s.owning_agency_id, s.tlp, s.status, COALESCE(s.due_date, '9999-12-31'), -1"
        " FROM task s WHERE OLD.entity = 'task' AND s.id = OLD.entity_id AND s.tlp = 'RED'"
        " ON CONFLICT (user_id, operation_id, owning_agency_id, tlp, status, due_by) DO UPDATE SET n = task_red_tally.n + excluded.n; END",
)

POSTGRESQL_TRIGGERS = (
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

TRIGGERS = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}

SQLITE_DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS arrest_tally_on_insert",
    "DROP TRIGGER IF EXISTS arrest_tally_on_update",
    "DROP TRIGGER IF EXISTS arrest_tally_on_delete",
    "DROP TRIGGER IF EXISTS suspect_tally_on_insert",
    "DROP TRIGGER IF EXISTS suspect_tally_on_update",
    "DROP TRIGGER IF EXISTS suspect_tally_on_delete",
    "DROP TRIGGER IF EXISTS evidence_tally_on_insert",
    "DROP TRIGGER IF EXISTS evidence_tally_on_update",
    "DROP TRIGGER IF EXISTS evidence_tally_on_delete",
    "DROP TRIGGER IF EXISTS task_tally_on_insert",
    "DROP TRIGGER IF EXISTS task_tally_on_update",
    "DROP TRIGGER IF EXISTS task_tally_on_delete",
    "DROP TRIGGER IF EXISTS arrest_red_tally_on_recipient_insert",
    "DROP TRIGGER IF EXISTS arrest_red_tally_on_recipient_update",
    "DROP TRIGGER IF EXISTS arrest_red_tally_on_recipient_delete",
    "DROP TRIGGER IF EXISTS suspect_red_tally_on_recipient_insert",
    "DROP TRIGGER IF EXISTS suspect_red_tally_on_recipient_update",
    "DROP TRIGGER IF EXISTS suspect_red_tally_on_recipient_delete",
    "DROP TRIGGER IF EXISTS evidence_red_tally_on_recipient_insert",
    "DROP TRIGGER IF EXISTS evidence_red_tally_on_recipient_update",
    "DROP TRIGGER IF EXISTS evidence_red_tally_on_recipient_delete",
    "DROP TRIGGER IF EXISTS task_red_tally_on_recipient_insert",
    "DROP TRIGGER IF EXISTS task_red_tally_on_recipient_update",
    "DROP TRIGGER IF EXISTS task_red_tally_on_recipient_delete",
)

POSTGRESQL_DROP_TRIGGERS = (
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

DROP_TRIGGERS = {"sqlite": SQLITE_DROP_TRIGGERS, "postgresql": POSTGRESQL_DROP_TRIGGERS}


def upgrade() -> None:
    """Tallies that the database keeps by trigger (per marking, and RED per recipient), filled from
    the records already there."""
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('arrest_red_tally',
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('jurisdiction_id', 'day', 'user_id', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_arrest_red_tally'))
    )
    op.create_table('arrest_tally',
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('jurisdiction_id', 'day', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_arrest_tally'))
    )
    op.create_table('evidence_red_tally',
    sa.Column('item_type', sa.Enum('server image', 'phone', 'laptop', 'storage media', 'crypto wallet', 'exchange records', 'bank records', 'call detail records', 'document', 'cash', name='evidencetype', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('seized', 'awaiting analysis', 'in analysis', 'analysed', 'disclosed', 'returned', 'destroyed', name='evidencestatus', native_enum=False, length=32), nullable=False),
    sa.Column('holder_agency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('item_type', 'status', 'holder_agency_id', 'user_id', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_evidence_red_tally'))
    )
    op.create_table('evidence_tally',
    sa.Column('item_type', sa.Enum('server image', 'phone', 'laptop', 'storage media', 'crypto wallet', 'exchange records', 'bank records', 'call detail records', 'document', 'cash', name='evidencetype', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('seized', 'awaiting analysis', 'in analysis', 'analysed', 'disclosed', 'returned', 'destroyed', name='evidencestatus', native_enum=False, length=32), nullable=False),
    sa.Column('holder_agency_id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('item_type', 'status', 'holder_agency_id', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_evidence_tally'))
    )
    op.create_table('suspect_red_tally',
    sa.Column('tier', sa.Enum('administrator', 'developer', 'heavy user', 'money handler', 'user', name='suspecttier', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('lead', 'identified', 'located', 'arrested', 'charged', 'convicted', 'no further action', name='suspectstatus', native_enum=False, length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tier', 'status', 'user_id', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_suspect_red_tally'))
    )
    op.create_table('suspect_tally',
    sa.Column('tier', sa.Enum('administrator', 'developer', 'heavy user', 'money handler', 'user', name='suspecttier', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('lead', 'identified', 'located', 'arrested', 'charged', 'convicted', 'no further action', name='suspectstatus', native_enum=False, length=32), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tier', 'status', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_suspect_tally'))
    )
    op.create_table('task_red_tally',
    sa.Column('status', sa.Enum('open', 'in progress', 'blocked', 'done', 'cancelled', name='taskstatus', native_enum=False, length=32), nullable=False),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', 'due_by', 'user_id', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_task_red_tally'))
    )
    op.create_table('task_tally',
    sa.Column('status', sa.Enum('open', 'in progress', 'blocked', 'done', 'cancelled', name='taskstatus', native_enum=False, length=32), nullable=False),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', 'due_by', 'operation_id', 'owning_agency_id', 'tlp', name=op.f('pk_task_tally'))
    )

    # ### end Alembic commands ###
    dialect = op.get_bind().dialect.name
    for statement in FILL.get(dialect, ()) + TRIGGERS.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###

    op.drop_table('task_tally')
    op.drop_table('task_red_tally')
    op.drop_table('suspect_tally')
    op.drop_table('suspect_red_tally')
    op.drop_table('evidence_tally')
    op.drop_table('evidence_red_tally')
    op.drop_table('arrest_tally')
    op.drop_table('arrest_red_tally')
    # ### end Alembic commands ###
