"""One smorest blueprint per resource under /api/v1."""
