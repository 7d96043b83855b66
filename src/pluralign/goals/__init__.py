"""goals package."""
