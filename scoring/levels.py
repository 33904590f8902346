"""The five maturity levels, with general indicators and risks written for this project.

Category-specific level descriptors come from the imported model; these general texts are our
own summary of what each level means across the whole PKI.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class MaturityLevel:
    number: int
    name: str
    indicators: str
    risks: str


LEVELS: tuple[MaturityLevel, ...] = (
    MaturityLevel(
        1,
        "Initial",
        "Work on the PKI happens case by case, driven by incidents and individual effort; little is written down.",
        "Outages and compromises are likely and hard to detect; trust in the PKI rests on a few people.",
    ),
    MaturityLevel(
        2,
        "Basic",
        "The essentials exist and are partly documented, but they are applied unevenly and rarely checked.",
        "Gaps between what is written and what is done; incidents are handled late and inconsistently.",
    ),
    MaturityLevel(
        3,
        "Advanced",
        "Processes are defined, documented and followed; roles are assigned and the PKI is run on purpose.",
        "Improvement depends on effort rather than measurement; changes in scale or threat may outpace the PKI.",
    ),
    MaturityLevel(
        4,
        "Managed",
        "Processes are measured and reviewed; decisions use metrics; deviations are found and corrected.",
        "Residual risks are known and accepted; the main risk is complacency as the environment changes.",
    ),
    MaturityLevel(
        5,
        "Optimized",
        "The PKI improves continuously, is aligned with the business and adapts quickly to new requirements.",
        "Low: risks are actively managed; the effort lies in keeping this level as people and technology change.",
    ),
)

LEVEL_NAMES = {level.number: level.name for level in LEVELS}


def level_label(number: int | None, names: dict[int, str] | None = None) -> str:
    """ "3 Advanced"; ``names`` are a model version's level names (``ModelVersion.level_name_map``)."""
    if number is None:
        return "Not assessed"
    return f"{number} {(names or LEVEL_NAMES)[number]}"
