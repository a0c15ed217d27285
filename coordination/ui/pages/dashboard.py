"""Page: the live operation picture."""

from coordination.ui import dashboard

dashboard.render()
