"""Page: my agency's tasks, the liaison's home."""

from coordination.ui import my_tasks

my_tasks.render()
