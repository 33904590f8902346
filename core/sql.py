"""One query over several tables for the few hot selectors that need it: ``UNION ALL`` with named columns.

Each branch names the columns it fills (``{"level": "t.level"}``); every other column of the union is a typed
NULL there, so no column means two things. Values are named parameters (``%(assessment_id)s``), never a list
whose order must follow the text. Rows come back as dicts by column name, with ``kind`` telling the branch.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

BIGINT_MAX = 2**63 - 1  # the largest id a bigint column holds


def row_id(value) -> int | None:
    """An id from a URL (any digits) as an id column can hold it, else None (the caller answers 404)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= BIGINT_MAX else None


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


def first_row_models(*, source: str, where: str, params: dict, models: dict[str, type]) -> tuple | None:
    """One row of a join as model instances: ``models`` maps each table alias in ``source`` to its model, and
    every concrete field of each model is selected under its column name; returns one instance per alias
    (in the order of ``models``), as the ORM would have loaded them, or None without a row. An alias whose
    primary key is NULL in the row (a LEFT JOIN that found nothing) gives None in its place.

    For lookups that run on every request, where compiling the ORM query costs several times running it."""
    layouts = [(alias, _layout(model, connection.vendor)) for alias, model in models.items()]
    select = ", ".join(f"{alias}.{column}" for alias, layout in layouts for column in layout.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {source} WHERE {where} LIMIT 1", params)  # noqa: S608 - see above
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for _alias, layout in layouts:
        values = list(row[start : start + len(layout.columns)])
        for index, col, converters in layout.converters:
            if values[index] is not None:
                for converter in converters:
                    values[index] = converter(values[index], col, connection)
        start += len(layout.columns)
        if values[layout.pk_index] is None:
            instances.append(None)
            continue
        instances.append(layout.model.from_db(connection.alias, layout.attnames, values))
    return tuple(instances)


@dataclass(frozen=True)
class _Layout:
    model: type
    columns: list[str]
    attnames: list[str]
    converters: list[tuple]  # (index, column expression, [converter, ...]) as the ORM applies them
    pk_index: int


@functools.cache
def _layout(model, vendor: str) -> _Layout:
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, col, found))
    pk_index = [f.attname for f in fields].index(model._meta.pk.attname)
    return _Layout(model, [f.column for f in fields], [f.attname for f in fields], converters, pk_index)
