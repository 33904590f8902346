"""YAML from users: libyaml's C parser where present, no anchors or aliases (a few bytes of aliases can stand
for a huge document), and nesting bounded (core.textrules) before anything is built. Callers cap the text's size
before parsing; loaders add core.textrules' bounded number constructors (``bounded_yaml_loader``)."""

import yaml

from core.textrules import MAX_NESTING

try:
    from yaml import CSafeLoader as FastSafeLoader
except ImportError:  # PyYAML built without libyaml: the pure-Python parser gives the same results, slower
    from yaml import SafeLoader as FastSafeLoader


ALIASES_REFUSED = "aliases (*name) are not accepted"
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def refuse_aliases_and_deep_nesting(text: str, message: str = ALIASES_REFUSED) -> None:
    """Raise a MarkedYAMLError at the first alias or at nesting deeper than MAX_NESTING: one pass over the C
    parser's events, nothing is built (the C composer cannot be bounded from Python)."""
    too_deep = f"nested deeper than {MAX_NESTING} levels"
    depth = 0
    try:
        for event in yaml.parse(text, Loader=FastSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, message, event.start_mark)
            if isinstance(event, _OPENING):
                depth += 1
                if depth > MAX_NESTING:
                    raise yaml.MarkedYAMLError(None, None, too_deep, event.start_mark)
            elif isinstance(event, _CLOSING):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        # libyaml's scanner reads a flow collection's brackets ahead and stops at its own depth limit (1000)
        # before the events reach ours: the same refusal in the same words.
        if "maximum nesting depth" in str(error.problem):
            raise yaml.MarkedYAMLError(None, None, too_deep, error.problem_mark) from None
        raise


def yaml_load_plain(text: str, loader=FastSafeLoader, *, aliases_message: str = ALIASES_REFUSED):
    """``text`` loaded with ``loader`` (a subclass of FastSafeLoader for custom constructors) after the checks."""
    refuse_aliases_and_deep_nesting(text, aliases_message)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
