"""Page: tasks."""

from coordination.ui import records

records.render("tasks")
