"""Monte-Carlo finishes kept on disk, so that memory does not grow with runs x tasks (issue 19).

The quantiles of each task's finish need every run's value: 10,000 runs of a
100,000-task plan are a billion of them (4 GB as float32). Above a budget,
the runs' chunks are appended to an anonymous temporary file as they come,
chunk after chunk (each chunk a C-ordered ``rows x runs-in-chunk`` block),
and read back a band of rows at a time, across all chunks, as one C-ordered
``rows x runs`` array: the same values in the same layout as the in-memory
array, so quantiles and means are bit-for-bit the same, while memory stays
at one chunk plus one band.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

__all__ = ["SpilledFinishes"]


class SpilledFinishes:
    """A ``rows x runs`` array of finishes written by chunks of runs and read by bands of rows."""

    def __init__(self, np: Any, rows: int, runs: int, dtype: Any, band_bytes: int) -> None:
        self._np = np
        self.rows = rows
        self.runs = runs
        self.dtype = np.dtype(dtype)
        self._file = tempfile.TemporaryFile(prefix="campaignflow-mc-")  # removed when closed
        self._chunks: list[tuple[int, int]] = []  # (offset in bytes, runs in the chunk)
        self._end = 0
        #: Rows per band: a band of every run stays within ``band_bytes``.
        self.band = max(1, band_bytes // max(1, runs * self.dtype.itemsize))

    @property
    def size(self) -> int:
        """Values held (as ``ndarray.size``)."""
        return self.rows * self.runs

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.runs

    def append(self, block: Any) -> None:
        """Add the next chunk of runs: a ``rows x k`` array."""
        data = self._np.ascontiguousarray(block, dtype=self.dtype)
        self._file.seek(self._end)
        self._file.write(data.tobytes())
        self._chunks.append((self._end, data.shape[1]))
        self._end += data.nbytes

    def rows_of(self, start: int, stop: int) -> Any:
        """Rows ``start:stop`` of every run, as a C-ordered ``(stop - start) x runs`` array."""
        np = self._np
        out = np.empty((stop - start, self.runs), dtype=self.dtype)
        item = self.dtype.itemsize
        col = 0
        for offset, k in self._chunks:
            self._file.seek(offset + start * k * item)
            raw = self._file.read((stop - start) * k * item)
            out[:, col:col + k] = np.frombuffer(raw, dtype=self.dtype).reshape(stop - start, k)
            col += k
        return out

    def bands(self) -> Iterator[tuple[int, Any]]:
        """``(first row, band)`` for bands of ``self.band`` rows, in order."""
        for start in range(0, self.rows, self.band):
            yield start, self.rows_of(start, min(self.rows, start + self.band))

    def __getitem__(self, row: int) -> Any:
        return self.rows_of(row, row + 1)[0]

    def close(self) -> None:
        """Remove the file."""
        self._file.close()
