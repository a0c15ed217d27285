"""Page: suspects."""

from coordination.ui import records

records.render("suspects")
