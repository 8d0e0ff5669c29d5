"""The interactive page and its local server."""
