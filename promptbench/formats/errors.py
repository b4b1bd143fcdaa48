"""The error every reader raises for a file it cannot take: one sentence per problem, each with its location."""

from __future__ import annotations


class FileProblem(Exception):
    """A file that cannot be read as asked. `problems` are plain sentences like "cases[3].vars: 'topic' is missing"."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))
