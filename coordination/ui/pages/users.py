"""Page: users (admins only)."""

from coordination.ui import users_admin

users_admin.render()
