"""Running the notebooks, exporting the HTML fotografia, its sections and provenance."""
