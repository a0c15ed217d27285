"""Page: evidence."""

from coordination.ui import records

records.render("evidence")
