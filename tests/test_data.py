"""The embedded data sets and ``course.data``: checksums, shapes, counts, splits, fallbacks. Offline."""
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course import data

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "datasets"
NOT_DATA = {"MANIFEST.json", "README.md"}

# md5s from /work/shared/datasets-src/PROVENANCE.md, where the files were copied from.
PROVENANCE_MD5 = {
    "mnist/t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "mnist/t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    "tabular/pima-indians-diabetes.csv": "56a8d8ae619fcc223941e54f361b8406",
    "tabular/boston-housing.csv": "5978b0ed7d7b7178eeff97cc6a7aada7",
    "pneumoniamnist/pneumoniamnist.npz": "f5b994ec7c2fe8bc81ae15cbab7c3df8",
}
# Counted from t10k-labels-idx1-ubyte.gz.
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def manifest():
    return {e["path"]: e for e in json.loads((DATASETS / "MANIFEST.json").read_text())["files"]}


@pytest.fixture
def corrupted_copy(tmp_path, monkeypatch):
    """A copy of datasets/ with one byte of the Pima CSV flipped, which ``datasets_dir()`` points at."""
    copy = tmp_path / "datasets"
    shutil.copytree(DATASETS, copy)
    target = copy / data.PIMA_FILE
    raw = bytearray(target.read_bytes())
    raw[100] ^= 0xFF
    target.write_bytes(bytes(raw))
    monkeypatch.setattr(data, "datasets_dir", lambda: copy)
    return copy


# --- the files -----------------------------------------------------------------------------------


def test_datasets_dir_is_the_repos_folder():
    assert data.datasets_dir() == DATASETS


def test_datasets_dir_found_from_an_installed_course(tmp_path):
    """Imported from elsewhere (as after ``pip install -e .``), it still finds the repo's folder."""
    code = "import course.data as d; print(d.datasets_dir())"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    if "ModuleNotFoundError" in run.stderr:
        pytest.skip("course is not installed in this environment (pip install -e .)")
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()) == DATASETS


def test_datasets_dir_missing_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "__file__", str(tmp_path / "course" / "data.py"))
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        data.datasets_dir()


def test_manifest_checksums_match_the_files():
    for rel, entry in manifest().items():
        raw = (DATASETS / rel).read_bytes()
        assert len(raw) == entry["size"], rel
        assert hashlib.sha256(raw).hexdigest() == entry["sha256"], rel
        assert hashlib.md5(raw).hexdigest() == entry["md5"], rel


def test_manifest_matches_provenance():
    entries = manifest()
    for rel, md5 in PROVENANCE_MD5.items():
        assert entries[rel]["md5"] == md5, rel


def test_manifest_and_folder_list_the_same_files():
    on_disk = {p.relative_to(DATASETS).as_posix() for p in DATASETS.rglob("*") if p.is_file()}
    assert on_disk - NOT_DATA == set(manifest())


def test_verify_passes_on_the_repo():
    result = data.verify()
    assert set(result) == set(manifest()) and all(result.values())


def test_verify_reports_a_corrupted_file(corrupted_copy):
    result = data.verify(strict=False)
    assert [rel for rel, ok in result.items() if not ok] == [data.PIMA_FILE]
    with pytest.raises(ValueError, match="pima-indians-diabetes.csv"):
        data.verify()
    assert data.verify(strict=False, root=DATASETS)[data.PIMA_FILE]


def test_loader_refuses_a_corrupted_file(corrupted_copy):
    with pytest.raises(ValueError, match="pima-indians-diabetes.csv"):
        data.load_pima()


def test_sources_says_where_each_set_comes_from(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    where = data.sources()
    assert where["mnist"] == "embedded datasets/mnist (verified)"
    assert where["pneumoniamnist"] == "embedded datasets/pneumoniamnist (verified)"
    assert str(tmp_path) in where["cifar10"] and where["cifar10"].endswith("(absent)")
    assert all(isinstance(v, str) for v in where.values())


def test_sources_flags_a_corrupted_file(corrupted_copy):
    assert "CORRUPTED" in data.sources()["pima"]


# --- MNIST ---------------------------------------------------------------------------------------


def test_mnist_test_set():
    X, y = data.load_mnist()
    assert X.shape == (10000, 28, 28) and X.dtype == np.uint8
    assert y.shape == (10000,) and y.dtype == np.int64
    assert X.max() == 255 and X.min() == 0
    counts = np.bincount(y, minlength=10)
    assert len(counts) == 10 and counts.sum() == 10000
    assert counts.tolist() == MNIST_TEST_COUNTS


def test_mnist_returns_copies():
    X, y = data.load_mnist()
    X[:] = 0
    y[:] = 0
    assert data.load_mnist()[0].max() == 255 and data.load_mnist()[1].max() == 9


def test_mnist_train_offline_explains(capsys):
    with pytest.raises(ValueError, match="mnist_split"):
        data.load_mnist("train")
    with pytest.raises(ValueError):
        data.load_mnist("validation")


@pytest.mark.parametrize("split, n", [("test", 2000), ("train", 8000)])
def test_mnist_full_falls_back_with_one_stdout_line(tmp_path, capsys, split, n):
    X, y = data.load_mnist(split, full=True, download=False, root=tmp_path)
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("\n") == 1 and "unavailable" in out
    assert X.shape == (n, 28, 28) and X.dtype == np.uint8 and y.shape == (n,) and y.dtype == np.int64
    X_train, y_train, X_test, y_test = data.mnist_split()
    if split == "test":
        assert "2,000-image test part" in out
        np.testing.assert_array_equal(X, X_test)
    else:
        np.testing.assert_array_equal(X, X_train)


def test_mnist_split_deterministic_disjoint_covering():
    X_train, y_train, X_test, y_test = data.mnist_split()
    assert X_train.shape == (8000, 28, 28) and X_test.shape == (2000, 28, 28)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64 and y_test.dtype == np.int64
    again = data.mnist_split()
    for a, b in zip((X_train, y_train, X_test, y_test), again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(data.mnist_split(seed=1)[1], y_train)

    # Disjoint and covering: the two parts are a permutation of the 10,000 images (some images
    # are duplicated in MNIST, so compare the multisets of rows, not sets).
    X, y = data.load_mnist()
    def rows(images, labels):
        return sorted(img.tobytes() + bytes([lab]) for img, lab in zip(images, labels))
    assert rows(np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])) == rows(X, y)

    share = np.bincount(y_test, minlength=10) / np.bincount(y, minlength=10)
    assert np.all(np.abs(share - 0.2) < 0.002)


# --- CIFAR-10 ------------------------------------------------------------------------------------


def test_cifar10_unavailable_raises_and_prints_nothing(tmp_path, capsys):
    with pytest.raises(RuntimeError, match="no embedded copy"):
        data.load_cifar10(download=False, root=tmp_path)
    assert capsys.readouterr() == ("", "")


# --- tabular and PneumoniaMNIST ------------------------------------------------------------------


def test_pima():
    X, y, names = data.load_pima()
    assert X.shape == (768, 8) and X.dtype == np.float64
    assert y.shape == (768,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [500, 268]
    assert names == ["Pregnancies", "Glucose", "BloodPressure", "SkinThickness",
                     "Insulin", "BMI", "DiabetesPedigreeFunction", "Age"]
    names_file = (DATASETS / data.PIMA_NAMES_FILE).read_text()
    assert "8. Age (years)" in names_file and "9. Class variable" in names_file


def test_boston_drops_b_by_default():
    X, y, names = data.load_boston()
    assert X.shape == (506, 12) and X.dtype == np.float64
    assert y.shape == (506,) and y.dtype == np.float64 and 5 <= y.min() and y.max() <= 50
    assert "B" not in names and len(names) == 12 and names[-1] == "LSTAT"


def test_boston_with_b():
    X, y, names = data.load_boston(drop_b=False)
    assert X.shape == (506, 13) and len(names) == 13
    assert names == ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD",
                     "TAX", "PTRATIO", "B", "LSTAT"]
    np.testing.assert_array_equal(np.delete(X, names.index("B"), axis=1), data.load_boston()[0])


@pytest.mark.parametrize("split, counts", [("train", [388, 3494]), ("val", [135, 389]), ("test", [234, 390])])
def test_pneumoniamnist(split, counts):
    X, y = data.load_pneumoniamnist(split)
    n = sum(counts)
    assert X.shape == (n, 28, 28) and X.dtype == np.uint8
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == counts


def test_pneumoniamnist_bad_split():
    with pytest.raises(ValueError):
        data.load_pneumoniamnist("validation")


# --- train_test_split ----------------------------------------------------------------------------


def test_train_test_split_plain():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=3)
    assert len(X_test) == 10 and len(X_train) == 40
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay with their labels
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(50))
    np.testing.assert_array_equal(data.train_test_split(X, y, test_size=0.2, seed=3)[3], y_test)


def test_train_test_split_stratified():
    y = np.array([0] * 90 + [1] * 10)
    X = np.arange(100.0)[:, None]
    _, X_test, y_train, y_test = data.train_test_split(X, y, test_size=20, seed=0, stratify=True)
    assert np.bincount(y_test).tolist() == [18, 2] and np.bincount(y_train).tolist() == [72, 8]


def test_train_test_split_rejects_bad_sizes():
    with pytest.raises(ValueError):
        data.train_test_split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError):
        data.train_test_split(np.zeros((5, 2)), np.zeros(5), test_size=0.0)
