"""Column and value mappings from each survey tool's export to the standard layout (YAML data)."""
