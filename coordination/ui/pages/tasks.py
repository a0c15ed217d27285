"""Tasks: the table of what the viewer may see, one record with its history, new records, and
spreadsheets in and out."""

from coordination.kinds import TASKS
from coordination.ui.widgets.record_page import record_page

record_page(TASKS)
