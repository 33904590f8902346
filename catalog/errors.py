from core.problems import Problem


class CatalogError(Exception):
    """A catalogue file or import that cannot be accepted. ``problems`` lists every reason, each with its place."""

    def __init__(self, source_name: str, problems: list[Problem]):
        self.source_name = source_name
        self.problems = list(problems)
        super().__init__(str(self))

    def lines(self) -> list[str]:
        return [f"{self.source_name}: {problem.path}: {problem.message}" for problem in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class CatalogFileError(CatalogError):
    """The file itself is malformed or does not follow the format (found without looking at the database)."""
