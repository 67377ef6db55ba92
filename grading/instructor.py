"""The instructor's cycle, one command each (run from anywhere; paths come from this file).

    python grading/instructor.py publish   DEST            the student edition (no solutions, tests or hidden tests)
    python grading/instructor.py release   [LESSON ...]    solutions/ -> labs/ (nbgrader generate_assignment)
    python grading/instructor.py autograde [LESSON ...] [--jobs N]
                                  grade grading/submitted/<student>/<LESSON>/ in N processes (default: all
                                  cores), scores verified outside the students' kernels
    python grading/instructor.py feedback  [LESSON ...]    HTML feedback in grading/feedback/, no hidden test
    python grading/instructor.py export    [CSV]           all grades to a CSV (default grading/grades.csv)
    python grading/instructor.py report    [LESSON ...]    what the class got wrong, in grading/report/

With no LESSON, every lesson is used (every lesson with submissions, for autograde and feedback).
Collect submissions with your LMS or ``nbgrader zip_collect`` into
grading/submitted/<student_id>/<LESSON>/ (every notebook of the lesson) first.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def lessons(selected=None) -> list[str]:
    """The course's lessons (those named), in course order: the lesson packages of ``course.lessons``."""
    sys.path.insert(0, str(ROOT))
    import course.lessons

    found = [name for name in course.lessons.names() if (ROOT / "solutions" / name).is_dir()]
    if not selected:
        return found
    unknown = [s for s in selected if s not in found]
    if unknown:
        sys.exit(f"unknown lesson(s): {', '.join(unknown)}; known: {', '.join(found)}")
    return list(selected)


def nbgrader(*args: str) -> None:
    """Run one nbgrader command with this folder's nbgrader_config.py."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    env = dict(os.environ, PYTHONWARNINGS=os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning"))
    # nbgrader runs `alembic` and the kernel by name: find them beside this Python even in a
    # virtual environment that was never activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run(cmd, cwd=HERE, env=env)
    if result.returncode:
        sys.exit(f"nbgrader {' '.join(args)} failed with exit code {result.returncode}")


def submitted_lessons() -> list[str]:
    sub = HERE / "submitted"
    if not sub.is_dir():
        return []
    return sorted({p.name for student in sub.iterdir() if student.is_dir() for p in student.iterdir() if p.is_dir()})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["publish", "release", "autograde", "feedback", "export", "report"])
    parser.add_argument("args", nargs="*", help="lessons, or the CSV path (export), or the folder (publish)")
    parser.add_argument("--jobs", type=int, default=None, help="autograde: worker processes (default: all cores)")
    parser.add_argument("--cell-timeout", type=float, default=120, help="autograde: seconds per cell when verifying")
    parser.add_argument("--all-cells", action="store_true",
                        help="autograde: run every cell, demonstrations included (default: grading mode)")
    ns = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import classroom
    if ns.command == "release":
        for lesson in lessons(ns.args):
            nbgrader("generate_assignment", lesson, "--force")
    elif ns.command == "publish":
        if len(ns.args) != 1:
            sys.exit("publish takes one argument: the folder to write the student edition to")
        classroom.publish(Path(ns.args[0]))
    elif ns.command == "autograde":
        summary = classroom.autograde(lessons(ns.args) if ns.args else submitted_lessons(), jobs=ns.jobs,
                                      cell_timeout=ns.cell_timeout, grading_mode=not ns.all_cells)
        if summary["failed"]:
            sys.exit(1)
    elif ns.command == "feedback":
        classroom.feedback(lessons(ns.args) if ns.args else submitted_lessons())
    elif ns.command == "report":
        classroom.report(lessons(ns.args) if ns.args else submitted_lessons())
    elif ns.command == "export":
        out = Path(ns.args[0]).resolve() if ns.args else HERE / "grades.csv"
        nbgrader("export", f"--to={out}")
        print(f"grades written to {out}")


if __name__ == "__main__":
    main()
