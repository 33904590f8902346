"""What every assessment write service shares: the error type and the read-only guard."""


class AssessmentError(Exception):
    """A refused change, with a message for the user."""


class AnswerConflict(AssessmentError):
    """A save based on a stale version: carries the answer as it is now stored."""

    def __init__(self, message, *, current):
        super().__init__(message)
        self.current = current


def assessment_ensure_editable(*, assessment) -> None:
    """Every write service calls this: a signed-off assessment is read-only for everyone."""
    if assessment.is_signed_off:
        raise AssessmentError("This assessment is signed off and read-only. An owner can reopen it.")
