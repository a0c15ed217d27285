"""Target packages: the table of what the viewer may see, one package with its history, new packages,
and the tasking spreadsheet in and out. Their status moves on "My agency's packages"."""

from coordination.kinds import TARGET_PACKAGES
from coordination.ui.widgets.record_page import record_page

record_page(TARGET_PACKAGES)
