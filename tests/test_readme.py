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
