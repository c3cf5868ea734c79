"""The numerical libraries run one thread per report unless the user chose otherwise."""

import os
import subprocess
import sys

from diagnosis import threads

from conftest import PROJECT_ROOT


def _blas_threads(environment: dict) -> int:
    """The thread count numpy's BLAS reports in a fresh interpreter started as the CLI starts."""
    code = ("from diagnosis import threads; threads.default_to_one_thread(); import numpy; "
            "from threadpoolctl import threadpool_info; "
            "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))")
    env = {k: v for k, v in os.environ.items() if k not in threads.THREAD_VARIABLES} | environment
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(completed.stdout.strip())


def test_the_command_line_starts_numpy_with_one_thread():
    assert _blas_threads({}) == 1


def test_a_user_choice_of_threads_is_kept():
    assert _blas_threads({"OPENBLAS_NUM_THREADS": "2"}) == 2


def test_a_batch_worker_limits_libraries_already_loaded():
    code = ("import numpy; from threadpoolctl import threadpool_info, threadpool_limits; "
            "threadpool_limits(2); from diagnosis import threads; threads.limit_loaded_libraries(); "
            "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))")
    env = {k: v for k, v in os.environ.items() if k not in threads.THREAD_VARIABLES} | {"PYTHONPATH": str(PROJECT_ROOT)}
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "1"
