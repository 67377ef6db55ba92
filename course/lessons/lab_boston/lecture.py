"""The fixed data of lab 1: what the Boston columns mean, the published anchors, the check's split."""
from __future__ import annotations

import numpy as np

#: The 13 columns of the 1978 Harrison & Rubinfeld table (MEDV is the target).
FEATURES = {
    "CRIM": "per-capita crime rate of the town",
    "ZN": "share of residential land zoned for lots over 25,000 sq. ft.",
    "INDUS": "share of non-retail business acres",
    "CHAS": "1 if the tract bounds the Charles River, else 0",
    "NOX": "nitric-oxide concentration (parts per 10 million)",
    "RM": "average number of rooms per dwelling",
    "AGE": "share of owner-occupied units built before 1940",
    "DIS": "weighted distance to five Boston employment centres",
    "RAD": "index of accessibility to radial highways",
    "TAX": "property-tax rate per $10,000",
    "PTRATIO": "pupil-teacher ratio of the town",
    "B": "1000 (Bk - 0.63)^2, Bk the share of Black residents (dropped: it encodes race)",
    "LSTAT": "% of the population of lower status",
}

#: MEDV, the median home value in $1000s, was recorded as 50.0 for every tract worth 50 or more.
MEDV_CAP = 50.0

#: The split the lab and the check use: 20 % of the tracts held out, shuffled with this seed.
TEST_SIZE = 0.2
SPLIT_SEED = 0

#: Published results on this data to report against (MAE and RMSE in $1000s).
PUBLISHED = [
    {"source": "Chollet, Deep Learning with Python (Keras 64-64-1, RMSprop)", "split": "their 404/102 split",
     "test_mae": 2.55, "cv_mae": 2.38, "cv": "4-fold on the 404 training rows", "rmse": None},
    {"source": "Weidman, Deep Learning from Scratch (NumPy network)", "split": "70/30 split",
     "test_mae": 2.60, "cv_mae": None, "cv": "", "rmse": 3.89},
    {"source": "least squares, as the issue quotes it", "split": "80/20 split",
     "test_mae": 3.5, "cv_mae": None, "cv": "", "rmse": None},
]


def check_split(seed: int = 0):
    """The split the ``boston_mlp`` check trains and tests on: ``X_train, X_test, y_train, y_test``.

    ``seed`` 0 is the notebook's split (``SPLIT_SEED``); the check draws its own from its seed.
    """
    from course import data

    X, y, _ = data.load_boston()
    return data.train_test_split(X, y, test_size=TEST_SIZE, seed=SPLIT_SEED + int(seed))


def published_table(ours: dict | None = None) -> str:
    """The anchors as a Markdown-ready HTML table, with our own row (``ours``: label -> (mae, rmse)) below."""
    rows = []
    for p in PUBLISHED:
        cv = f"{p['cv_mae']:.2f} ({p['cv']})" if p["cv_mae"] else "–"
        rmse = f"{p['rmse']:.2f}" if p["rmse"] else "–"
        rows.append(f"<tr><td>{p['source']}</td><td>{p['split']}</td><td>{p['test_mae']:.2f}</td>"
                    f"<td>{rmse}</td><td>{cv}</td></tr>")
    for label, (mae, rmse, cv) in (ours or {}).items():
        rows.append(f"<tr><td><b>{label}</b></td><td>80/20 split, seed {SPLIT_SEED}</td><td><b>{mae:.2f}</b></td>"
                    f"<td>{rmse:.2f}</td><td>{cv}</td></tr>")
    return ("<table><tr><th>model</th><th>split</th><th>test MAE</th><th>test RMSE</th><th>CV MAE</th></tr>"
            + "".join(rows) + "</table>")


def censored_share(y) -> float:
    """The fraction of tracts recorded at the cap of 50."""
    return float(np.mean(np.asarray(y) >= MEDV_CAP))
