from coordination.cli import cli

cli(prog_name="python -m coordination")
