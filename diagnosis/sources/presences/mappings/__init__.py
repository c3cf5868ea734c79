"""Column mappings from each provider export of presences to the standard layout (YAML data)."""
