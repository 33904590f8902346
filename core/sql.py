"""One query over several tables for the few hot selectors that need it: ``UNION ALL`` with named columns.

Each branch names the columns it fills (``{"level": "t.level"}``); every other column of the union is a typed
NULL there, so no column means two things. Values are named parameters (``%(assessment_id)s``), never a list
whose order must follow the text. Rows come back as dicts by column name, with ``kind`` telling the branch.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Branch:
    kind: str  # the value of the ``kind`` column of this branch's rows
    source: str  # "table t" with its joins
    where: str  # with %(name)s parameters
    columns: dict[str, str]  # union column -> SQL expression


def union_all_sql(*, columns: dict[str, str], branches: list[Branch], order_by: tuple[str, ...] = ()) -> str:
    """``columns``: every column of the union -> its SQL type (for the NULLs of branches that lack it)."""
    selects = []
    for branch in branches:
        unknown = set(branch.columns) - set(columns)
        if unknown:
            raise ValueError(f"{branch.kind}: columns not in the union: {sorted(unknown)}")
        values = [f"'{branch.kind}' AS kind"] + [
            f"{branch.columns.get(name, f'CAST(NULL AS {sql_type})')} AS {name}" for name, sql_type in columns.items()
        ]
        selects.append(f"SELECT {', '.join(values)} FROM {branch.source} WHERE {branch.where}")
    order = f" ORDER BY {', '.join(order_by)}" if order_by else ""
    return " UNION ALL ".join(selects) + order


def union_all_rows(sql: str, params: dict) -> Iterator[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))


def named_list(prefix: str, values) -> tuple[str, dict]:
    """``IN (...)`` with one named parameter per value: ("%(r0)s, %(r1)s", {"r0": .., "r1": ..})."""
    params = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return ", ".join(f"%({name})s" for name in params), params
