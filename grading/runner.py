"""The runner of verified grading: runs a student's objects on cases it is given, and nothing else.

    python grading/runner.py OBJECTS.pkl[:MORE.pkl ...] WORK.pkl RESULTS.pkl

Before it loads the student's objects it removes every reference and every known mistake from its copy
of the exercise registry, so code that patches this process at run time has no answer to find here.
It returns what the student's code gave for each case (or the sentence that says why it failed), and
writes its results after every exercise, so code that ends the process early loses only the rest.
"""
from __future__ import annotations

import os
import sys


def _portable(value):
    """The value if it can travel back to the grading process, else a sentence about it."""
    import cloudpickle

    try:
        cloudpickle.dumps(value)
        return value
    except Exception:
        return f"<{type(value).__name__} that cannot be sent back>"


def main(objects_path, work_path, out_path) -> int:
    import cloudpickle

    from course.checks import engine
    from course.checks.guard import Guard
    from course.checks.reference import get_ref
    from course.checks.spec import _REGISTRY, StudentError

    engine._load_lessons()
    for ex in _REGISTRY.values():
        ex.reference = None
        ex.mistakes = ()
    # The runner's own methods, taken before any student code exists here: code that replaces a
    # kind's or the guard's method at run time changes nothing for the calls below.
    runs = {type(ex.kind): type(ex.kind).run for ex in _REGISTRY.values()}
    guard_call = Guard.__call__
    with open(work_path, "rb") as f:
        work = cloudpickle.load(f)
    objects = {}
    for path in objects_path.split(os.pathsep):  # one file per notebook of the lesson, in order
        try:
            with open(path, "rb") as f:
                part = cloudpickle.load(f)
        except Exception:
            continue
        if isinstance(part, dict):
            objects.update(part)
    ref = get_ref()
    results = []
    for item in work:
        ex = engine.get_exercise(item["exercise"])
        per_case = []
        objs = tuple(objects.get(n) for n in ex.objects)
        problem = engine._objects_problem(ex, objs)
        if problem is None and ex.validate is not None:
            try:
                ex.validate(*objs)
            except StudentError as e:
                problem = f"check({ex.name!r}): {e}"
        if problem is not None:
            missing = [n for n in ex.objects if n not in objects]
            if missing:
                problem = (f"`{missing[0]}` was not defined when the notebook ran (or its cell raised before "
                           f"defining it).")
            per_case.append(("error", problem, None))
        else:
            guard = Guard(ex.name, ex.numpy_only, ex.time_limit)

            def call(fn, *args, _guard=guard, **kwargs):
                return guard_call(_guard, fn, *args, **kwargs)

            call.warnings = guard.warnings
            for case in item["cases"]:
                guard.warnings = []
                try:
                    got = runs[type(ex.kind)](ex.kind, ex, objs, case, call, ref)
                    got = {k: _portable(v) for k, v in got.items()} if isinstance(got, dict) else _portable(got)
                    data = {k: _portable(v) for k, v in case.data.items()} if ex.kind.after_run else None
                    per_case.append(("ok", got, data))
                except StudentError as e:
                    per_case.append(("error", str(e), None))
                    break
                except KeyboardInterrupt:
                    raise
                except BaseException as e:  # noqa: BLE001 - whatever student code does becomes a sentence
                    per_case.append(("error", f"your code raised {type(e).__name__} while it was graded.", None))
                    break
        results.append(per_case)
        tmp = out_path + ".tmp"
        with open(tmp, "wb") as f:
            cloudpickle.dump(results, f)
        os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
