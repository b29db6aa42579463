"""Local stand-ins for providers, reached over real HTTP by their real client libraries."""
