"""What a YAML file with a lone surrogate escape ("\ud800") is refused with: libyaml's C scanner refuses the escape
itself, at its line and column; PyYAML's pure-Python parser reads it and the importers' text rule refuses the
string at its path."""

import yaml

from core.yaml_loading import FastSafeLoader


def yaml_surrogate_refusal(path: str) -> tuple[str, str]:
    if FastSafeLoader is yaml.CSafeLoader:
        return "found invalid Unicode character escape code", "line "
    return "unpaired surrogate (U+D800)", path
