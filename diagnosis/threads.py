"""One thread for the numerical libraries (OpenBLAS, MKL, OpenMP) unless the user chose otherwise.

A report's matrices are tiny (a comune's yearly series, a projection's age classes), so
threads gain nothing inside one report; and a batch runs one report per core, where each
library's spinning threads fight the other workers for the same cores. Measured on two
cores with two reports at once: choosing the model of one income series took 2.2 s with the
libraries' default threads and 0.6 s with one.
"""

from __future__ import annotations

import functools
import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def default_to_one_thread() -> None:
    """Before numpy loads (the command line, and the notebook kernels it starts): one thread,
    unless a variable already says otherwise."""
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


@functools.cache  # once per process: it walks the loaded libraries
def limit_loaded_libraries() -> None:
    """Where numpy is already loaded (a batch worker, local or on a Dask cluster): the same
    limit, applied to the libraries in memory; the user's ``OPENBLAS_NUM_THREADS`` wins."""
    from threadpoolctl import threadpool_limits  # only processes that run reports need it

    chosen = os.environ.get("OPENBLAS_NUM_THREADS", "1")
    threadpool_limits(limits=int(chosen) if chosen.isdigit() else 1)
