"""Small hand-written models for the scoring tests."""

from scoring.engine import CategorySpec, ModelSpec, RequirementSpec


def build_model(layout: dict[str, dict[str, tuple[int, list[int]]]]) -> ModelSpec:
    """``{"G": {"G.1": (category weight, [requirement weights])}}``; requirements are numbered from 1."""
    categories = [
        CategorySpec(
            key=key,
            module=module,
            weight=weight,
            requirements=tuple(RequirementSpec(f"{key}.{n}", w) for n, w in enumerate(requirement_weights, start=1)),
        )
        for module, module_categories in layout.items()
        for key, (weight, requirement_weights) in module_categories.items()
    ]
    return ModelSpec(modules=tuple(layout), categories=tuple(categories))


# The primer's worked example uses the real weights of G.1 and G.2 in model 1.1.0; M.6 stays unassessed.
PRIMER_MODEL = build_model(
    {
        "G": {"G.1": (5, [3, 2, 2, 1]), "G.2": (4, [2, 5, 5, 4, 3])},
        "M": {"M.6": (4, [1, 2])},
    }
)
PRIMER_FORMAL_LEVELS = {"G.1.1": 4, "G.1.2": 3, "G.1.4": 2, "G.2.1": 2, "G.2.2": 2, "G.2.3": 2, "G.2.4": 2, "G.2.5": 2}
PRIMER_NOT_APPLICABLE = frozenset({"G.1.3"})
