"""Notices to the user: input that was forgiven, data choices that were made.

They go through the ``diagnosis`` logger so that the CLI shows them on stderr, a
notebook shows them under the cell and a batch worker writes them to its log.
"""

import logging

logger = logging.getLogger("diagnosis")


def announce(message: str) -> None:
    """Tell the user about a conversion or a choice made on their behalf."""
    logger.info(message)
