"""Grading a whole class: parallel autograding with verified scores, feedback without hidden tests, the
class mistake report, and the student edition.

The unit of work is one submission in, one result out (:func:`grade_submission`): a scratch course with
its own gradebook, ``nbgrader autograde`` for that one student, then the verified grading of
:mod:`verify`. Units run in a ``concurrent.futures`` pool; their gradebooks are merged into the course's
one by one, in the main process (SQLite has one writer). A course that outgrows one machine can submit
the same unit to Dask (``client.map(grade_submission, ...)``) or Ray (``ray.remote(grade_submission)``)
and merge the results the same way.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def _env():
    env = dict(os.environ, PYTHONWARNINGS=os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning"))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("MPLBACKEND", "Agg")
    return env


def nbgrader(grading_dir: Path, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
    """One nbgrader command with the nbgrader_config.py of ``grading_dir``."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=grading_dir, env=_env(),
                          capture_output=quiet, text=True)


def db_url(grading_dir: Path) -> str:
    return "sqlite:///" + str(grading_dir / "gradebook.db")


# --------------------------------------------------------------------------- one submission
def prepare_lesson(root: str, lesson: str) -> str:
    """A scratch course whose gradebook knows ``lesson`` (``generate_assignment`` run once): the template that
    :func:`grade_submission` copies instead of generating the assignment again for every student."""
    root = Path(root)
    template = Path(tempfile.mkdtemp(prefix=f"lesson-{lesson}-"))
    (template / "grading").mkdir()
    shutil.copy(root / "grading" / "nbgrader_config.py", template / "grading" / "nbgrader_config.py")
    shutil.copytree(root / "solutions" / lesson, template / "solutions" / lesson)
    done = nbgrader(template / "grading", "generate_assignment", lesson, "--force", quiet=True)
    if done.returncode:
        shutil.rmtree(template, ignore_errors=True)
        raise RuntimeError(f"nbgrader generate_assignment {lesson} failed: {(done.stderr or done.stdout)[-600:]}")
    return str(template)


def grade_submission(root: str, lesson: str, student: str, cell_timeout: float = 120,
                     grading_mode: bool = True, template: str | None = None, work: bytes | None = None) -> dict:
    """Autograde one student's lesson in a scratch course, then verify it. Never raises.

    ``template`` is :func:`prepare_lesson`'s scratch course for ``lesson`` (made here when None). In grading
    mode (the default) the cells that only demonstrate are left out (``prune.py``); every graded exercise
    still runs in full. ``work`` is ``verify.lesson_work(lesson)``, computed once per lesson by the caller and
    passed in memory (never through a file that the student's code, running meanwhile, could rewrite).
    """
    from verify import verify

    started = time.perf_counter()
    root = Path(root)
    scratch = Path(tempfile.mkdtemp(prefix=f"grade-{student}-{lesson}-"))
    result = {"student": student, "lesson": lesson, "scratch": str(scratch), "error": None}
    try:
        own_template = template is None
        template = Path(template or prepare_lesson(str(root), lesson))
        try:
            shutil.copytree(template, scratch, dirs_exist_ok=True)
        finally:
            if own_template:
                shutil.rmtree(template, ignore_errors=True)
        grading = scratch / "grading"
        shutil.copytree(root / "grading" / "submitted" / student / lesson, grading / "submitted" / student / lesson)
        if grading_mode:
            import nbformat
            from prune import prune
            from verify import exercises_of, names_per_notebook

            paths = sorted((grading / "submitted" / student / lesson).glob("*.ipynb"))
            for path, names in zip(paths, names_per_notebook(paths, exercises_of(lesson))):
                nbformat.write(prune(nbformat.read(str(path), as_version=4), names), str(path))
        done = nbgrader(grading, "autograde", lesson, "--student", student, "--create", "--force", quiet=True)
        if done.returncode:
            raise RuntimeError(f"nbgrader autograde failed: {(done.stderr or done.stdout)[-600:]}")
        notebooks = sorted((grading / "submitted" / student / lesson).glob("*.ipynb"))
        result["verified"] = verify(notebooks, lesson, cell_timeout=cell_timeout, work=work)
    except Exception as e:  # one broken submission fails alone
        result["error"] = f"{type(e).__name__}: {e}"
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _merge(root: Path, result: dict) -> list:
    """Copy one scratch result into the course: gradebook rows (with verified scores), autograded files."""
    from nbgrader.api import Gradebook, MissingEntry

    lesson, student, scratch = result["lesson"], result["student"], Path(result["scratch"])
    flags = []
    with Gradebook(db_url(scratch / "grading")) as sgb, Gradebook(db_url(root / "grading")) as mgb:
        ssub = sgb.find_submission(lesson, student)
        try:
            mgb.find_student(student)
        except MissingEntry:
            mgb.add_student(student)
        try:
            mgb.remove_submission(lesson, student)
        except MissingEntry:
            pass
        mgb.add_submission(lesson, student, timestamp=ssub.timestamp)
        grades = {}
        for snb in ssub.notebooks:
            for sg in snb.grades:
                mg = mgb.find_grade(sg.name, snb.name, lesson, student)
                mg.auto_score, mg.manual_score, mg.extra_credit = sg.auto_score, sg.manual_score, sg.extra_credit
                grades[sg.name] = mg
            for sc in snb.comments:
                mc = mgb.find_comment(sc.name, snb.name, lesson, student)
                mc.auto_comment, mc.manual_comment = sc.auto_comment, sc.manual_comment
        for name, rec in result["verified"]["exercises"].items():
            mg = grades.get(f"test_{name}")
            if mg is None:
                continue
            kernel = mg.auto_score or 0.0
            if kernel >= rec["points"] and not rec["passed"]:
                flags.append(f"possible tampering: exercise {name} (the notebook's kernel gave {kernel:g} of "
                             f"{rec['points']}, verified grading 0)")
            mg.auto_score = float(rec["score"])
        mgb.db.commit()
    src = scratch / "grading" / "autograded" / student / lesson
    dst = root / "grading" / "autograded" / student / lesson
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    verified = dict(result["verified"], flags=flags, student=student, seconds_total=result["seconds"])
    out = root / "grading" / "verified" / student / f"{lesson}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(verified, indent=1))
    return flags


def _worker_threads(threads: int) -> None:
    """Give each worker (and the kernels and runners it starts) its share of the cores: OpenMP threads of
    several processes that each want every core wait for each other."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))


def autograde(lessons, jobs: int | None = None, cell_timeout: float = 120, grading_mode: bool = True) -> dict:
    """Grade every submission of ``lessons`` in ``jobs`` processes; merge each into the course's gradebook."""
    from tqdm.auto import tqdm

    jobs = jobs or os.cpu_count() or 1
    submitted = ROOT / "grading" / "submitted"
    units = sorted((lesson, s.name) for lesson in lessons for s in submitted.iterdir()
                   if s.is_dir() and (s / lesson).is_dir()) if submitted.is_dir() else []
    for lesson in sorted({u[0] for u in units}):
        # The course gradebook learns the assignment from its source (released to a scratch folder).
        with tempfile.TemporaryDirectory() as tmp:
            done = nbgrader(ROOT / "grading", "generate_assignment", lesson, "--force",
                            f"--CourseDirectory.release_directory={tmp}", quiet=True)
            if done.returncode:
                raise SystemExit(f"nbgrader generate_assignment {lesson} failed:\n{done.stderr[-2000:]}")
    started = time.perf_counter()
    summary = {"graded": 0, "failed": [], "flags": [], "seconds": 0.0, "per_submission": []}
    from verify import lesson_work

    templates = {lesson: prepare_lesson(str(ROOT), lesson) for lesson in sorted({u[0] for u in units})}
    works = {lesson: lesson_work(lesson) for lesson in templates}
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_threads, initargs=(threads,)) as pool:
        futures = [pool.submit(grade_submission, str(ROOT), lesson, student, cell_timeout, grading_mode,
                               templates[lesson], works[lesson])
                   for lesson, student in units]
        for future in tqdm(as_completed(futures), total=len(futures), desc="submissions", unit="sub"):
            result = future.result()
            try:
                if result["error"]:
                    summary["failed"].append(f"{result['student']}/{result['lesson']}: {result['error']}")
                else:
                    summary["flags"] += [f"{result['student']}/{result['lesson']}: {f}" for f in _merge(ROOT, result)]
                    summary["graded"] += 1
                    summary["per_submission"].append(result["seconds"])
            finally:
                shutil.rmtree(result["scratch"], ignore_errors=True)
    for template in templates.values():
        shutil.rmtree(template, ignore_errors=True)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(f"graded {summary['graded']}, failed {len(summary['failed'])}, {summary['seconds']} s "
          f"({jobs} worker{'s' if jobs != 1 else ''})")
    for line in summary["failed"] + summary["flags"]:
        print("  " + line)
    return summary


# --------------------------------------------------------------------------- feedback
def _visible(source: str) -> str:
    return source.split("### BEGIN HIDDEN TESTS", 1)[0].rstrip()


def sanitize(nb, records: dict):
    """A graded notebook for feedback: test cells show their visible call and the verified verdict only."""
    import nbformat

    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        name = meta.get("grade_id", "")[len("test_"):]
        cell.source = _visible(cell.source)
        rec = records.get(name)
        if rec is None:
            cell.outputs = []
        elif rec["passed"]:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=f"\u2713 {name}: passed, visible and hidden cases.\n")]
        elif not rec["visible_passed"]:
            message = rec["seeds"]["0"]["message"]
            cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue=message,
                                                   traceback=[f"CheckFailed: {message}"])]
        else:
            text = (f"check({name!r}) passed the visible cases but not every hidden case: test the edge cases "
                    f"(zeros, a batch of one, ties, large values) that the exercise names.")
            cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue=text,
                                                   traceback=[f"CheckFailed: {text}"])]
    return nb


def feedback(lessons) -> None:
    """HTML feedback in grading/feedback/: what failed, in the words a student reads, no hidden test."""
    import nbformat

    autograded = ROOT / "grading" / "autograded"
    staging = ROOT / "grading" / "feedback_source"
    if staging.exists():
        shutil.rmtree(staging)
    for lesson in lessons:
        for student_dir in sorted(p for p in autograded.iterdir() if (p / lesson).is_dir()) if autograded.is_dir() else []:
            rec_path = ROOT / "grading" / "verified" / student_dir.name / f"{lesson}.json"
            records = json.loads(rec_path.read_text())["exercises"] if rec_path.exists() else {}
            for path in (student_dir / lesson).iterdir():
                target = staging / student_dir.name / lesson / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix == ".ipynb":
                    nbformat.write(sanitize(nbformat.read(str(path), as_version=4), records), str(target))
                elif path.is_file():
                    shutil.copy(path, target)
        done = nbgrader(ROOT / "grading", "generate_feedback", lesson, "--force",
                        "--CourseDirectory.autograded_directory=" + os.path.join("grading", "feedback_source"))
        if done.returncode:
            raise SystemExit(f"nbgrader generate_feedback {lesson} failed")


# --------------------------------------------------------------------------- the class report
def _hints():
    import course
    from course.checks.engine import get_exercise

    return {get_exercise(n).mistake_id(m): m.hint for n in course.exercises() for m in get_exercise(n).mistakes}


def _bar_chart(counts: dict, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    labels = list(counts)
    fig = Figure(figsize=(7, 0.45 * len(labels) + 1.2), layout="constrained")
    ax = fig.subplots()
    ax.barh(range(len(labels)), list(counts.values()), color="tab:red")
    ax.set(yticks=range(len(labels)), yticklabels=labels, xlabel="students", title=title)
    ax.invert_yaxis()
    ax.xaxis.get_major_locator().set_params(integer=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode()


def report(lessons) -> Path:
    """grading/report/mistakes.csv and one HTML page per lesson: who passed, which named mistakes the class made."""
    import course
    from course.checks.engine import get_exercise

    hints = _hints()
    out_dir = ROOT / "grading" / "report"
    out_dir.mkdir(parents=True, exist_ok=True)
    verified = ROOT / "grading" / "verified"
    rows = []
    for lesson in lessons:
        files = sorted(verified.glob(f"*/{lesson}.json")) if verified.is_dir() else []
        subs = [json.loads(p.read_text()) for p in files]
        names = [n for n in course.exercises() if get_exercise(n).lesson == lesson]
        sections = []
        for name in names:
            recs = [s["exercises"][name] for s in subs if name in s["exercises"]]
            passed = sum(r["passed"] for r in recs)
            mistakes = {}
            for r in recs:
                if not r["passed"] and r.get("mistake"):
                    mistakes[r["mistake"]] = mistakes.get(r["mistake"], 0) + 1
            unnamed = sum(1 for r in recs if not r["passed"] and not r.get("mistake"))
            rows.append({"lesson": lesson, "exercise": name, "students": len(recs), "passed": passed,
                         "mistake": "", "count": "", "hint": ""})
            for mid, count in sorted(mistakes.items(), key=lambda kv: -kv[1]):
                rows.append({"lesson": lesson, "exercise": name, "students": len(recs), "passed": passed,
                             "mistake": mid, "count": count, "hint": hints.get(mid, "")})
            share = f"{passed} of {len(recs)} passed" if recs else "no submissions"
            body = f"<h2><code>{html.escape(name)}</code>: {share}</h2>"
            if mistakes:
                body += f'<img alt="named mistakes" src="data:image/png;base64,{_bar_chart(mistakes, name)}">'
                body += "<table><tr><th>mistake</th><th>students</th><th>hint they were shown</th></tr>"
                for mid, count in sorted(mistakes.items(), key=lambda kv: -kv[1]):
                    body += (f"<tr><td><code>{html.escape(mid)}</code></td><td>{count}</td>"
                             f"<td>{html.escape(hints.get(mid, ''))}</td></tr>")
                body += "</table>"
            if unnamed:
                body += f"<p>{unnamed} other failing submission(s) with no named mistake.</p>"
            sections.append(body)
        flags = [f"{s.get('student')}: {f}" for s in subs for f in s.get("flags", [])]
        page = (f"<!doctype html><meta charset='utf-8'><title>{lesson}: what the class got wrong</title>"
                "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em .6em;"
                "text-align:left;vertical-align:top}</style>"
                f"<h1>{lesson}: {len(subs)} submission(s)</h1>"
                + ("<h2>Flagged</h2><ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in flags) + "</ul>" if flags else "")
                + "".join(sections))
        (out_dir / f"{lesson}.html").write_text(page, encoding="utf-8")
    with open(out_dir / "mistakes.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["lesson", "exercise", "students", "passed", "mistake", "count", "hint"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"report written to {out_dir}")
    return out_dir


# --------------------------------------------------------------------------- the student edition
STUDENT_README = """# Deep learning from first principles — student edition

An interactive course in Jupyter notebooks: you build neural networks in NumPy, and every exercise is
refereed by PyTorch. A test cell runs your code and the PyTorch version on the same inputs and tells you
exactly what differs and what the likely mistake is.

## Open the course

```bash
python3 -m venv .venv && .venv/bin/pip install -e ".[lab]" && .venv/bin/jupyter lab labs/
```

(On Windows use `py -m venv .venv` and `.venv\\Scripts\\`. As root, add `--allow-root` to `jupyter lab`.)

**Google Colab.** Open a notebook of `labs/` in Colab, run `%env COURSE_REPO=<the address of this
repository>` once, then the first cell: it installs the course next to Colab's own PyTorch and is safe to
run again after a restart.

Write your code where it says `# YOUR CODE HERE` (delete the `raise NotImplementedError()` line) and run the
test cell below it. When you ask for help, paste the output of `course.doctor()`.

The data sets ship in `datasets/` (credits in `datasets/README.md`).
"""

EDITION = ("course", "labs", "datasets", "pyproject.toml", "environment.yml")


def publish(dest: Path) -> Path:
    """Write the student edition to ``dest``: the package, the labs and the data, no solutions or tests."""
    dest = Path(dest).resolve()
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
    for name in EDITION:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy(src, dest / name)
    (dest / "README.md").write_text(STUDENT_README, encoding="utf-8")
    (dest / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n")
    print(f"student edition written to {dest}: push it to the repository your students clone "
          f"(and that COURSE_REPO names in Colab)")
    return dest
