"""Parsing an uploaded file stays linear and bounded: many keys, duplicates, YAML size, YAML aliases."""

import json
import time

import pytest

from core.yaml_loading import FastSafeLoader
from exchange import files as exchange_files
from exchange.files import ExchangeError, exchange_document_parse


def test_forty_thousand_keys_parse_well_under_a_second():
    text = json.dumps({f"key-{n}": n for n in range(40_000)})
    started = time.perf_counter()
    data = exchange_document_parse(content=text.encode(), filename="big.json")
    elapsed = time.perf_counter() - started
    assert len(data) == 40_000
    assert elapsed < 0.5, f"{elapsed:.2f} s"


def test_every_duplicate_key_is_named_once():
    pairs = ", ".join(f'"k{n}": {n}' for n in range(20_000))
    text = "{" + pairs + ', "k7": 0, "k3": 1, "k7": 2}'
    with pytest.raises(ExchangeError) as refused:
        exchange_document_parse(content=text.encode(), filename="dup.json")
    assert refused.value.lines() == [
        'the key "k3" appears twice in one object',
        'the key "k7" appears twice in one object',
    ]


def test_yaml_has_its_own_size_cap(monkeypatch):
    monkeypatch.setattr(exchange_files, "MAX_YAML_BYTES", 1024)
    text = "progress:\n" + "".join(f"  k{n}: {n}\n" for n in range(200))
    with pytest.raises(ExchangeError, match="a YAML file is limited to"):
        exchange_document_parse(content=text.encode(), filename="progress.yaml")


def test_yaml_uses_the_c_loader_where_present():
    import yaml

    if getattr(yaml, "__with_libyaml__", False):
        assert FastSafeLoader is yaml.CSafeLoader
    else:  # a PyYAML without libyaml: the pure-Python loader, same results
        assert FastSafeLoader is yaml.SafeLoader
