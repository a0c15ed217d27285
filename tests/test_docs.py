"""The README names what an operator meets and what a developer looks for: every COORD_* variable the
code reads (its "Configuration" table), every command and sub-command of `python -m coordination`
("Command line") and every top-level module and package of coordination/ ("Layout").

What the code offers is read from the code itself (string constants, the click group, the files), so a
new variable, command or module fails here until the README says what it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click

from coordination.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coordination"
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"COORD_[A-Z0-9_]*[A-Z0-9]")


def section(title: str) -> str:
    """The text of the README's `## title` section, up to the next section."""
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL)
    assert found, f"README.md has no '## {title}' section"
    return found.group(1)


def variables_read() -> set[str]:
    """Every string constant in coordination/ and app.py that is a whole COORD_* name: what
    os.environ.get, click's envvar= and the tables of names (mail.ENV, deconfliction_key.ENVIRONMENT)
    read. A docstring that merely mentions one is no whole name; a pattern such as `COORD_SMTP_*` is
    none either."""
    names = set()
    for path in [*PACKAGE.rglob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE.fullmatch(node.value):
                names.add(node.value)
    return names


def commands() -> set[str]:
    """`db upgrade`, `briefing`, ...: every top-level command, and every sub-command of a group."""
    context = click.Context(cli)
    found = set()
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        if isinstance(command, click.Group):
            found |= {f"{name} {sub}" for sub in command.list_commands(context)}
        else:
            found.add(name)
    return found


def modules() -> dict[str, str]:
    """Each top-level module (`name.py`) and package (`name/`) of coordination/, by name."""
    found = {path.stem: f"{path.stem}.py" for path in PACKAGE.glob("*.py") if not path.stem.startswith("__")}
    found |= {path.name: f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    return found


def test_the_scans_find_what_is_surely_there():
    assert {"COORD_DATABASE_URL", "COORD_SMTP_HOST", "COORD_DECONFLICTION_KEY_FILE"} <= variables_read()
    assert {"db upgrade", "briefing", "import", "deconflict check"} <= commands()
    assert {"policy": "policy.py", "services": "services/"}.items() <= modules().items()


def test_every_variable_the_code_reads_is_in_the_configuration_table():
    table = section("Configuration")
    missing = sorted(name for name in variables_read() if f"`{name}`" not in table)
    assert not missing, f"README.md's Configuration table does not name {missing}"


def test_every_command_is_in_the_command_line_section():
    shown = section("Command line")
    missing = sorted(command for command in commands()
                     if not re.search(rf"-m coordination {re.escape(command)}(?![\w-])", shown))
    assert not missing, f"README.md's Command line section does not show {missing}"


def test_every_top_level_module_and_package_is_in_the_layout():
    layout = section("Layout")
    missing = sorted(written for written in modules().values()
                     if not re.search(rf"(?<![\w.]){re.escape(written)}", layout))
    assert not missing, f"README.md's Layout does not name {missing} (as name.py or name/)"
