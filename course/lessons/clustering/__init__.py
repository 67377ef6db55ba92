"""Lesson 08: unsupervised learning, k-means and DBSCAN.

Exercises: ``kmeans_assign``, ``kmeans_update``, ``kmeans``, ``kmeans_plus_plus`` (in :mod:`.kmeans_checks`)
and ``dbscan`` (in :mod:`.dbscan_checks`), refereed by the torch versions in :mod:`.algorithms`.
The lecture's data (in :mod:`.lecture`): the worked example, blobs, moons and rings.
Pictures and widgets (in :mod:`.plots`); runs on real data (in :mod:`.experiments`).
"""
LESSON = "08_clustering"

from . import dbscan_checks, kmeans_checks  # noqa: E402  (registers the exercises)
from . import algorithms, experiments, lecture, plots  # noqa: E402

__all__ = ["LESSON", "algorithms", "dbscan_checks", "experiments", "kmeans_checks", "lecture", "plots"]
