"""What each CLI command prints: thin layers over the package, no logic of their own."""
