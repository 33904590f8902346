def megabytes(size: int) -> str:
    """A byte count for messages: 26214400 -> "25.0 MB"."""
    return f"{size / (1024 * 1024):.1f} MB"
