"""Training pithtui's citation classifier (``python -m training``): reading the labelled corpora,
fitting with numpy and SciPy (scikit-learn for the folds), writing the weights file. Not part of the installed package.

Numerical libraries are held to one thread (training shares its machine), before any of them loads.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
