"""YAML from users: libyaml's C parser where present, and no anchors or aliases (a few bytes of aliases can
stand for a huge document). Callers cap the text's size before parsing."""

import yaml

try:
    from yaml import CSafeLoader as FastSafeLoader
except ImportError:  # PyYAML built without libyaml: the pure-Python parser gives the same results, slower
    from yaml import SafeLoader as FastSafeLoader


ALIASES_REFUSED = "aliases (*name) are not accepted"


def refuse_aliases(text: str, message: str = ALIASES_REFUSED) -> None:
    """Raise a MarkedYAMLError at the first alias; one pass over the parser's events, nothing is built."""
    for event in yaml.parse(text, Loader=FastSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, message, event.start_mark)


def yaml_load_plain(text: str, loader=FastSafeLoader, *, aliases_message: str = ALIASES_REFUSED):
    """``text`` loaded with ``loader`` (a subclass of FastSafeLoader for custom constructors) after the alias check."""
    refuse_aliases(text, aliases_message)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
