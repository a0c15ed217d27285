"""Page: arrests."""

from coordination.ui import records

records.render("arrests")
