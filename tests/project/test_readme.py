"""The README's two set-up commands are what CI runs."""

import re


def test_ci_runs_the_readme_commands(root):
    readme = (root / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", setup, re.S)
    assert len(commands) == 2
    ci = (root / ".ci" / "run").read_text()
    for command in commands:
        assert command.strip() in ci


def test_readme_is_a_front_page(root):
    """≤ 200 lines; one row with a runnable example for every subcommand; the docs linked."""
    from chainrule.cli import COMMANDS

    readme = (root / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    rows = dict(re.findall(r"^\| `(\w+)` \|.*\| `(chainrule [^`]+)` \|$", readme, re.M))
    assert sorted(rows) == sorted(COMMANDS)
    for command, example in rows.items():
        assert example.startswith(f"chainrule {command}")
        assert example in readme.replace("--quiet ", "").replace("|| test $? -eq 1", "") or command == "serve"
    for link in re.findall(r"\]\(((?:docs/|CHANGELOG|LICENSE)[^)]*)\)", readme):
        assert (root / link).exists(), link
