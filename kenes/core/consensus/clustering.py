"""Opinion groups: k-means on the 2-d map, with k chosen by silhouette.

Pol.is tries k = 2..5 groups and keeps the k whose clustering has the highest
silhouette coefficient (Small et al. 2021, §3; Rousseeuw, "Silhouettes", J. Comput.
Appl. Math. 20, 1987). Groups are numbered by size, largest first, so the numbering
does not depend on k-means' internal order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MAX_GROUPS = 5
#: Silhouette is quadratic in the number of points; above this it is computed on a
#: seeded random sample of this size.
SILHOUETTE_SAMPLE = 4000


@dataclass(frozen=True)
class Clustering:
    """`labels[i]` is the group of the i-th clustered participant; silhouette per k tried."""

    labels: NDArray[np.int64]
    k: int
    silhouettes: dict[int, float]


def _number_by_size(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    sizes = np.bincount(labels)
    first_member = np.array([np.flatnonzero(labels == g)[0] for g in range(sizes.size)])
    order = np.lexsort((first_member, -sizes))
    renumber = np.empty_like(order)
    renumber[order] = np.arange(order.size)
    numbered: NDArray[np.int64] = renumber[labels].astype(np.int64)
    return numbered


def cluster(
    coordinates: NDArray[np.float64], seed: int, max_groups: int = MAX_GROUPS
) -> Clustering:
    """k-means for k = 2..`max_groups`, keeping the best silhouette; ties go to fewer groups."""
    # scikit-learn is imported here, not at the top: importing it costs about a second,
    # which every web process would pay at start-up for pages that never cluster.
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = coordinates.shape[0]
    distinct = np.unique(coordinates, axis=0).shape[0] if n else 0
    best: tuple[float, int, NDArray[np.int64]] | None = None
    silhouettes: dict[int, float] = {}
    for k in range(2, min(max_groups, distinct - 1, n - 1) + 1):
        labels = (
            KMeans(n_clusters=k, n_init=10, random_state=seed)
            .fit_predict(coordinates)
            .astype(np.int64)
        )
        if np.unique(labels).size < 2:
            continue
        score = float(
            silhouette_score(
                coordinates,
                labels,
                sample_size=SILHOUETTE_SAMPLE if n > SILHOUETTE_SAMPLE else None,
                random_state=seed,
            )
        )
        silhouettes[k] = score
        if best is None or score > best[0] + 1e-12:
            best = (score, k, labels)
    if best is None:
        return Clustering(np.zeros(n, dtype=np.int64), 1 if n else 0, silhouettes)
    return Clustering(_number_by_size(best[2]), best[1], silhouettes)
