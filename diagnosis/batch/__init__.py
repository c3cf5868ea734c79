"""Many fotografie at once: planning, resuming, running on local workers or a Dask cluster."""
