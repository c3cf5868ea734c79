"""Files entering and leaving the store: recognition, acceptance, import, use and removal.

``recognise`` tells a dataset from a file's content (the recognisers are listed in
``recognisers.yaml``); ``acceptance`` admits a file only when its reader reads it whole and
it lists the comuni it should (``completeness``); ``importing`` adds a hand-downloaded file;
``usage`` and ``status`` say which figures take their data from each stored file, and
``removal`` takes a file out. This layer sits above the readers and the tables it checks
files against.
"""
