class ImprovementError(Exception):
    """A refused change (target, action plan, re-assessment), with a message for the user."""
