"""Tidy tables assembled from every source present, with the choice of source recorded."""
