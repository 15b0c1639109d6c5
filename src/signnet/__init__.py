"""signnet: a neural network written from scratch, trained and reported by a DVC pipeline.

Importing signnet first pins OpenBLAS's kernel before NumPy loads (:mod:`signnet.blas`)."""

from signnet import blas  # noqa: F401  (first: sets OPENBLAS_CORETYPE before NumPy is imported)

__version__ = "0.1.0"
