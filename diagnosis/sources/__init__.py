"""One module per publisher dataset: request builder, pure parser, thin fetch."""
