"""Takedown coordination dashboard: the operation's data, policy and write path."""
