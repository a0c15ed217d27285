"""The synthetic demo operations (Operation Elaborate, and Operation Saltmarsh beside it): what `demo
load`, `make run`, the benches and the tests load.

- `loader`: `load`, both operations in one transaction, their audit trail chained at the end
- `second_operation`: Operation Saltmarsh, the NCA's, smaller: its plan, its people and what it
  shares with Elaborate (a few identifiers, one address)
- `operation`: the generator, for any operation's plan: suspects, arrests, evidence and custody,
  tasks, decisions and identifiers, generated from one seed and bulk-inserted, the audit trail
  appended at the end in the order things happened
- `action_day`: the action day's target packages, written through the generator (it is handed the
  generator and imports nothing of it, so the two modules do not import each other)
- `synthetic`: invented people, places, phone numbers and e-mail addresses

The names below are the package's interface; the rest is the generator's own.
"""

from coordination.demo.loader import load
from coordination.demo.operation import (
    BANK_HOLDERS,
    BANK_NUMBER,
    END,
    EPOCH,
    NUMBERED,
    SCALES,
    Generator,
    Progress,
    Scale,
    continue_sequences,
    empty_database,
    is_empty,
    table_counts,
    timeline_shift,
)
from coordination.errors import CoordinationError  # what `load` raises when it cannot load

__all__ = ["BANK_HOLDERS", "BANK_NUMBER", "END", "EPOCH", "NUMBERED", "SCALES", "CoordinationError", "Generator",
           "Progress", "Scale", "continue_sequences", "empty_database", "is_empty", "load", "table_counts",
           "timeline_shift"]
