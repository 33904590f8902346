"""Whatever one value of a valid file is changed to, the parser either accepts a complete spec or refuses the
file with problems; it never crashes and never lets a missing value through to the database."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.errors import CatalogFileError
from catalog.modelfile import parse_extension_file, parse_model_file
from tests.catalog.files import dump, tiny_extension, tiny_model

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _mutated(document, data):
    path = data.draw(st.sampled_from([p for p in _paths(document) if p]))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(VALUES)
    return dump(document)


def _assert_complete(value):
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            _assert_complete(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            _assert_complete(item)
    else:
        assert value is not None


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_model_parser_is_total(data):
    text = _mutated(tiny_model(), data)
    try:
        spec = parse_model_file(text, source_name="fuzz.yaml")
    except CatalogFileError as refused:
        assert refused.problems
    else:
        _assert_complete(spec)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_extension_parser_is_total(data):
    text = _mutated(tiny_extension(), data)
    try:
        spec = parse_extension_file(text, source_name="fuzz.yaml")
    except CatalogFileError as refused:
        assert refused.problems
    else:
        _assert_complete(spec)
