"""C ← C + α·A·B in place: the GEMM of NumPy's own BLAS, with the β = 1 that ``np.matmul`` lacks.

``np.matmul`` always overwrites its output (C = A·B, β = 0).  A gradient-descent update
w+ = w − η·δᵀ·out is that same product *added* into the weights, which BLAS does in one call
(C ← α·A·B + β·C with α = −η, β = 1), so the gradient is never stored and the weights are read
and written once, by the product itself, instead of three more passes over them.

The routine is the one NumPy's matmul calls: the ``cblas_?gemm`` of the BLAS library NumPy's
extension module is linked against (the OpenBLAS of NumPy's wheels), looked up once through that
module with :mod:`ctypes` — the same kernels and the same thread pool as every other product of
the engine.  (SciPy's ``scipy.linalg.blas`` wrappers reach a *second* OpenBLAS, the one bundled in
SciPy's wheel, with its own threads: on two cores its threads and NumPy's spin against each other.)
Where no such routine is found (another BLAS, another platform), ``gemm_update`` answers
``False`` and the caller does the same update with NumPy.
"""

from __future__ import annotations

import ctypes
from functools import cache

import numpy as np

# CBLAS's enumerations (cblas.h)
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
# (symbol, integer type): NumPy's wheels ship OpenBLAS built with 64-bit integers and these names;
# only names that say their integer width are used, so a call can never pass the wrong one.
_NAMES = {
    np.dtype(np.float32): (("scipy_cblas_sgemm64_", ctypes.c_int64), ("cblas_sgemm64_", ctypes.c_int64)),
    np.dtype(np.float64): (("scipy_cblas_dgemm64_", ctypes.c_int64), ("cblas_dgemm64_", ctypes.c_int64)),
}
_SCALARS = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}


def gemm_update(c: np.ndarray, a: np.ndarray, b: np.ndarray, alpha: float) -> bool:
    """C ← C + α·A·B, written into ``c`` itself (no copy, no temporary); ``False`` if not done.

    Parameters
    ----------
    c : ndarray, shape (m, n)
        The array updated in place, C- or Fortran-contiguous.
    a, b : ndarray, shapes (m, k) and (k, n)
        The factors, each C- or Fortran-contiguous, of ``c``'s dtype (float32 or float64).
    alpha : float
        The factor α of the product (−η for a gradient-descent step).

    Returns
    -------
    bool
        ``True`` when BLAS made the update; ``False`` (``c`` untouched) when NumPy's BLAS routine
        is not reachable or the arrays are not as described: the caller updates with NumPy instead.
    """
    update = bind_gemm_update(c, a, b)
    if update is None:
        return False
    update(alpha)
    return True


def bind_gemm_update(c: np.ndarray, a: np.ndarray, b: np.ndarray):
    """`gemm_update` on these three arrays, checked once: a function of α alone, or ``None``.

    For a training loop whose arrays stay the same from one update to the next (a network's
    weights, its workspace's deltas and outputs): the checks and the arrays' addresses, some
    ten microseconds of Python, are paid once, and each update is the BLAS call alone, with the
    same arguments (so the same bits) as `gemm_update`'s.  The function keeps the three arrays
    alive, and writes where they lay when it was made.

    Parameters
    ----------
    c, a, b : ndarray
        As for `gemm_update`.

    Returns
    -------
    callable or None
        ``update(alpha)``: C ← C + α·A·B; ``None`` where `gemm_update` would answer ``False``.
    """
    gemm = _gemm(c.dtype)
    if gemm is None or type(a) is not np.ndarray or type(b) is not np.ndarray or a.ndim != 2 or b.ndim != 2:
        return None
    (m, k), (k2, n) = a.shape, b.shape
    if a.dtype != c.dtype or b.dtype != c.dtype or c.shape != (m, n) or k2 != k or not c.flags.writeable:
        return None
    if np.may_share_memory(c, a) or np.may_share_memory(c, b):
        return None
    kept = (c, a, b)  # the arrays stay alive (and where they are) as long as the function does
    if c.flags.f_contiguous and not c.flags.c_contiguous:  # Cᵀ ← Cᵀ + α·Bᵀ·Aᵀ, row-major throughout
        c, a, b, m, n = c.T, b.T, a.T, n, m
    layout_a, layout_b = _operand(a), _operand(b)
    if not c.flags.c_contiguous or layout_a is None or layout_b is None:
        return None
    if min(m, n, k) == 0:
        return lambda alpha: None  # C + α·A·B = C when a dimension is empty
    (trans_a, ld_a), (trans_b, ld_b) = layout_a, layout_b
    # every argument made a C value of the type cblas.h declares (the checked function's argtypes)
    # once, α on each call; so the routine is called without ctypes converting and checking 14
    # arguments each time (the same routine, the same values: the same bits)
    enum, integer, real, pointer = gemm.argtypes[0], gemm.argtypes[3], gemm.argtypes[6], gemm.argtypes[7]
    before = (enum(_ROW_MAJOR), enum(trans_a), enum(trans_b), integer(m), integer(n), integer(k))
    after = (pointer(_address(a)), integer(ld_a), pointer(_address(b)), integer(ld_b), real(1.0))
    after += (pointer(_address(c)), integer(n))
    call = _unconverted(c.dtype)

    def update(alpha: float, kept=kept) -> None:
        call(*before, real(alpha), *after)

    return update


@cache
def _unconverted(dtype: np.dtype):
    """The routine of `_gemm`, called with C values as they are (no argtypes: each argument must
    already be of the type cblas.h declares, as `bind_gemm_update` makes them)."""
    gemm = _gemm(dtype)
    call = type(gemm)(ctypes.cast(gemm, ctypes.c_void_p).value)
    call.restype = None
    return call


def _address(x: np.ndarray) -> int:
    """Where ``x``'s first element lies in memory (cheaper than ``x.ctypes.data``)."""
    return x.__array_interface__["data"][0]


def available(dtype) -> bool:
    """Whether ``gemm_update`` can reach NumPy's BLAS for ``dtype``."""
    return _gemm(np.dtype(dtype)) is not None


def _operand(x: np.ndarray):
    """(transposition flag, leading dimension) of a row-major operand, or None if not contiguous."""
    if x.flags.c_contiguous:
        return _NO_TRANS, max(1, x.shape[1])
    if x.flags.f_contiguous:  # xᵀ is row-major: pass it transposed
        return _TRANS, max(1, x.shape[0])
    return None


@cache
def _gemm(dtype: np.dtype):
    """``cblas_?gemm`` of the BLAS NumPy's matmul uses, as a ctypes function, or None."""
    if dtype not in _NAMES:
        return None
    for library in _numpy_libraries():
        for name, integer in _NAMES[dtype]:
            function = getattr(library, name, None)
            if function is not None:
                real, pointer, enum = _SCALARS[dtype], ctypes.c_void_p, ctypes.c_int
                # (layout, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), as in cblas.h
                function.argtypes = [enum, enum, enum, integer, integer, integer, real, pointer, integer] + [
                    pointer,
                    integer,
                    real,
                    pointer,
                    integer,
                ]
                function.restype = None
                return function
    return None


def _numpy_libraries():
    """NumPy's extension module (whose dependencies include its BLAS), then the BLAS files its
    wheel ships beside it (``numpy.libs``, ``numpy/.dylibs``), loaded as ctypes libraries."""
    from pathlib import Path

    try:
        from numpy._core import _multiarray_umath as module  # NumPy 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core import _multiarray_umath as module
    here = Path(np.__file__).parent
    paths = [module.__file__, *sorted(here.parent.glob("numpy.libs/*blas*")), *sorted(here.glob(".dylibs/*blas*"))]
    for path in paths:
        try:
            yield ctypes.CDLL(str(path))
        except OSError:
            continue
