"""Page: the operation overview."""

from coordination.ui import overview

overview.render()
